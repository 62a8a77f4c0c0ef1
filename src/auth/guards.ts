import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { lngOf } from '../i18n';
import { pageUrl } from '../i18n/paths';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../lib/errors';
import { Logger, securityEvent, urlForLog } from '../lib/logger';
import type { Role } from './types';

/**
 * For routes that name an item rather than a municipality (`/items/:id`): load the item, then
 * call this with its municipality. Officials of another municipality get a 404, never a 403
 * nor the data; admins pass.
 */
export function assertOwnMunicipality(user: { role: Role; municipality_ubigeo: string | null } | undefined, ubigeo: string | null | undefined): void {
  if (user?.role === 'admin') return;
  if (user?.role === 'official' && ubigeo != null && user.municipality_ubigeo === ubigeo) return;
  throw new NotFoundError();
}

/** Pages behind login must not be kept by browsers or shared caches. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * The guards every non-public route declares. Anonymous: GET → 302 to the login page with a
 * returnTo; anything else → 401. Wrong role → 403 (logged). Admins must have passed TOTP.
 */
export function createGuards(logger: Logger) {
  function requireUser(req: Request, res: Response, next: NextFunction): void {
    res.set('Cache-Control', 'no-store');
    if (req.user) return next();
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.redirect(302, pageUrl(lngOf(res, req.originalUrl), 'login', {}, { returnTo: req.originalUrl }));
      return;
    }
    next(new UnauthorizedError());
  }

  /**
   * Accounts with a second factor (admins) must have passed it in this session: GET → the
   * code page (then back), anything else → 403. Call once req.user is known.
   */
  function secondFactorPassed(req: Request, res: Response, next: NextFunction, key?: string): void {
    const user = req.user!;
    if (user.role === 'admin' && !req.session?.mfaAt) {
      if (req.method === 'GET') return res.redirect(302, pageUrl(lngOf(res, req.originalUrl), 'second_factor', {}, { returnTo: req.originalUrl }));
      securityEvent(logger, 'forbidden', { ip: req.ip, userId: user.id, reason: 'second_factor_missing', path: urlForLog(req.originalUrl) });
      return next(new ForbiddenError(key));
    }
    next();
  }

  function requireRole(...roles: Role[]): RequestHandler {
    return (req, res, next) =>
      requireUser(req, res, (err?: unknown) => {
        if (err) return next(err);
        const user = req.user!;
        if (!roles.includes(user.role)) {
          securityEvent(logger, 'forbidden', { ip: req.ip, userId: user.id, role: user.role, path: urlForLog(req.originalUrl) });
          return next(new ForbiddenError());
        }
        secondFactorPassed(req, res, next);
      });
  }

  /** Any signed-in user; one who has a second factor must have passed it (account changes). */
  const requireSecondFactor: RequestHandler = (req, res, next) =>
    requireUser(req, res, (err?: unknown) => (err ? next(err) : secondFactorPassed(req, res, next, 'accounts:errors.second_factor_required')));

  /**
   * An official acts only on the municipality they are bound to: any other ubigeo is a 404,
   * as if it did not exist. Admins act on every municipality. Use after requireRole.
   */
  function requireMunicipality(param = 'ubigeo'): RequestHandler {
    return (req, _res, next) => {
      const user = req.user;
      const ubigeo = req.params[param];
      if (!user) return next(new NotFoundError());
      if (user.role === 'admin' || (user.role === 'official' && typeof ubigeo === 'string' && user.municipality_ubigeo === ubigeo)) return next();
      securityEvent(logger, 'forbidden', { ip: req.ip, userId: user.id, reason: 'other_municipality', path: urlForLog(req.originalUrl) });
      next(new NotFoundError());
    };
  }

  return { requireUser: requireUser as RequestHandler, requireRole, requireSecondFactor, requireMunicipality };
}

export type Guards = ReturnType<typeof createGuards>;
