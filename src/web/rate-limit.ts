import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { TooManyRequestsError } from '../lib/errors';
import { Logger, securityEvent, urlForLog } from '../lib/logger';

export interface RateLimit {
  /** Named in the `rate_limited` security event. */
  name: string;
  windowMs: number;
  /** Requests allowed per key and window. */
  limit: number;
  /** Whose requests are counted together: the client's IP (default) or the signed-in account. */
  per?: 'ip' | 'user';
}

/**
 * A per-process request limit (express-rate-limit). Over the limit, the request is logged as a
 * `rate_limited` security event and answered 429 by the central error handler, localized, with
 * Retry-After set to the window.
 */
export function rateLimiter(logger: Logger, { name, windowMs, limit, per = 'ip' }: RateLimit): RequestHandler {
  const perUser = per === 'user';
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Keyed by account, never by IP; the IP checks express-rate-limit makes do not apply then.
    ...(perUser ? { keyGenerator: (req: Request) => `user:${req.user?.id ?? 'anonymous'}`, validate: false } : {}),
    handler: (req, res, next, options) => {
      securityEvent(logger, 'rate_limited', { ip: req.ip, ...(perUser ? { userId: req.user?.id ?? null } : {}), limiter: name, path: urlForLog(req.originalUrl) });
      res.set('Retry-After', String(Math.ceil(options.windowMs / 1000)));
      next(new TooManyRequestsError());
    },
  });
}
