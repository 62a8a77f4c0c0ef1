import { Router } from 'express';
import { Db, ping } from '../db';
import type { RedisLink } from '../lib/redis';

export interface Lifecycle {
  shuttingDown: boolean;
}

/**
 * /healthz: the process answers. /readyz: the database answers and we are not draining; with
 * REDIS_URL it also says whether Redis answers (`redis: ok | unavailable`), but stays ready
 * without it: pages keep serving (limits fall back to the process, jobs run here).
 */
export function healthRouter(db: Db, lifecycle: Lifecycle, redis: RedisLink | null = null): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (lifecycle.shuttingDown) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    try {
      const [, redisUp] = await Promise.all([ping(db), redis?.ping()]);
      res.json({ status: 'ready', ...(redis ? { redis: redisUp ? 'ok' : 'unavailable' } : {}) });
    } catch {
      res.status(503).set('Retry-After', '10').json({ status: 'database_unavailable' });
    }
  });
  return r;
}
