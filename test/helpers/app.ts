import type { Express } from 'express';
import { buildApp } from '../../src/app';
import { createI18n } from '../../src/i18n';
import { createLogger } from '../../src/lib/logger';
import { createTestDb, Dialect, TestDb } from './db';

export interface TestApp extends TestDb {
  app: Express;
  lifecycle: { shuttingDown: boolean };
}

const i18n = createI18n();

/** The real app on a fresh database of the given dialect. */
export async function createTestApp(dialect: Dialect = 'sqlite', opts: { seed?: boolean } = {}): Promise<TestApp> {
  const t = await createTestDb(dialect, opts);
  const lifecycle = { shuttingDown: false };
  const app = buildApp({ config: t.config, db: t.db, logger: createLogger('silent'), i18n, lifecycle });
  return { ...t, app, lifecycle };
}
