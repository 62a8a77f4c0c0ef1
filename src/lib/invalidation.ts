import crypto from 'node:crypto';
import type { Logger } from './logger';
import type { RedisLink } from './redis';

/**
 * "Public data changed": the one path by which a write (a form, a finished import, a score
 * recompute) empties the response caches. Without Redis it reaches this process's listeners;
 * with Redis it is also published on `<prefix>:invalidate`, and every instance subscribed
 * empties its cache at once. A message missed while Redis was away is made up for by emptying
 * the cache when the subscription comes back (the entries' TTL bounds the gap meanwhile).
 */
export interface Invalidation {
  /** Data changed here: empty this process's caches and tell the other instances. */
  invalidate(): void;
  /** Called on every change, local or from another instance. */
  onChange(listener: () => void): void;
  close(): Promise<void>;
}

export function createInvalidation(redis: RedisLink | null | undefined, logger: Logger): Invalidation {
  const listeners: Array<() => void> = [];
  const fire = () => {
    for (const l of listeners) l();
  };
  if (!redis) return { invalidate: fire, onChange: (l) => void listeners.push(l), close: async () => undefined };

  const channel = `${redis.prefix}:invalidate`;
  const me = crypto.randomBytes(8).toString('hex');
  // Subscribing waits for the connection (offline queue on); ioredis subscribes again after a reconnection.
  const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  let lost = false;
  sub.on('error', () => (lost = true));
  sub.on('ready', () => {
    if (lost) fire();
    lost = false;
  });
  sub.subscribe(channel).catch((err: unknown) => logger.warn({ err }, 'cache invalidation: subscribe failed'));
  sub.on('message', (_ch: string, from: string) => {
    if (from !== me) fire();
  });
  return {
    invalidate() {
      fire();
      if (redis.ready()) redis.client.publish(channel, me).catch((err: unknown) => logger.warn({ err }, 'cache invalidation: publish failed'));
    },
    onChange: (l) => void listeners.push(l),
    async close() {
      await sub.quit().catch(() => sub.disconnect());
    },
  };
}
