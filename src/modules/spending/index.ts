import type { PageRegistrar } from '../../web/pages';
import type { MunicipalitiesService } from '../municipalities';
import { spendingApi } from './spending.api';
import { spendingHandlers } from './spending.handlers';
import type { SpendingService } from './spending.service';

export { createSpendingService } from './spending.service';
export type { SpendingService } from './spending.service';
export { importConsultaAmigable, CONSULTA_AMIGABLE } from './consulta-amigable.importer';
export type { ImportReport } from './consulta-amigable.importer';
export { loadHistory } from './history.loader';
export { importMefGasto, MEF_GASTO } from './mef-gasto.importer';
export type { MefGastoReport } from './mef-gasto.importer';
export { generateMefGasto } from './mef-gasto.generator';

export function createSpendingModule({ spending, municipalities }: { spending: SpendingService; municipalities: MunicipalitiesService }) {
  const h = spendingHandlers(spending, municipalities);
  return {
    registerPages(reg: PageRegistrar) {
      reg.page('ranking', h.ranking);
      reg.page('history', h.history);
    },
    api: spendingApi(spending, municipalities),
  };
}
