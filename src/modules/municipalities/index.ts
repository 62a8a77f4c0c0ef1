import type { Db } from '../../db';
import type { PageRegistrar } from '../../web/pages';
import { municipalitiesApi } from './municipalities.api';
import { municipalitiesHandlers } from './municipalities.handlers';
import { createMunicipalitiesService } from './municipalities.service';
import type { DetailYearsPort, FollowingPort, HistoryFor, ParticipationGlancePort, SpendingFigures } from './municipalities.types';

export { createMunicipalitiesService } from './municipalities.service';
export type { MunicipalitiesService } from './municipalities.service';
export { POPULATION_BANDS, BAND_KEYS, populationBand, municipalityName, properCase } from './municipalities.names';
export type { PopulationBand } from './municipalities.names';
export { loadDirectory, loadPredecessors } from './municipalities.loader';
export { UbigeoParams, MUNICIPALITY_NOT_FOUND } from './municipalities.api';
export type { Municipality, Department, SpendingFigures, MunicipalityYearFigures, Predecessor, HistoryFor, ParticipationGlance, ParticipationGlancePort, FollowingPort } from './municipalities.types';

/** The score breakdown of a municipality by year (from the scores module, wired in app.ts). */
export type ScoreBreakdown = (ubigeo: string) => Promise<Array<Record<string, unknown>>>;

export function createMunicipalitiesModule({
  db,
  spending,
  scores,
  participation,
  detailYears,
  history,
  service = createMunicipalitiesService({ db }),
  following,
}: {
  db: Db;
  /** The app's service (with its data-version memo); a plain one when not given. */
  service?: ReturnType<typeof createMunicipalitiesService>;
  spending: SpendingFigures;
  scores?: ScoreBreakdown;
  participation?: ParticipationGlancePort;
  detailYears?: DetailYearsPort;
  history?: HistoryFor;
  /** Whether the signed-in reader follows the municipality (its page's follow button). */
  following?: FollowingPort;
}) {
  const h = municipalitiesHandlers(service, spending, scores, participation, detailYears, history, following);
  return {
    service,
    registerPages(reg: PageRegistrar) {
      reg.pages({ departments: h.departments, department: h.department, province: h.province, municipality: h.municipality, search: h.search });
    },
    api: municipalitiesApi(service),
  };
}
