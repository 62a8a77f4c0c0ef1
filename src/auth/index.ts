import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Logger } from '../lib/logger';
import { createCsrf } from './csrf';
import { createGuards } from './guards';
import { Clock, createSessions, sessionTimeouts } from './session';
import type { SessionUser } from './types';

export { safeReturnTo } from './return-to';
export { createPasswordHasher } from './passwords';
export type { PasswordHasher } from './passwords';
export { SESSION_COOKIE, IDLE_TIMEOUT_MS, ABSOLUTE_TIMEOUT_MS, clearSessionCookie, destroyUserSessions } from './session';
export type { Clock } from './session';
export type { Role, SessionUser, UserStatus } from './types';
export { ROLES, STATUSES } from './types';
export { assertOwnMunicipality, noStore } from './guards';
export type { Guards } from './guards';
export type { Csrf } from './csrf';

export type LoginOutcome = { ok: true; user: SessionUser } | { ok: false; reason: 'invalid' | 'unconfirmed' | 'disabled' } | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** What the local strategy tells the login handler when it refuses. */
export interface LoginRefusal {
  message: 'invalid' | 'unconfirmed' | 'disabled' | 'throttled';
  retryAfterSeconds?: number;
}

export interface AuthUsers {
  findSessionUser(id: number): Promise<SessionUser | null>;
  login(email: string, password: string, ip: string): Promise<LoginOutcome>;
}

/**
 * Sessions, passport (local strategy: email + password), CSRF and the guards. `before` is the
 * chain every page request goes through: it loads a session only when the browser sent one.
 */
export function createAuth({ db, config, logger, clock, users }: { db: Db; config: Config; logger: Logger; clock: Clock; users: AuthUsers }) {
  const sessions = createSessions({ db, config, logger });
  const csrf = createCsrf(logger);
  const guards = createGuards(logger);
  const passport = new Passport();

  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: true }, (req, email, password, done) => {
      users.login(email, password, req.ip ?? '').then(
        (r) => (r.ok ? done(null, r.user) : done(null, false, { message: r.reason, retryAfterSeconds: r.reason === 'throttled' ? r.retryAfterSeconds : undefined } as LoginRefusal)),
        (err) => done(err),
      );
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id: unknown, done) => {
    users.findSessionUser(Number(id)).then((u) => done(null, u ?? false), done);
  });

  const passportSession = passport.session();
  const loadUser: RequestHandler = (req, res, next) => (req.session ? passportSession(req, res, next) : next());

  /** Signed-in pages are private: no caching, and a CSRF token for the header's logout form. */
  const exposeUser: RequestHandler = (req, res, next) => {
    if (req.user && req.session) {
      res.set('Cache-Control', 'no-store');
      res.locals.csrfToken = csrf.token(req);
    } else if (typeof req.session?.csrfToken === 'string') {
      // A form re-rendered after a POST keeps the session's token; an anonymous session is
      // never created or changed here.
      res.locals.csrfToken = req.session.csrfToken;
    }
    next();
  };

  const bodyParser = express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 50 });

  const before: RequestHandler[] = [
    sessions.ifCookie,
    sessionTimeouts(clock, config),
    passport.initialize(),
    loadUser,
    exposeUser,
    (req: Request, res: Response, next: NextFunction) => (req.method === 'POST' ? bodyParser(req, res, next) : next()),
    (req: Request, res: Response, next: NextFunction) => csrf.protect(req, res, next),
  ];

  /** For GET form pages that need a CSRF token (and so a session). */
  const formSession: RequestHandler[] = [
    sessions.always,
    (req, res, next) => {
      res.set('Cache-Control', 'no-store');
      res.locals.csrfToken = csrf.token(req);
      next();
    },
  ];

  return { sessions, csrf, guards, passport, before, formSession };
}

export type Auth = ReturnType<typeof createAuth>;
