import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Auth } from '../../auth';
import { TooManyRequestsError } from '../../lib/errors';
import { Logger, securityEvent, urlForLog } from '../../lib/logger';
import type { PageRegistrar } from '../../web/pages';
import type { MunicipalitiesService } from '../municipalities';
import { feedbackApi } from './feedback.api';
import { feedbackHandlers } from './feedback.handlers';
import type { FeedbackService } from './feedback.service';

export { createFeedbackService } from './feedback.service';
export type { FeedbackService } from './feedback.service';
import type { ModerationSource } from '../moderation';
import * as q from './feedback.queries';

/** Residents' comments, for the neutral moderation queue. */
export const commentModeration: ModerationSource = {
  type: 'comment',
  queue: (db) => q.commentQueue(db),
  find: (db, id) => q.commentForModeration(db, id),
  decide: (db, id, v) => q.decideComment(db, id, v),
  countFlag: (db, id) => q.countCommentFlag(db, id),
};
export { MIN_RESIDENTS, PRIOR_WEIGHT, quarterOf, shrink, summarize, toScale100 } from './feedback.stats';

/** Per-resident limit on rating posts (per process; keyed by account, never by IP). */
export interface FeedbackLimits {
  ratingsPerHour: number;
}
export const DEFAULT_FEEDBACK_LIMITS: FeedbackLimits = { ratingsPerHour: 60 };

function perUserLimiter(logger: Logger, limit: number): RequestHandler {
  return rateLimit({
    windowMs: 3_600_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `user:${req.user?.id ?? 'anonymous'}`,
    validate: false,
    handler: (req, res, next, options) => {
      securityEvent(logger, 'rate_limited', { ip: req.ip, userId: req.user?.id ?? null, limiter: 'rating', path: urlForLog(req.originalUrl) });
      res.set('Retry-After', String(Math.ceil(options.windowMs / 1000)));
      next(new TooManyRequestsError());
    },
  });
}

/** Resident ratings and comments, their moderation, service areas, and the satisfaction figures. */
export function createFeedbackModule({ feedback, municipalities, auth, logger, limits = DEFAULT_FEEDBACK_LIMITS }: { feedback: FeedbackService; municipalities: MunicipalitiesService; auth: Auth; logger: Logger; limits?: FeedbackLimits }) {
  const h = feedbackHandlers({ feedback, municipalities, logger });
  const { requireUser, requireRole, requireMunicipality } = auth.guards;
  const official = [requireRole('official', 'admin'), requireMunicipality('ubigeo')];
  const rater = requireRole('resident', 'monitor');
  const admin = requireRole('admin');
  const limit = perUserLimiter(logger, limits.ratingsPerHour);
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
