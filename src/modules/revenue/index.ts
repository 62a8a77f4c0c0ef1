export { createRevenueService, sharePct } from './revenue.service';
export type { RevenueService, RevenueSeries } from './revenue.service';
export { importIngresos, INGRESOS, parseSignedAmount, validateRevenueRow } from './revenue.importer';
export type { RevenueImportReport } from './revenue.importer';
export type { RevenueYear, RevenueContextYear } from './revenue.types';
