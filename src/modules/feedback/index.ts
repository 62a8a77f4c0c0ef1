import type { Auth } from '../../auth';
import type { PageRegistrar } from '../../web/pages';
import { rateLimiter, type RateLimitContext } from '../../web/rate-limit';
import type { MunicipalitiesService } from '../municipalities';
import { feedbackApi } from './feedback.api';
import { feedbackHandlers } from './feedback.handlers';
import type { FeedbackService } from './feedback.service';

export { createFeedbackService } from './feedback.service';
export type { FeedbackService } from './feedback.service';
import { tableSource } from '../moderation';

/** Residents' comments, for the neutral moderation queue. */
export const commentModeration = tableSource({
  type: 'comment',
  table: 'feedback_comments',
  publishedStatus: 'approved',
  contextColumns: [],
  context: (r) => ({ page: 'satisfaction', params: { ubigeo: String(r.ubigeo) } }),
});
export { MIN_RESIDENTS, PRIOR_WEIGHT, quarterOf, shrink, summarize, toScale100 } from './feedback.stats';

/** Per-resident limit on rating posts (per process; keyed by account, never by IP). */
export interface FeedbackLimits {
  ratingsPerHour: number;
}
export const DEFAULT_FEEDBACK_LIMITS: FeedbackLimits = { ratingsPerHour: 60 };

/** What the feedback module needs; `limits` caps residents' ratings. */
export interface FeedbackModuleDeps extends RateLimitContext {
  feedback: FeedbackService;
  municipalities: MunicipalitiesService;
  auth: Auth;
  limits?: FeedbackLimits;
}

/** Resident ratings and comments, their moderation, service areas, and the satisfaction figures. */
export function createFeedbackModule({ feedback, municipalities, auth, logger, limits = DEFAULT_FEEDBACK_LIMITS, redis = null }: FeedbackModuleDeps) {
  const h = feedbackHandlers({ feedback, municipalities, logger });
  const { requireUser, requireRole, requireMunicipality } = auth.guards;
  const official = [requireRole('official', 'admin'), requireMunicipality('ubigeo')];
  const rater = requireRole('resident', 'monitor');
  const admin = requireRole('admin');
  const limit = rateLimiter({ logger, redis }, { name: 'rating', windowMs: 3_600_000, limit: limits.ratingsPerHour, per: 'user' });
  return {
    registerPages(reg: PageRegistrar) {
      reg.page('satisfaction', h.satisfaction);
      reg.route('get', 'rate', [rater], h.rateForm);
      reg.route('post', 'rate', [rater, limit], h.rate);
      reg.route('get', 'my_feedback', [requireUser], h.mine);
      reg.route('post', 'my_feedback_delete', [requireUser], h.deleteMine);
      reg.route('get', 'manage_comments', official, h.manageComments);
      reg.route('post', 'manage_comment_answer', official, h.answerComment);
      reg.route('get', 'admin_areas', [admin], h.areas);
      reg.route('post', 'admin_areas', [admin], h.saveArea);
    },
    api: feedbackApi(feedback, municipalities),
  };
}
