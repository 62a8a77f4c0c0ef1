import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { ForbiddenError } from '../lib/errors';
import { Logger, securityEvent, urlForLog } from '../lib/logger';
import './types';

/** Synchroniser-token CSRF defence: the token lives in the session, forms send `_csrf`. */
export function createCsrf(logger: Logger) {
  const sync = csrfSync({
    size: 32,
    // Only ever from the posted form, never from the URL (a URL ends up in history, logs, Referer).
    getTokenFromRequest: (req) => {
      const v = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof v === 'string' ? v : undefined;
    },
    getTokenFromState: (req) => req.session?.csrfToken,
    storeTokenInState: (req, token) => {
      if (req.session) req.session.csrfToken = token;
    },
  });
  function fail(req: Request, next: NextFunction) {
    securityEvent(logger, 'csrf_failed', { ip: req.ip, userId: req.user?.id ?? null, path: urlForLog(req.originalUrl), method: req.method });
    next(new ForbiddenError('errors:csrf.title'));
  }
  return {
    /** The session's token (created on first use, which is what makes a form's session). */
    token: (req: Request): string => sync.generateToken(req),
    protect(req: Request, res: Response, next: NextFunction): void {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
      // A multipart form (file upload) is parsed by its route, after the guards: its token is
      // checked there, just before the handler (see `verifyDeferred`), from the parsed body.
      if (req.is('multipart/form-data')) {
        res.locals.csrfDeferred = true;
        return next();
      }
      if (sync.isRequestValid(req)) return next();
      fail(req, next);
    },
    /** Runs right before every page handler: a multipart request whose token did not check out is refused. */
    verifyDeferred(req: Request, res: Response, next: NextFunction): void {
      if (!res.locals.csrfDeferred) return next();
      res.locals.csrfDeferred = false;
      if (sync.isRequestValid(req)) return next();
      fail(req, next);
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
