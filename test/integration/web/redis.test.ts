import { ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { Config } from '../../../src/config';
import { csrfFrom, formToken, sessionCookie } from '../../helpers/accounts';
import { anotherInstance, createTestApp } from '../../helpers/app';
import { dialects } from '../../helpers/db';
import { distFile } from '../../helpers/dist';
import { createProcessAndItem, editItemTitle, idFrom, official } from '../../helpers/participation';
import { describeWithRedis, dropPrefix, redisPrefix, redisUrl } from '../../helpers/redis';
import { startProxy } from '../../helpers/tcp-proxy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => Promise<T | false | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The password-reset form (5 an hour per IP here): answers 200 whatever the address, so only the limit makes a difference. */
async function resetForm(app: Parameters<typeof request>[0]) {
  const page = await request(app).get('/es/contrasena/olvido').expect(200);
  return { cookie: sessionCookie(page)!, csrf: csrfFrom(page.text) };
}
const forgot = (app: Parameters<typeof request>[0], form: { cookie: string; csrf: string }) =>
  request(app).post('/es/contrasena/olvido').set('Cookie', form.cookie).type('form').send({ _csrf: form.csrf, email: 'nobody@example.pe' });
const PB = '/es/presupuesto-participativo?ubigeo=150101';
const CACHE: Partial<Config> = { responseCache: { ttlMs: 60_000, maxBytes: 8 * 1024 * 1024 } };

/** The item form of an existing item, with a new title (an official's edit of a public page). */

describeWithRedis('several instances sharing one Redis (REDIS_URL)', () => {
  const url = redisUrl!;

  describe('rate limits', () => {
    it('when one client posts the password-reset form to two instances in turn, then the limit (5 an hour) counts both: the 6th request is refused with 429 whichever instance gets it; without Redis each instance lets its own 5 through', async () => {
      const prefix = redisPrefix();
      const a = await createTestApp('sqlite', { seed: false, redis: { url, prefix, owner: true }, formLimits: { resetPerHour: 5 } });
      const b = anotherInstance(a, { formLimits: { resetPerHour: 5 } });
      const alone = await createTestApp('sqlite', { seed: false, formLimits: { resetPerHour: 5 } });
      const other = anotherInstance(alone, { formLimits: { resetPerHour: 5 } });
      try {
        const form = await resetForm(a.app); // the session is in the shared database: valid on both
        const shared: number[] = [];
        for (let i = 0; i < 8; i++) shared.push((await forgot(i % 2 ? b.app : a.app, form)).status);
        expect(shared).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
        const form2 = await resetForm(alone.app);
        const separate: number[] = [];
        for (let i = 0; i < 8; i++) separate.push((await forgot(i % 2 ? other.app : alone.app, form2)).status);
        expect(separate).toEqual([200, 200, 200, 200, 200, 200, 200, 200]); // 4 each: under each process's own 5
      } finally {
        await Promise.all([b.cleanup(), other.cleanup()]);
        await Promise.all([a.cleanup(), alone.cleanup()]);
      }
    });

    it('when Redis goes away, then pages and forms still answer (never 500), limits count in the process and /readyz says redis unavailable; when it comes back, the shared counters are used again without a restart', async () => {
      const prefix = redisPrefix();
      const proxy = await startProxy('127.0.0.1', Number(new URL(url).port || 6379));
      const t = await createTestApp('sqlite', { seed: false, redis: { url: `redis://127.0.0.1:${proxy.port}`, prefix }, formLimits: { resetPerHour: 3 } });
      const direct = new Redis(url);
      try {
        await until('redis ready', async () => t.redis!.ready());
        expect((await request(t.app).get('/readyz').expect(200)).body).toEqual({ status: 'ready', redis: 'ok' });
        await proxy.cut();
        await until('redis seen as down', async () => !t.redis!.ready());
        expect((await request(t.app).get('/readyz').expect(200)).body).toEqual({ status: 'ready', redis: 'unavailable' });
        await request(t.app).get('/es/acerca').expect(200);
        const form = await resetForm(t.app);
        const down: number[] = [];
        for (let i = 0; i < 4; i++) down.push((await forgot(t.app, form)).status);
        expect(down).toEqual([200, 200, 200, 429]); // counted in this process meanwhile
        expect(await direct.keys(`${prefix}:rl:*`)).toEqual([]);

        await proxy.restore();
        await until('redis back', async () => t.redis!.ready(), 15_000);
        expect((await request(t.app).get('/readyz').expect(200)).body).toEqual({ status: 'ready', redis: 'ok' });
        expect((await forgot(t.app, form)).status).toBe(200); // counted in Redis again, from zero
        const keys = await direct.keys(`${prefix}:rl:reset:*`);
        expect(keys).toHaveLength(1);
        expect(await direct.get(keys[0])).toBe('1');
      } finally {
        direct.disconnect();
        await t.cleanup();
        await proxy.cut();
        await dropPrefix(url, prefix);
      }
    }, 60_000);
  });

  describe.each(dialects().map((d) => [d]))('on %s', (dialect) => {
    it("when an official saves an edit through instance A, then instance B's cached copy of the public page is emptied at once (not after its 60 s time to live); without Redis B keeps serving the old copy", async () => {
      const a = await createTestApp(dialect, { redis: { url, prefix: redisPrefix(), owner: true }, config: CACHE });
      const b = anotherInstance(a);
      const alone = await createTestApp(dialect, { config: CACHE });
      const other = anotherInstance(alone);
      try {
        for (const [t, second, title] of [
          [a, b, 'Editado en la instancia A'],
          [alone, other, 'Editado sin Redis'],
        ] as const) {
          const item = await t.db('pb_items').where({ ubigeo: '150101' }).orderBy('id').first();
          await request(second.app).get(PB).expect(200);
          expect((await request(second.app).get(PB).expect(200)).headers['x-response-cache']).toBe('hit');
          const agent = await official(t, `cache-${title.length}@example.pe`, '150101');
          await editItemTitle(t, agent, '150101', item.id, title);
          if (t === a) {
            const started = Date.now();
            const fresh = await until('B shows the edit', async () => {
              const r = await request(second.app).get(PB).expect(200);
              return r.text.includes(title) && r;
            });
            expect(fresh.headers['x-response-cache']).toBe('miss');
            expect(Date.now() - started).toBeLessThan(2000);
          } else {
            await sleep(300);
            const stale = await request(second.app).get(PB).expect(200);
            expect(stale.headers['x-response-cache']).toBe('hit');
            expect(stale.text).not.toContain(title);
          }
        }
      } finally {
        await Promise.all([b.cleanup(), other.cleanup()]);
        await Promise.all([a.cleanup(), alone.cleanup()]);
      }
    }, 60_000);

    it('when the worker running an import is killed mid-import, then nothing of it is written, and after its lock expires another worker runs the job again to the end (one audit entry, lock released)', async () => {
      const prefix = redisPrefix();
      const U = '140120';
      const ROWS = 900; // priorities 2..901 (at most 999)
      const t = await createTestApp(dialect, { redis: { url, prefix, owner: true }, config: { importMaxRows: ROWS, importsPerHour: 100, jobs: { attempts: 3, lockMs: 1500 } } });
      let child: ChildProcess | null = null;
      try {
        const agent = await official(t, 'killed-worker@example.pe', U);
        await createProcessAndItem(t, agent, U, { priority: '1' });
        const items = async () => Number((await t.db('pb_items').where({ ubigeo: U }).count({ n: '*' }).first())!.n);
        expect(await items()).toBe(1);
        const db = t.config.db;
        const env = {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: db.client === 'sqlite' ? `sqlite:${db.filename}` : db.url,
          REDIS_URL: url,
          REDIS_PREFIX: prefix,
          JOB_LOCK_MS: '1500',
          LOAD_REFERENCE_DATA: 'false',
          IMPORT_MAX_ROWS: String(ROWS),
          UPLOADS_DIR: t.config.uploadsDir,
          LOG_LEVEL: 'silent',
        };
        const worker = spawn(process.execPath, [distFile('src/cli/worker.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        child = worker;
        await new Promise<void>((resolve, reject) => {
          worker.stdout!.on('data', (d: Buffer) => String(d).includes('ready') && resolve());
          worker.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
        });
        // JOB_NICE's default: the worker yields the CPU to web processes on the same host.
        expect(os.getPriority(worker.pid!)).toBe(10);

        const csv = `year,priority,title_es,total_cost,status,progress_pct\n${Array.from({ length: ROWS }, (_, i) => `2025,${i + 2},Obra ${i + 2},${1000 + i}.50,en_ejecucion,10`).join('\n')}\n`;
        const token = await formToken(agent, `/es/gestion/${U}/participacion`);
        const posted = await agent.post(`/es/gestion/${U}/importar`).field('_csrf', token).field('kind', 'items').attach('file', Buffer.from(csv), { filename: 'items.csv', contentType: 'text/csv' });
        expect(posted.status).toBe(303); // answered at once: the import is the worker's
        const id = idFrom(posted.headers.location);
        await until('the import to be under way', async () => {
          const row = await t.db('import_jobs').where({ id }).first();
          return row.status === 'running' && row.rows_read > 0;
        });
        worker.kill('SIGKILL');
        await new Promise((r) => worker.once('exit', r));
        child = null;

        const dead = await t.db('import_jobs').where({ id }).first();
        expect([dead.status, dead.attempts]).toEqual(['running', 1]);
        expect(await items()).toBe(1); // nothing half-written
        expect(await t.db('audit_log').where({ action: 'import.participation_items' })).toHaveLength(0);

        t.background.startWorker(); // a second worker (this process)
        const done = await until(
          'the job to run again to the end',
          async () => {
            const row = await t.db('import_jobs').where({ id }).first();
            return ['done', 'rejected', 'failed'].includes(row.status) && row;
          },
          45_000,
        );
        expect([done.status, done.attempts, done.payload]).toEqual(['done', 2, null]);
        expect(await items()).toBe(1 + ROWS);
        expect(await t.db('audit_log').where({ action: 'import.participation_items' })).toHaveLength(1);
        expect(await t.db('import_locks')).toHaveLength(0);
        const page = await agent.get(posted.headers.location).expect(200);
        expect(page.text).toContain(`${ROWS} creados, 0 actualizados, 0 sin cambios`);
        expect(page.text).not.toContain('http-equiv="refresh"');
      } finally {
        child?.kill('SIGKILL');
        await t.cleanup();
      }
    }, 120_000);
  });
});
