import { Router } from 'express';
import { Db, ping } from '../db';

export interface Lifecycle {
  shuttingDown: boolean;
}

/** /healthz: the process answers. /readyz: the database answers and we are not draining. */
export function healthRouter(db: Db, lifecycle: Lifecycle): Router {
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
      await ping(db);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).set('Retry-After', '10').json({ status: 'database_unavailable' });
    }
  });
  return r;
}
