import type { Logger } from './logger';

/**
 * Work a request starts but does not wait for (sending mail, and the token it carries): the
 * answer never depends on it, so it takes the same time and reads the same whatever the job
 * does. A failing job is logged, never surfaced to the requester. Jobs live in this process
 * only; `idle()` lets shutdown (and tests) wait for the ones already started.
 */
export function createBackgroundJobs(logger: Logger) {
  const running = new Set<Promise<void>>();
  return {
    run(name: string, job: () => Promise<void>): void {
      // Started on the next turn, after the handler has sent its answer.
      const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(job)
        .catch((err: unknown) => logger.error({ err, job: name }, 'background job failed'))
        .finally(() => running.delete(p));
      running.add(p);
    },
    /** Resolves once every job started so far (and any they started) has settled. */
    async idle(): Promise<void> {
      while (running.size) await Promise.all([...running]);
    },
    get size(): number {
      return running.size;
    },
  };
}

export type BackgroundJobs = ReturnType<typeof createBackgroundJobs>;
