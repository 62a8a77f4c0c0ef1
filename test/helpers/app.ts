import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { AppDeps, buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createI18n } from '../../src/i18n';
import { BackgroundJobs, createBackgroundJobs } from '../../src/lib/background';
import { createInvalidation, Invalidation } from '../../src/lib/invalidation';
import { createLogger } from '../../src/lib/logger';
import { connectRedis, RedisLink } from '../../src/lib/redis';
import type { Mailer } from '../../src/lib/mailer';
import { createTestDb, Dialect, TestDb } from './db';
import { dropPrefix } from './redis';

export interface TestApp extends TestDb {
  app: Express;
  lifecycle: { shuttingDown: boolean };
  /** Where the app writes its emails. */
  outboxDir: string;
  /** Every log line the app wrote (when `captureLogs` was asked). */
  logs: string[];
  /** The app's clock: tests move `now.ms` forward. */
  now: { ms: number };
  /** Work the app does after answering (mail): `await t.background.idle()` before reading the outbox. */
  background: BackgroundJobs;
  /** The app's Redis connection (when asked for with `redis`). */
  redis: RedisLink | null;
  invalidation: Invalidation;
}

export const i18n = createI18n();

export interface TestAppOptions {
  seed?: boolean;
  /** Load the 2012–2022 history too (execution and revenue); off by default. */
  history?: boolean;
  config?: Partial<Config>;
  captureLogs?: boolean;
  formLimits?: AppDeps['formLimits'];
  loginThrottle?: AppDeps['loginThrottle'];
  feedbackLimits?: AppDeps['feedbackLimits'];
  /** A mailer other than the outbox (e.g. SMTP to a server that refuses or hangs is set through `config.mail.smtp`). */
  mailer?: Mailer;
  /** URLs per sitemap file (lowered to see the sitemap split). */
  sitemapMaxUrls?: number;
  /**
   * Shared state in Redis (REDIS_URL): rate limits, cache invalidation, the job queue. Apps given
   * the same prefix act as instances of one portal; `cleanup` of the app with `owner` deletes the keys.
   */
  redis?: { url: string; prefix: string; owner?: boolean };
  /** With `redis`: this app also runs the queue's jobs (as `npm run worker` does); without, it only enqueues. */
  worker?: boolean;
  /** Delay before a failed job runs again (doubles each time); small so failing mail does not slow the tests. */
  jobBackoffMs?: number;
}

/** The real app on a fresh database of the given dialect. */
export async function createTestApp(dialect: Dialect = 'sqlite', opts: TestAppOptions = {}): Promise<TestApp> {
  const t = await createTestDb(dialect, opts);
  const lifecycle = { shuttingDown: false };
  const outboxDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? '/tmp', 'outbox-'));
  const uploadsDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? '/tmp', 'uploads-'));
  const downloadsDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? '/tmp', 'downloads-'));
  const config: Config = {
    ...t.config,
    uploadsDir,
    downloadsDir,
    ...opts.config,
    mail: { ...t.config.mail, ...opts.config?.mail, outboxDir },
    redis: opts.redis ? { url: opts.redis.url, prefix: opts.redis.prefix } : null,
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = opts.captureLogs ? createLogger('info', sink) : createLogger('silent');
  const now = { ms: Date.now() };
  const redis = config.redis ? connectRedis(config.redis, logger) : null;
  const background = createBackgroundJobs(logger, { redis, backoffMs: opts.jobBackoffMs ?? 5, attempts: config.jobs.attempts, lockMs: config.jobs.lockMs });
  const invalidation = createInvalidation(redis, logger);
  const app = buildApp({
    background,
    redis,
    invalidation,
    mailer: opts.mailer,
    config,
    db: t.db,
    logger,
    i18n,
    lifecycle,
    clock: () => now.ms,
    formLimits: { loginPerMinute: 1000, registerPerHour: 1000, resetPerHour: 1000, ...opts.formLimits },
    loginThrottle: opts.loginThrottle,
    feedbackLimits: opts.feedbackLimits,
    sitemapMaxUrls: opts.sitemapMaxUrls,
  });
  if (redis && opts.worker) background.startWorker();
  const cleanup = async () => {
    if (!redis || opts.worker) await background.idle();
    await background.close();
    await invalidation.close();
    await redis?.close();
    if (opts.redis?.owner) await dropPrefix(opts.redis.url, opts.redis.prefix);
    await t.cleanup();
    fs.rmSync(outboxDir, { recursive: true, force: true });
    fs.rmSync(uploadsDir, { recursive: true, force: true });
    fs.rmSync(downloadsDir, { recursive: true, force: true });
  };
  return { ...t, config, app, lifecycle, outboxDir, logs, now, background, redis, invalidation, cleanup };
}

/**
 * A second instance of the portal on the same database (and, with Redis, the same prefix): what
 * a second web process behind the balancer is. Its own response cache, rate-limit fallback and
 * job runner; `cleanup` closes its connections (the database belongs to `t`).
 */
export function anotherInstance(t: TestApp, opts: { worker?: boolean; formLimits?: AppDeps['formLimits'] } = {}) {
  const logger = createLogger('silent');
  const redis = t.config.redis ? connectRedis(t.config.redis, logger) : null;
  const background = createBackgroundJobs(logger, { redis, backoffMs: 5, attempts: t.config.jobs.attempts, lockMs: t.config.jobs.lockMs });
  const invalidation = createInvalidation(redis, logger);
  const app = buildApp({
    background,
    redis,
    invalidation,
    config: t.config,
    db: t.db,
    logger,
    i18n,
    clock: () => t.now.ms,
    formLimits: { loginPerMinute: 1000, registerPerHour: 1000, resetPerHour: 1000, ...opts.formLimits },
  });
  if (redis && opts.worker) background.startWorker();
  return {
    app,
    background,
    redis,
    cleanup: async () => {
      await background.close();
      await invalidation.close();
      await redis?.close();
    },
  };
}
