import type { Auth } from '../../auth';
import type { Logger } from '../../lib/logger';
import type { PageRegistrar } from '../../web/pages';
import type { MunicipalitiesService } from '../municipalities';
import { scoresApi } from './scores.api';
import { scoresHandlers } from './scores.handlers';
import type { ScoresService } from './scores.service';

export { createScoresService, groupRanking } from './scores.service';
export type { ScoresService } from './scores.service';
export { SCORE_DATASETS } from './scores.datasets';
export { accountabilityComponent, combine, COMPONENTS, indicatorsComponent, deliveryComponent, executionComponent, resultsComponent, satisfactionComponent } from './scores.compute';

/** The results score: ranking, methodology, admin weights and the open-data API. */
export function createScoresModule({
  scores,
  municipalities,
  auth,
  logger,
  defaultYear,
}: {
  scores: ScoresService;
  municipalities: MunicipalitiesService;
  auth: Auth;
  logger: Logger;
  /** The portal's default year: the latest complete execution year (the spending module's rule). */
  defaultYear: () => Promise<number>;
}) {
  const h = scoresHandlers({ scores, municipalities, logger, defaultYear });
  const admin = auth.guards.requireRole('admin');
  return {
    registerPages(reg: PageRegistrar) {
      reg.page('scores_ranking', h.ranking);
      reg.page('methodology', h.methodology);
      reg.route('get', 'admin_weights', [admin], h.weightsForm);
      reg.route('post', 'admin_weights', [admin], h.setWeights);
    },
    api: scoresApi(scores, defaultYear),
  };
}
