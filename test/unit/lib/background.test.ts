import { createBackgroundJobs } from '../../../src/lib/background';
import { createLogger } from '../../../src/lib/logger';

const logger = createLogger('silent');

describe('background jobs in this process (no REDIS_URL)', () => {
  it('when jobs are queued, then they run one at a time, in order, after the caller has gone on', async () => {
    const jobs = createBackgroundJobs(logger, { backoffMs: 1 });
    const events: string[] = [];
    jobs.define('step', async (d) => {
      events.push(`start ${String(d.n)}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${String(d.n)}`);
    });
    await jobs.enqueue('step', { n: 1 });
    await jobs.enqueue('step', { n: 2 });
    events.push('caller went on');
    await jobs.idle();
    expect(events).toEqual(['caller went on', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('when a job fails and then succeeds, then it is retried and not listed as failed; when it fails every attempt, then it is listed with its error and a retry runs it again', async () => {
    const jobs = createBackgroundJobs(logger, { backoffMs: 1, attempts: 3 });
    let calls = 0;
    let failUntil = 2;
    jobs.define('flaky', async (_d, ctx) => {
      calls++;
      if (calls <= failUntil) throw new Error(`attempt ${ctx.attempt} failed${ctx.last ? ' (last)' : ''}`);
    });
    await jobs.enqueue('flaky', {});
    await jobs.idle();
    expect(calls).toBe(3);
    expect(await jobs.failed()).toEqual([]);

    calls = 0;
    failUntil = 3;
    const id = await jobs.enqueue('flaky', {});
    await jobs.idle();
    expect(calls).toBe(3);
    const failed = await jobs.failed();
    expect(failed.map((f) => [f.id, f.name, f.error, f.attempts])).toEqual([[id, 'flaky', 'Error: attempt 3 failed (last)', 3]]);

    calls = 0;
    failUntil = 0;
    expect(await jobs.retry(id)).toBe(true);
    await jobs.idle();
    expect(calls).toBe(1);
    expect(await jobs.failed()).toEqual([]);
    expect(await jobs.retry(id)).toBe(false);
  });

  it('when a job has no handler defined, then it fails (listed) instead of vanishing', async () => {
    const jobs = createBackgroundJobs(logger, { backoffMs: 1, attempts: 1 });
    await jobs.enqueue('nobody', {});
    await jobs.idle();
    expect((await jobs.failed()).map((f) => f.error)).toEqual(['Error: no handler for job nobody']);
  });
});
