import { Router } from 'express';
import type { Db } from '../../db';
import type { PageRegistrar } from '../../web/pages';
import { breakdownApi } from './breakdown.api';
import { breakdownHandlers } from './breakdown.handlers';
import { createBreakdownService } from './breakdown.service';
import { openDataApi, openDataPage } from './open-data';
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

export { createBreakdownService } from './breakdown.service';
export type { BreakdownService } from './breakdown.service';

export function createSpendingModule({ db, spending, municipalities }: { db: Db; spending: SpendingService; municipalities: MunicipalitiesService }) {
  const h = spendingHandlers(spending, municipalities);
  const breakdown = createBreakdownService({ db });
  const b = breakdownHandlers(breakdown, spending, municipalities);
  const api = Router();
  api.use(spendingApi(spending, municipalities));
  api.use(breakdownApi(breakdown, municipalities));
  api.use(openDataApi(db));
  return {
    registerPages(reg: PageRegistrar) {
      reg.page('ranking', h.ranking);
      reg.page('history', h.history);
      reg.page('spending_municipality', b.municipality);
      reg.page('spending_categories', b.categories);
      reg.page('spending_area', b.area);
      reg.page('compare', b.compare);
      reg.page('spending_map', b.map);
      reg.page('open_data', openDataPage);
    },
    api,
  };
}
