import crypto from 'node:crypto';
import { deletePrefix } from '../../src/lib/redis';

/** The Redis of this run (global setup: required in CI, else skipped with a note). */
export const redisUrl = process.env.RA_TEST_REDIS;

/** describe, or describe.skip with a visible note when no Redis answers (never in CI: global setup fails there). */
export function describeWithRedis(name: string, fn: () => void): void {
  if (redisUrl) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') throw new Error(`Redis is required in CI: "${name}" cannot run`);
  // eslint-disable-next-line no-console -- a note in the jest output on purpose
  console.info(`Redis not reachable: tests "${name}" SKIPPED (redis-server --daemonize yes --bind 127.0.0.1 --port 6379)`);
  describe.skip(name, fn);
}

/** A key prefix (and so a queue) of its own for one test app, or shared by the apps of one test. */
export const redisPrefix = () => `ra-test-${crypto.randomBytes(6).toString('hex')}`;

/** Deletes every key under `prefix` (the test's counters, channels' leftovers, queue). */
export const dropPrefix = deletePrefix;
