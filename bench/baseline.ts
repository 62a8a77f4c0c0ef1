import crypto from 'node:crypto';
import express from 'express';

/** The bare Express baseline of `npm run bench -- pages`: one route answering a fixed string. */
const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => {
  res.type('text/plain').send('ok');
});
// A fixed body of n bytes (random, so incompressible like a gzipped answer): the ceiling for
// answers of that size on this machine, measured against the large API downloads.
const bodies = new Map<number, Buffer>();
app.get('/bytes/:n', (req, res) => {
  const n = Math.min(4_000_000, Math.max(1, Number(req.params.n) || 1));
  let body = bodies.get(n);
  if (!body) bodies.set(n, (body = crypto.randomBytes(n)));
  res.type('application/octet-stream').send(body);
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
server.keepAliveTimeout = 5000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
