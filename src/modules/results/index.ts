import type { Auth } from '../../auth';
import type { Db } from '../../db';
import type { Logger } from '../../lib/logger';
import type { PageRegistrar } from '../../web/pages';
import type { AuditService } from '../audit';
import { createUploads } from '../participation';
import { createBreakdownService } from '../spending';
import { resultsApi } from './results.api';
import { resultsHandlers } from './results.handlers';
import { createResultsImport } from './results.import';
import * as q from './results.queries';
import { indicatorsOnTrack } from './results.rules';
import { createResultsService } from './results.service';

export { RESULTS_DATASETS } from './results.datasets';
export { LEVEL_WEIGHTS, LEVELS, onTrack, indicatorsOnTrack } from './results.rules';
export { seedResultsExamples } from './results.examples';
export { createResultsService } from './results.service';
export type { ResultsService } from './results.service';
export { createResultsImport } from './results.import';

/**
 * The port that feeds the score's I component: per municipality, the level-weighted met and
 * total targets of a year (real indicators only). The scores module never reads results' tables.
 */
export async function indicatorInputs(db: Db, year: number, department?: string): Promise<Array<{ ubigeo: string; met: number; total: number }>> {
  const rows = await q.scoreInputs(db, year, department);
  const by = new Map<string, typeof rows>();
  for (const r of rows) by.set(r.ubigeo, [...(by.get(r.ubigeo) ?? []), r]);
  return [...by.entries()].map(([ubigeo, rs]) => ({ ubigeo, ...indicatorsOnTrack(rs) }));
}

export interface ResultsOptions {
  uploadsDir: string;
  uploadMaxBytes: number;
  importsPerHour: number;
  importMaxRows: number;
}

/** The results chain: public tree and national list, officials' forms and CSV import, the API. */
export function createResultsModule({ db, auth, audit, logger, clock, options }: { db: Db; auth: Auth; audit: AuditService; logger: Logger; clock: () => number; options: ResultsOptions }) {
  const service = createResultsService({ db, audit, clock });
  const bulk = createResultsImport({ db, service, audit, clock, perHour: options.importsPerHour, maxRows: options.importMaxRows });
  const uploads = createUploads({ dir: options.uploadsDir, maxBytes: options.uploadMaxBytes });
  const h = resultsHandlers({ service, bulk, logger, breakdown: createBreakdownService({ db }), clock });
  const { requireRole, requireMunicipality } = auth.guards;
  const official = [requireRole('official', 'admin'), requireMunicipality('ubigeo')];
  return {
    service,
    registerPages(reg: PageRegistrar) {
      reg.pages({ results_chain: h.chain, results_indicators: h.list });
      // Within a method the `_new` form comes before its `:id`.
      reg.routes('get', official, { manage_results: h.manage, manage_results_indicator_new: h.indicatorForm, manage_results_indicator: h.indicatorForm });
      reg.routes('post', official, {
        manage_results_plan: h.savePlan,
        manage_results_objective: h.saveObjective,
        manage_results_indicator_new: h.saveIndicator,
        manage_results_indicator: h.saveIndicator,
        manage_results_value: h.saveValue,
      });
      reg.routes('post', [...official, uploads.single('file')], { manage_results_import: h.bulkImport });
    },
    api: resultsApi(service),
  };
}
