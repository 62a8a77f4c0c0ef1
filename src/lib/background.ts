import type { Job, Worker } from 'bullmq';
import type { Logger } from './logger';
import type { RedisLink } from './redis';

/**
 * Work a request starts but does not wait for. Two kinds:
 *
 * - `run(name, fn)`: a closure for this process only (the token an email carries is made after
 *   the answer, so the answer takes the same time whatever happens).
 * - `enqueue(name, data)`: a named job with plain data, handled by the function `define`d for
 *   that name (imports, score recomputes, every outgoing email), retried with exponential
 *   backoff and kept when it fails for good (the admins' failed-jobs page lists it, with a
 *   retry button). Without Redis the jobs run in this process, one at a time, off the request
 *   path. With Redis (BullMQ) they wait in the queue `<prefix>:bull:jobs` and any number of
 *   worker processes (`npm run worker`) run them; web processes only enqueue. While Redis does
 *   not answer, a web process runs the job itself instead of losing it.
 *
 * A failing job is logged, never surfaced to the requester. `idle()` lets shutdown (and tests)
 * wait for the jobs already started.
 */
export interface JobContext {
  /** 1 for the first run. */
  attempt: number;
  /** No retry follows a failure of this run. */
  last: boolean;
  /** Where a long job tells how far it got (shown by the import's job page through its own row). */
  progress(value: Record<string, number>): Promise<void>;
}

export type JobHandler = (data: Record<string, unknown>, ctx: JobContext) => Promise<unknown>;

export interface FailedJob {
  id: string;
  name: string;
  error: string;
  attempts: number;
  /** ISO-8601 UTC. */
  failedAt: string;
}

/** A queued job as the queue keeps it (`job(id)`): times in ms since the epoch. */
export interface QueuedJob {
  id: string;
  name: string;
  state: 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'prioritized' | 'waiting-children' | 'unknown';
  progress: Record<string, number> | null;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  result: unknown;
  error: string | null;
}

export interface BackgroundOptions {
  /** Shared queue; null: jobs run in this process. */
  redis?: RedisLink | null;
  /** Runs failed attempts again after backoffMs, 2×, 4×… */
  backoffMs?: number;
  attempts?: number;
  /** A worker's lock on the job it runs; a worker that dies loses its jobs after this long (they run again). */
  lockMs?: number;
}

interface LocalJob {
  id: string;
  name: string;
  data: Record<string, unknown>;
  attempts: number;
  error?: string;
  failedAt?: string;
}

const FAILED_KEPT = 200;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 2000);

export function createBackgroundJobs(logger: Logger, { redis = null, backoffMs = 2000, attempts = 3, lockMs = 30_000 }: BackgroundOptions = {}) {
  const running = new Set<Promise<void>>();
  const handlers = new Map<string, JobHandler>();

  function track(p: Promise<void>) {
    const q = p.finally(() => running.delete(q));
    running.add(q);
  }

  async function handle(name: string, data: Record<string, unknown>, ctx: JobContext): Promise<unknown> {
    const h = handlers.get(name);
    if (!h) throw new Error(`no handler for job ${name}`);
    return h(data, ctx);
  }

  // ---- this process: a FIFO run one job at a time ----
  const waiting: LocalJob[] = [];
  const failedHere: LocalJob[] = [];
  let active: Promise<void> | null = null;
  let seq = 0;

  async function runLocal(job: LocalJob) {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const last = attempt === attempts;
      job.attempts = attempt;
      try {
        await handle(job.name, job.data, { attempt, last, progress: async () => undefined });
        return;
      } catch (err) {
        if (last) {
          logger.error({ err, job: job.name, id: job.id, attempts: attempt }, 'background job failed');
          failedHere.unshift({ ...job, error: message(err), failedAt: new Date().toISOString() });
          failedHere.length = Math.min(failedHere.length, FAILED_KEPT);
          return;
        }
        logger.warn({ err, job: job.name, id: job.id, attempt }, 'background job attempt failed; retrying');
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  function kick() {
    if (active) return;
    active = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      while (waiting.length) await runLocal(waiting.shift()!);
      active = null;
    });
    track(active);
  }

  function enqueueLocal(name: string, data: Record<string, unknown>): string {
    const id = `local-${++seq}`;
    waiting.push({ id, name, data, attempts: 0 });
    kick();
    return id;
  }

  // ---- Redis: BullMQ ----
  const queueName = 'jobs';
  const bullPrefix = redis ? `${redis.prefix}:bull` : '';
  // BullMQ is loaded only with Redis: a portal without it does not pay its ~0.1 s of module loading at every start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a conditional load; import() would make this function async
  const bull = redis ? (require('bullmq') as typeof import('bullmq')) : null;
  const queue = redis && bull ? new bull.Queue(queueName, { connection: redis.duplicate(), prefix: bullPrefix }) : null;
  queue?.on('error', () => undefined); // logged by the connection (lib/redis.ts)
  let worker: Worker | null = null;

  const describe = (j: Job): FailedJob => ({
    id: String(j.id),
    name: j.name,
    error: String(j.failedReason ?? '').slice(0, 2000),
    attempts: j.attemptsMade,
    failedAt: new Date(j.finishedOn ?? j.timestamp).toISOString(),
  });

  return {
    backend: redis ? ('redis' as const) : ('process' as const),

    run(name: string, job: () => Promise<void>): void {
      // Started on the next turn, after the handler has sent its answer.
      track(new Promise<void>((resolve) => setImmediate(resolve)).then(job).catch((err: unknown) => logger.error({ err, job: name }, 'background job failed')));
    },

    /** The function that runs jobs of this name (every process defines the same ones: app.ts). */
    define(name: string, handler: JobHandler): void {
      handlers.set(name, handler);
    },

    /** Queues a job; its id. */
    async enqueue(name: string, data: Record<string, unknown>): Promise<string> {
      if (queue && redis?.ready()) {
        try {
          const j = await queue.add(name, data, {
            attempts,
            backoff: { type: 'exponential', delay: backoffMs },
            removeOnComplete: { count: 1000 },
            removeOnFail: { count: 5000 }, // the dead letters, until an admin retries them
          });
          return String(j.id);
        } catch (err) {
          logger.warn({ err, job: name }, 'job queue unavailable; running the job in this process');
        }
      }
      return enqueueLocal(name, data);
    },

    /** With Redis: starts taking jobs from the queue (`npm run worker`, tests). Without: jobs already run here. */
    startWorker(concurrency = 1): void {
      if (!redis || !bull || worker) return;
      worker = new bull.Worker(
        queueName,
        async (job: Job) => {
          const attempt = job.attemptsMade + 1;
          return handle(job.name, job.data as Record<string, unknown>, {
            attempt,
            last: attempt >= (job.opts.attempts ?? 1),
            progress: (v) => job.updateProgress(v),
          });
        },
        {
          connection: redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
          prefix: bullPrefix,
          concurrency,
          lockDuration: lockMs,
          stalledInterval: lockMs,
          maxStalledCount: 1,
        },
      );
      worker.on('failed', (job, err) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        if (final) logger.error({ err, job: job.name, id: job.id, attempts: job.attemptsMade }, 'background job failed');
        else logger.warn({ err, job: job.name, id: job.id, attempt: job.attemptsMade }, 'background job attempt failed; retrying');
      });
      worker.on('error', () => undefined); // connection errors: logged by lib/redis.ts
    },

    /** Jobs that failed every attempt, newest first (here and, with Redis, in the queue). */
    async failed(limit = 100): Promise<FailedJob[]> {
      const here = failedHere.map((j) => ({ id: j.id, name: j.name, error: j.error ?? '', attempts: j.attempts, failedAt: j.failedAt! }));
      const shared = queue && redis?.ready() ? (await queue.getFailed(0, limit - 1)).filter(Boolean).map(describe) : [];
      return [...shared, ...here].sort((a, b) => b.failedAt.localeCompare(a.failedAt)).slice(0, limit);
    },

    /** A job of the shared queue (what the command that queued it waits for); null without Redis or when the queue no longer keeps it. */
    async job(id: string): Promise<QueuedJob | null> {
      if (!queue || !redis?.ready()) return null;
      // The state first: a job read as completed or failed then has its result or error (both are written in one step).
      const state = await queue.getJobState(id);
      const j = await queue.getJob(id);
      if (!j) return null;
      const progress = typeof j.progress === 'object' && j.progress !== null ? (j.progress as Record<string, number>) : null;
      return {
        id: String(j.id),
        name: j.name,
        state,
        progress,
        attempts: j.attemptsMade,
        createdAt: j.timestamp,
        startedAt: j.processedOn ?? null,
        finishedAt: j.finishedOn ?? null,
        result: j.returnvalue ?? null,
        error: j.failedReason ? String(j.failedReason).slice(0, 2000) : null,
      };
    },

    /** Runs a failed job again (all its attempts); false when there is no such failed job. */
    async retry(id: string): Promise<boolean> {
      const i = failedHere.findIndex((j) => j.id === id);
      if (i >= 0) {
        const [j] = failedHere.splice(i, 1);
        waiting.push({ id: j.id, name: j.name, data: j.data, attempts: 0 });
        kick();
        return true;
      }
      if (!queue || !redis?.ready()) return false;
      const j = await queue.getJob(id);
      if (!j || !(await j.isFailed())) return false;
      await j.retry('failed', { resetAttemptsMade: true });
      return true;
    },

    /**
     * Resolves once every job started or queued so far (and any they started) has settled;
     * `{ queue: false }`: only those of this process (the Redis queue's wait for a worker).
     */
    async idle({ queue: shared = true }: { queue?: boolean } = {}): Promise<void> {
      for (;;) {
        while (running.size) await Promise.all([...running]);
        if (!shared || !queue || !redis?.ready()) return;
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (!Object.values(c).some((n) => n > 0)) return;
        await sleep(25);
      }
    },

    get size(): number {
      return running.size + waiting.length;
    },

    /** Stops taking jobs (the running one finishes) and closes the queue. */
    async close(): Promise<void> {
      await worker?.close();
      await queue?.close();
    },
  };
}

export type BackgroundJobs = ReturnType<typeof createBackgroundJobs>;
