import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from './logger';

/**
 * ioredis, loaded on the first connection: a portal without REDIS_URL does not pay its ~0.1 s
 * of module loading at every start (as BullMQ in lib/background.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a conditional load; import() would make connecting async
const ioredis = () => require('ioredis') as typeof import('ioredis');

/**
 * The connection to Redis (REDIS_URL) shared by the rate limits, the response-cache
 * invalidation and the job queue. Commands fail at once while Redis is away (no offline
 * queue), so callers fall back to this process instead of waiting; ioredis reconnects by itself
 * (every 2 s at most) and `ready()` turns true again without a restart.
 */
export interface RedisLink {
  url: string;
  /** Starts every key, channel and queue name. */
  prefix: string;
  client: Redis;
  /** Connected and answering commands now. */
  ready(): boolean;
  /** Resolves true once connected (false after `timeoutMs`): for commands that start with Redis. */
  whenReady(timeoutMs?: number): Promise<boolean>;
  /** PING with a deadline (readiness). */
  ping(timeoutMs?: number): Promise<boolean>;
  /** A new connection with the same settings (a subscriber, BullMQ's blocking worker). */
  duplicate(options?: RedisOptions): Redis;
  close(): Promise<void>;
}

const BASE: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: (times) => Math.min(100 * times, 2000),
};

export function connectRedis({ url, prefix }: { url: string; prefix: string }, logger: Logger): RedisLink {
  const opened: Redis[] = [];
  const open = (options: RedisOptions = {}) => {
    const c = new (ioredis().Redis)(url, { ...BASE, ...options });
    // Logged on each change only, not on every reconnection attempt.
    let up = true;
    c.on('error', (err: Error) => {
      if (up) logger.warn({ err: { message: err.message } }, 'redis unavailable; falling back to this process');
      up = false;
    });
    c.on('ready', () => {
      if (!up) logger.info('redis available again');
      up = true;
    });
    opened.push(c);
    return c;
  };
  const client = open();
  return {
    url,
    prefix,
    client,
    ready: () => client.status === 'ready',
    whenReady(timeoutMs = 3000) {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        client.once('ready', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    async ping(timeoutMs = 1000) {
      if (client.status !== 'ready') return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([client.ping().then((r) => r === 'PONG'), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    duplicate: open,
    async close() {
      await Promise.all(opened.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/** Deletes every key under `prefix` (a test's or a benchmark's queue, counters and channels); SCAN, never KEYS. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const r = new (ioredis().Redis)(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
