import { createDownloadCache } from '../../lib/downloads';
import type { Db } from '../../db';
import type { PageRegistrar } from '../../web/pages';
import { breakdownApi } from './breakdown.api';
import { breakdownHandlers } from './breakdown.handlers';
import { createBreakdownService } from './breakdown.service';
import { DATASETS, openDataApi, openDataPage } from './open-data';
import type { Dataset } from './open-data';
import type { MunicipalitiesService } from '../municipalities';
import { spendingApi } from './spending.api';
import { spendingHandlers } from './spending.handlers';
import type { SpendingService } from './spending.service';
import type { HistoryService } from './history.service';

export { createSpendingService } from './spending.service';
export type { SpendingService } from './spending.service';
export { PREFERRED_SOURCE } from './spending.queries';
export { importConsultaAmigable } from './consulta-amigable.importer';
export type { ImportReport } from './consulta-amigable.importer';
export { loadHistory } from './history.loader';
export { createHistoryService, HISTORY_FIRST_YEAR } from './history.service';
export type { HistoryService, MunicipalityHistory, ExecutionSeries, SeriesPoint } from './history.service';
export { historyView } from './history.view';
export { importMefGasto } from './mef-gasto.importer';
export type { MefGastoReport, MefGastoProgress } from './mef-gasto.importer';
export { generateMefGasto } from './mef-gasto.generator';
export { MEF_GASTO_FILE_JOB, mefGastoFileJob } from './mef-gasto.job';
export type { MefGastoJobResult } from './mef-gasto.job';

export { createBreakdownService } from './breakdown.service';
export type { Dataset } from './open-data';

/** Scores of several municipalities for one year (from the scores module, wired in app.ts). */
export type CompareScores = (ubigeos: string[], year: number) => Promise<Map<string, Record<string, unknown>>>;
export type { BreakdownService } from './breakdown.service';

export function createSpendingModule({
  db,
  spending,
  municipalities,
  datasets = [],
  compareScores,
  downloadsDir,
  history,
}: {
  db: Db;
  spending: SpendingService;
  history: HistoryService;
  municipalities: MunicipalitiesService;
  datasets?: Dataset[];
  compareScores?: CompareScores;
  /** Where whole-country downloads are kept, one file per data version (no cache without it). */
  downloadsDir?: string;
}) {
  const h = spendingHandlers(spending, municipalities, history);
  const breakdown = createBreakdownService({ db });
  const b = breakdownHandlers(breakdown, spending, municipalities, compareScores);
  const allDatasets = [...DATASETS, ...datasets];
  const downloads = downloadsDir ? createDownloadCache(downloadsDir) : undefined;
  const api = [...spendingApi(spending, municipalities, history), ...breakdownApi(breakdown, municipalities), ...openDataApi(db, allDatasets, downloads)];
  return {
    registerPages(reg: PageRegistrar) {
      reg.pages({
        ranking: h.ranking,
        history: h.history,
        spending_municipality: b.municipality,
        spending_categories: b.categories,
        spending_area: b.area,
        compare: b.compare,
        spending_map: b.map,
        open_data: openDataPage(allDatasets),
      });
    },
    api,
  };
}
