import os from 'node:os';
import { buildApp } from '../app';
import { prepareDatabase } from '../bootstrap';
import { loadConfig } from '../config';
import { createDb } from '../db';
import { createI18n } from '../i18n';
import { createBackgroundJobs } from '../lib/background';
import { createInvalidation } from '../lib/invalidation';
import { createLogger } from '../lib/logger';
import { connectRedis } from '../lib/redis';

/**
 * `npm run worker`: takes jobs from the Redis queue (imports, score recomputes, emails) and runs
 * them, one at a time (JOB_CONCURRENCY for more). Any number of workers, on any machine, against
 * the same database and Redis. The jobs are the ones the web app defines (app.ts builds them
 * here too, without serving). SIGTERM: the running job finishes, then the process exits 0; a
 * worker killed outright loses its lock after JOB_LOCK_MS and its job runs again elsewhere.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!config.redis) {
    process.stderr.write('npm run worker needs REDIS_URL (without it the web process runs its jobs itself)\n');
    process.exit(2);
  }
  // First, so that the threads started later (an import's parser threads) inherit it; systemd's
  // Nice= does the same for every thread (README, deployment).
  try {
    if (os.getPriority() < config.workerNice) os.setPriority(config.workerNice);
  } catch (err) {
    logger.warn({ err, nice: config.workerNice }, 'JOB_NICE could not be applied: the worker runs at the priority it was given');
  }
  const db = createDb(config.db);
  await prepareDatabase(db, logger, config.loadReferenceData, false);
  const redis = connectRedis(config.redis, logger);
  const jobs = createBackgroundJobs(logger, { redis, ...config.jobs });
  const invalidation = createInvalidation(redis, logger);
  buildApp({ config, db, logger, i18n: createI18n(), background: jobs, redis, invalidation });
  const concurrency = Math.max(1, Math.min(16, Number(process.env.JOB_CONCURRENCY ?? 1) || 1));
  jobs.startWorker(concurrency);
  logger.info({ pid: process.pid, concurrency, prefix: config.redis.prefix, nice: os.getPriority() }, 'job worker started');
  process.stdout.write(`worker ${process.pid} ready\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'job worker stopping');
    await jobs.close().catch(() => undefined);
    await jobs.idle({ queue: false }).catch(() => undefined);
    await Promise.all([invalidation.close(), redis.close()]).catch(() => undefined);
    await db.destroy().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  // eslint-disable-next-line no-console -- the logger may not exist yet: a boot failure goes to stderr
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
