import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { ensureBuilt } from './dist';
import { mysqlServerOptions } from './run';

/**
 * Decides once per run which real components are present. In CI (CI=true) MariaDB, Redis and
 * chromium are required: their absence fails the run instead of skipping tests.
 */
export default async function globalSetup(): Promise<void> {
  // Tests spawn the built server and commands: build first rather than skip or test a stale dist/.
  ensureBuilt();
  const ci = process.env.CI === 'true';
  const url = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
  const notes: string[] = [];
  try {
    const u = new URL(url);
    const conn = await mysql.createConnection({ ...mysqlServerOptions(u), connectTimeout: 3000 });
    await conn.query('select 1');
    await conn.end();
    process.env.RA_TEST_MYSQL = url;
  } catch (err) {
    if (ci) throw new Error(`MariaDB is required in CI but is not reachable at ${url}: ${(err as Error).message}`, { cause: err });
    delete process.env.RA_TEST_MYSQL;
    notes.push(`MariaDB not reachable at ${url}: MySQL integration tests are SKIPPED (${(err as Error).message})`);
  }
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const r = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    process.env.RA_TEST_REDIS = redisUrl;
  } catch (err) {
    if (ci) throw new Error(`Redis is required in CI but is not reachable at ${redisUrl}: ${(err as Error).message}`, { cause: err });
    delete process.env.RA_TEST_REDIS;
    notes.push(`Redis not reachable at ${redisUrl}: Redis tests are SKIPPED (${(err as Error).message})`);
  } finally {
    r.disconnect();
  }
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (fs.existsSync(chromium)) process.env.RA_TEST_CHROMIUM = chromium;
  else if (ci) throw new Error(`chromium is required in CI but ${chromium} does not exist`);
  else notes.push(`${chromium} not found: browser tests are SKIPPED (apt-get install chromium)`);
  process.env.RA_TEST_TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-test-'));
  for (const n of notes) process.stdout.write(`\n⚠ ${n}\n`);
}
