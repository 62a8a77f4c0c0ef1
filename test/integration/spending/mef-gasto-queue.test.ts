import { spawn, spawnSync } from 'node:child_process';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';
import { distFile } from '../../helpers/dist';
import { expectedTotals, syntheticFile } from '../../helpers/mef-gasto';
import { describeWithRedis, redisPrefix, redisUrl } from '../../helpers/redis';

const CLI = distFile('src/cli/import.js');

/** `npm run import -- …` as a child process; resolves when it exits (the worker runs in this process meanwhile). */
function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    c.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    c.on('error', reject);
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run import -- mef-gasto --queue without Redis', () => {
  it('when REDIS_URL is unset, then the command refuses with exit 2 and says the queue needs it, in English with --lang en', async () => {
    const file = await syntheticFile({ rows: 50, year: 2024, ubigeos: ['150101'], name: 'noredis' });
    const r = spawnSync(process.execPath, [CLI, 'mef-gasto', file, '--queue', '--lang', 'en'], { env: { ...process.env, REDIS_URL: '', LOG_LEVEL: 'silent' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--queue needs REDIS_URL');
  });
});

describeWithRedis('npm run import -- mef-gasto --queue (a national file through the job queue)', () => {
  eachDialect('%s', (dialect) => {
    let t: TestApp;
    let prefix: string;
    beforeAll(async () => {
      prefix = redisPrefix();
      // The test app is the job worker (as `npm run worker`), on the database the command never opens.
      t = await createTestApp(dialect, { redis: { url: redisUrl!, prefix, owner: true }, worker: true });
    });
    afterAll(() => t.cleanup());

    it('when the command queues a synthetic file, then a worker imports it: the command prints the job id and the import report, the facts match the file, and the audit log has the run as the command line', async () => {
      const file = await syntheticFile({ rows: 2000, year: 2022, ubigeos: ['150101', '150132'], name: 'queued' });
      const r = await runCli(['mef-gasto', file, '--allow-synthetic', '--queue', '--lang', 'en'], { REDIS_URL: redisUrl!, REDIS_PREFIX: prefix });
      expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toMatchObject({ status: 0, stderr: '' });
      expect(r.stdout).toMatch(/^queued: job \d+\n/);
      expect(r.stdout).toMatch(/2,000 rows|2000 rows|2 000 rows/);
      const expected = expectedTotals(file);
      const sums = (await t.db('mef_gasto_facts').where({ year: 2022 }).groupBy('ubigeo').select('ubigeo').sum({ devengado: 'devengado' })) as Array<{ ubigeo: string; devengado: number | string }>;
      expect(Object.fromEntries(sums.map((s) => [s.ubigeo, Number(s.devengado)]))).toEqual(Object.fromEntries([...expected].map(([u, v]) => [u, v.devengado])));
      const audit = await t.db('audit_log').where({ action: 'import.mef_gasto' }).orderBy('id', 'desc').first('actor_user_id', 'actor_role', 'after_json');
      expect([audit.actor_user_id, audit.actor_role]).toEqual([null, 'cli']);
      expect(JSON.parse(audit.after_json)).toMatchObject({ status: 'imported' });
    });

    it('when the queued file is a generator file without --allow-synthetic, then the job refuses it (no retry), the command prints the refusal and exits 1, and nothing of its year is written', async () => {
      const file = await syntheticFile({ rows: 100, year: 2018, ubigeos: ['150101'], name: 'queued-refused' });
      const r = await runCli(['mef-gasto', file, '--queue', '--lang', 'en'], { REDIS_URL: redisUrl!, REDIS_PREFIX: prefix });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^queued: job \d+\n/);
      expect(r.stdout).toContain('SECTOR_NOMBRE');
      const job = await t.background.job(/queued: job (\S+)/.exec(r.stdout)![1]);
      expect([job?.state, job?.attempts, job?.error]).toEqual(['completed', 1, null]);
      expect(await t.db('mef_gasto_facts').where({ year: 2018 }).count({ n: '*' })).toEqual([{ n: 0 }]);
    });
  });
});
