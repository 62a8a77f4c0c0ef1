import type { Request, RequestHandler } from 'express';
import { ClientRateLimitInfo, MemoryStore, Options, rateLimit, Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { TooManyRequestsError } from '../lib/errors';
import { Logger, securityEvent, urlForLog } from '../lib/logger';
import type { RedisLink } from '../lib/redis';

export interface RateLimit {
  /** Named in the `rate_limited` security event. */
  name: string;
  windowMs: number;
  /** Requests allowed per key and window. */
  limit: number;
  /** Whose requests are counted together: the client's IP (default) or the signed-in account. */
  per?: 'ip' | 'user';
}

/** What a limiter needs: the logger, and Redis when counters are shared by several instances (REDIS_URL). */
export interface RateLimitContext {
  logger: Logger;
  redis?: RedisLink | null;
}

/**
 * Counters in Redis (rate-limit-redis: one Lua script per hit, so every instance counts the
 * same hits exactly), falling back to this process's counters while Redis does not answer: a
 * request is never refused or failed because Redis is away, and the shared counters are used
 * again as soon as it is back (the scripts are loaded again if Redis lost them or never had them).
 */
class SharedOrLocalStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private readonly local = new MemoryStore();
  private readonly shared: RedisStore;
  private options: Options | undefined;
  private loaded: Promise<boolean> | null = null;

  constructor(
    private readonly redis: RedisLink,
    name: string,
  ) {
    this.prefix = `${redis.prefix}:rl:${name}:`;
    this.shared = new RedisStore({ sendCommand: (command: string, ...args: string[]) => redis.client.call(command, ...args) as never, prefix: this.prefix });
  }

  init(options: Options): void {
    this.options = options;
    this.local.init(options);
  }

  /** Loads the store's scripts once Redis answers (again after a failure). */
  private async sharedReady(): Promise<boolean> {
    if (!this.redis.ready()) return false;
    this.loaded ??= this.shared.init(this.options!).then(
      () => true,
      () => {
        this.loaded = null;
        return false;
      },
    );
    return this.loaded;
  }

  private async either<T>(shared: () => Promise<T>, local: () => T | Promise<T>): Promise<T> {
    if (!(await this.sharedReady())) return local();
    try {
      return await shared();
    } catch {
      this.loaded = null; // load the scripts again next time (Redis may have restarted empty)
      return local();
    }
  }

  increment(key: string): Promise<ClientRateLimitInfo> {
    return this.either(
      () => this.shared.increment(key),
      () => this.local.increment(key),
    );
  }

  async decrement(key: string): Promise<void> {
    await this.either(
      () => this.shared.decrement(key),
      () => this.local.decrement(key),
    );
  }

  async resetKey(key: string): Promise<void> {
    await this.local.resetKey(key);
    await this.either(
      () => this.shared.resetKey(key),
      () => undefined,
    );
  }

  shutdown(): void {
    this.local.shutdown();
  }
}

/**
 * A request limit (express-rate-limit): per process, or exact across instances when Redis is
 * configured (falling back to the process while Redis is away). Over the limit, the request is
 * logged as a `rate_limited` security event and answered 429 by the central error handler,
 * localized, with Retry-After set to the window.
 */
export function rateLimiter({ logger, redis }: RateLimitContext, { name, windowMs, limit, per = 'ip' }: RateLimit): RequestHandler {
  const perUser = per === 'user';
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(redis ? { store: new SharedOrLocalStore(redis, name) } : {}),
    // Keyed by account, never by IP; the IP checks express-rate-limit makes do not apply then.
    ...(perUser ? { keyGenerator: (req: Request) => `user:${req.user?.id ?? 'anonymous'}`, validate: false } : {}),
    handler: (req, res, next, options) => {
      securityEvent(logger, 'rate_limited', { ip: req.ip, ...(perUser ? { userId: req.user?.id ?? null } : {}), limiter: name, path: urlForLog(req.originalUrl) });
      res.set('Retry-After', String(Math.ceil(options.windowMs / 1000)));
      next(new TooManyRequestsError());
    },
  });
}
