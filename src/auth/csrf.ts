import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { ForbiddenError } from '../lib/errors';
import { Logger, securityEvent, urlForLog } from '../lib/logger';
import './types';

/** Synchroniser-token CSRF defence: the token lives in the session, forms send `_csrf`. */
export function createCsrf(logger: Logger) {
  const sync = csrfSync({
    size: 32,
    getTokenFromRequest: (req) => {
      const v = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof v === 'string') return v;
      // A multipart form (file upload) is parsed only after its route's guards, so it sends the
      // token in its action URL instead; urlForLog redacts it from the logs.
      const q = (req.query as Record<string, unknown> | undefined)?._csrf;
      return req.is('multipart/form-data') && typeof q === 'string' ? q : undefined;
    },
    getTokenFromState: (req) => req.session?.csrfToken,
    storeTokenInState: (req, token) => {
      if (req.session) req.session.csrfToken = token;
    },
  });
  return {
    /** The session's token (created on first use, which is what makes a form's session). */
    token: (req: Request): string => sync.generateToken(req),
    protect(req: Request, res: Response, next: NextFunction): void {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
      if (sync.isRequestValid(req)) return next();
      securityEvent(logger, 'csrf_failed', { ip: req.ip, userId: req.user?.id ?? null, path: urlForLog(req.originalUrl), method: req.method });
      next(new ForbiddenError('errors:csrf.title'));
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
