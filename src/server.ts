import cluster from 'node:cluster';
import { buildApp } from './app';
import { prepareDatabase } from './bootstrap';
import { loadConfig } from './config';
import { createDb } from './db';
import { createI18n } from './i18n';
import { createBackgroundJobs } from './lib/background';
import { createInvalidation } from './lib/invalidation';
import { createLogger } from './lib/logger';
import { connectRedis } from './lib/redis';
import { createHttpServer } from './web/http-server';

/**
 * WEB_CONCURRENCY=N (N > 1): the primary prepares the database once (migrations, reference data),
 * then forks N workers that share the port (node cluster) and serve; a worker that dies is
 * replaced; SIGTERM is passed to every worker, each drains as below, and the primary exits 0
 * when all have. Sessions and throttles live in the database, so any worker serves any user.
 */
async function primary(workers: number) {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = createDb(config.db);
  await prepareDatabase(db, logger, config.loadReferenceData, config.seedExamples);
  await db.destroy();
  let stopping = false;
  const fork = () => cluster.fork({ RA_CLUSTER_WORKER: '1' });
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    setTimeout(fork, 500).unref();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers }, 'shutting down workers');
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGTERM'));
}

async function main() {
  const started = Date.now();
  const config = loadConfig();
  if (config.webConcurrency > 1 && cluster.isPrimary) return primary(config.webConcurrency);
  const logger = createLogger(config.logLevel);
  const db = createDb(config.db);
  // In a cluster the primary has prepared the database already.
  if (!process.env.RA_CLUSTER_WORKER) await prepareDatabase(db, logger, config.loadReferenceData, config.seedExamples);
  const lifecycle = { shuttingDown: false };
  // With REDIS_URL this process only enqueues jobs (`npm run worker` runs them); without, it runs them.
  const redis = config.redis ? connectRedis(config.redis, logger) : null;
  const background = createBackgroundJobs(logger, { redis, ...config.jobs });
  const invalidation = createInvalidation(redis, logger);
  const app = buildApp({ config, db, logger, i18n: createI18n(), lifecycle, background, redis, invalidation });
  const server = createHttpServer(app);
  server.keepAliveTimeout = 5000;

  server.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    logger.info({ port, db: config.db.client, ms: Date.now() - started }, `Resultados Abiertos listening on http://localhost:${port}`);
  });

  // SIGTERM: readiness turns 503, in-flight requests finish, then exit 0.
  const shutdown = (signal: string) => {
    if (lifecycle.shuttingDown) return;
    lifecycle.shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('forcing shutdown after timeout');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    // Keep accepting for a short drain period so connections already opened (whose request
    // may not be parsed yet) are served; /readyz is 503 meanwhile so balancers stop sending.
    setTimeout(() => {
      const stop = async () => {
        // Mail already handed to the background gets a short while to leave, then we go anyway.
        await Promise.race([background.idle({ queue: false }), new Promise((r) => setTimeout(r, 3000).unref())]);
        await Promise.race([Promise.all([background.close(), invalidation.close(), redis?.close()]), new Promise((r) => setTimeout(r, 1000).unref())]).catch(() => undefined);
        await db.destroy().catch(() => undefined);
        logger.info('stopped');
        process.exit(0);
      };
      server.close(() => void stop());
      server.closeIdleConnections();
    }, config.shutdownDrainMs).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  // eslint-disable-next-line no-console -- the logger may not exist yet: a boot failure goes to stderr
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
