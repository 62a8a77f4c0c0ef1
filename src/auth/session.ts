import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Logger } from '../lib/logger';
import './types';

export const SESSION_COOKIE = 'ra.sid';
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;

export type Clock = () => number;

function hasSessionCookie(req: Request): boolean {
  const header = req.headers.cookie;
  return typeof header === 'string' && header.split(';').some((c) => c.trim().startsWith(`${SESSION_COOKIE}=`));
}

/**
 * connect-session-knex both calls back with an error and rejects the promise it returns, which
 * express-session ignores: an unhandled rejection whenever the database is down. Errors go to
 * the callbacks only (express-session turns them into a 503 through the error handler).
 */
class KnexSessionStore extends ConnectSessionKnexStore {
  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void) {
    return super.get(sid, cb).catch(() => null);
  }
  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void) {
    return super.set(sid, sess, cb).catch(() => undefined);
  }
  override touch(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void) {
    // touch has no error handling upstream: report the error to express-session ourselves.
    return super.touch(sid, sess, cb).catch((err: unknown) => cb?.(err));
  }
  override destroy(sid: string, cb?: (err?: unknown) => void) {
    return super.destroy(sid, cb).catch(() => 0);
  }
}

/**
 * Sessions live in the `sessions` table so that every instance sees them. `always` creates one
 * (forms that need a CSRF token); `ifCookie` only loads an existing one, so anonymous readers
 * never get a cookie nor a row.
 */
export function createSessions({ db, config, logger }: { db: Db; config: Config; logger: Logger }) {
  const store = new KnexSessionStore({
    knex: db,
    tableName: 'sessions',
    createTable: false,
    cleanupInterval: config.env === 'test' ? 0 : 15 * 60 * 1000,
    onDbCleanupError: (err) => logger.warn({ err }, 'session cleanup failed'),
  });
  // The table comes from a migration. The store's one-off check at construction must neither
  // crash the process nor poison every later session read if the database blips right then.
  store.ready.catch((err: unknown) => logger.warn({ err }, 'session table check failed'));
  store.ready = Promise.resolve();
  const always = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.env === 'production', maxAge: IDLE_TIMEOUT_MS, path: '/' },
  });
  const ifCookie: RequestHandler = (req, res, next) => (hasSessionCookie(req) ? always(req, res, next) : next());
  return { always, ifCookie, store };
}

export function clearSessionCookie(res: Response, config: Config): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: config.env === 'production', path: '/' });
}

/**
 * Idle (30 min) and absolute (12 h) limits enforced on the server from times kept in the
 * session itself, whatever the cookie says: an expired session is destroyed.
 */
export function sessionTimeouts(clock: Clock, config: Config) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const s = req.session;
    if (!s || !s.passport?.user) return next();
    const now = clock();
    const created = s.createdAt ?? 0;
    const last = s.lastSeenAt ?? 0;
    if (now - last > IDLE_TIMEOUT_MS || now - created > ABSOLUTE_TIMEOUT_MS) {
      s.destroy((err) => {
        if (err) return next(err);
        clearSessionCookie(res, config);
        next();
      });
      return;
    }
    if (now - last > 60_000) s.lastSeenAt = now;
    next();
  };
}

/** Deletes every stored session of a user (password reset, disabled account, deletion). */
export async function destroyUserSessions(db: Db, userId: number, exceptSid?: string): Promise<void> {
  const rows: Array<{ sid: string; sess: string | Record<string, unknown> }> = await db('sessions')
    .select('sid', 'sess')
    .where('sess', 'like', `%"user":${Number(userId)}%`);
  const sids = rows
    .filter((r) => {
      const sess = typeof r.sess === 'string' ? JSON.parse(r.sess) : r.sess;
      return (sess as { passport?: { user?: number } }).passport?.user === userId;
    })
    .map((r) => r.sid)
    .filter((sid) => sid !== exceptSid);
  if (sids.length) await db('sessions').whereIn('sid', sids).del();
}
