import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { AppDeps, buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createI18n } from '../../src/i18n';
import { BackgroundJobs, createBackgroundJobs } from '../../src/lib/background';
import { createLogger } from '../../src/lib/logger';
import type { Mailer } from '../../src/lib/mailer';
import { createTestDb, Dialect, TestDb } from './db';

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
}

/** The real app on a fresh database of the given dialect. */
export async function createTestApp(dialect: Dialect = 'sqlite', opts: TestAppOptions = {}): Promise<TestApp> {
  const t = await createTestDb(dialect, opts);
  const lifecycle = { shuttingDown: false };
  const outboxDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? '/tmp', 'outbox-'));
  const uploadsDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? '/tmp', 'uploads-'));
  const downloadsDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? '/tmp', 'downloads-'));
  const config: Config = { ...t.config, uploadsDir, downloadsDir, ...opts.config, mail: { ...t.config.mail, ...opts.config?.mail, outboxDir } };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = opts.captureLogs ? createLogger('info', sink) : createLogger('silent');
  const now = { ms: Date.now() };
  const background = createBackgroundJobs(logger);
  const app = buildApp({
    background,
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
  const cleanup = async () => {
    await background.idle();
    await t.cleanup();
    fs.rmSync(outboxDir, { recursive: true, force: true });
    fs.rmSync(uploadsDir, { recursive: true, force: true });
    fs.rmSync(downloadsDir, { recursive: true, force: true });
  };
  return { ...t, config, app, lifecycle, outboxDir, logs, now, background, cleanup };
}
