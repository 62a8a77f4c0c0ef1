import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db';
import { createBackgroundJobs, QueuedJob } from '../src/lib/background';
import { createLogger } from '../src/lib/logger';
import { connectRedis } from '../src/lib/redis';
import { generateMefGasto } from '../src/modules/spending';
import type { MefGastoJobResult } from '../src/modules/spending';
import {
  cpuSeconds,
  distSrc,
  dropRedisPrefix,
  freePort,
  freshDatabase,
  loadLine,
  log,
  machine,
  mysqlAdmin,
  mysqlBase,
  portalEnv,
  processes,
  scriptFlags,
  sleep,
  vm,
  waitReady,
  writeResult,
} from './harness';
import { LoadFigures, loadRandom, loadRandomUntil, longTailUrls } from './long-tail';

/**
 * `npm run bench -- import [--no-direct]`: a national MEF gasto file (SYNTHETIC, BENCH_ROWS lines,
 * default 2 000 000) through the deployment path of the README, on SQLite (one shared file, WAL)
 * and on a fresh MariaDB database (BENCH_MYSQL_URL; skipped when unreachable):
 *
 * - a web process (dist/src/server.js, `npm start`'s flags, response cache OFF so every read is a
 *   render) and a job worker (dist/src/cli/worker.js, `npm run worker`'s flags), both with
 *   REDIS_URL (BENCH_REDIS_URL, default redis://127.0.0.1:6379) under a prefix of their own;
 * - the import queued as an admin queues a national file: `npm run import -- mef-gasto <file>
 *   --allow-synthetic --queue` (national files do not go through the web upload, which takes one
 *   municipality's rows up to UPLOAD_MAX_BYTES);
 * - rows/s = rows ÷ the job's wall time (its own timestamps in the queue: picked up → finished,
 *   score recompute included), the worker's peak RSS (VmHWM) and its VmRSS sampled every 250 ms;
 * - readers: autocannon at c=BENCH_IMPORT_CONNECTIONS (20) on municipality pages drawn uniformly at
 *   random (both languages), for BENCH_DURATION s (10) just before the import, then for exactly
 *   as long as the job runs: req/s, p50, p99 of each.
 *
 * Then, unless `--no-direct`, the same file imported directly in a child process (the earlier
 * figure: no queue, no web process). Targets: ≥ 50 000 rows/s on SQLite, ≥ 25 000 on MariaDB,
 * worker peak RSS < 300 MB and flat, readers' p99 ≤ 100 ms during the import. A miss is printed as
 * such. Results: bench/results/import.json with the machine's load average.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 2_000_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_IMPORT_CONNECTIONS ?? 20);
/** BENCH_WORKER_NICE=N: the worker runs with JOB_NICE=N instead of its default (the readers' share of the CPU against the import's). */
const WORKER_NICE = process.env.BENCH_WORKER_NICE ? Number(process.env.BENCH_WORKER_NICE) : undefined;
const TARGET_ROWS_S: Record<Dialect, number> = { sqlite: 50_000, mariadb: 25_000 };
const TARGET_RSS_MB = 300;
const TARGET_P99_MS = 100;

type Dialect = 'sqlite' | 'mariadb';

interface QueuedRun {
  dialect: Dialect;
  /** The job ran more than once: its timestamps time only the last run, so rows/s is not measured. */
  picked_up_again: boolean;
  /** The worker's niceness as the system reports it (JOB_NICE; BENCH_WORKER_NICE overrides its default). */
  worker_nice: number;
  rows: number;
  facts: number;
  status: string;
  /** Picked up by the worker → finished (the queue's timestamps). */
  job_seconds: number;
  rows_per_second: number;
  /** The importer's own time (without the score recompute after it). */
  importer_seconds: number;
  importer_rows_per_second: number;
  /** Queued → picked up. */
  wait_ms: number;
  /** CPU the worker used during the job (all its threads) and per row: what the load of the machine does not change. */
  worker_cpu_seconds: number;
  worker_cpu_us_per_row: number;
  worker: { peak_rss_mb: number; rss_idle_mb: number; rss_samples_mb: { min: number; max: number; p50: number; count: number; every_ms: number; series: number[] } };
  readers: { connections: number; urls: number; before: LoadFigures; during: LoadFigures & { seconds: number } };
  loadavg_after: number[];
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** One queued import against a fresh database of `dialect`. */
async function queuedRun(dialect: Dialect, file: string, dir: string, redisUrl: string): Promise<QueuedRun> {
  const name = `ra_bench_import_${process.pid}_${dialect}`;
  const database = await freshDatabase(dialect, dir, name);
  const prefix = `ra-bench-import-${process.pid}-${dialect}`;
  const procs = processes(path.join(dir, `${dialect}.log`));
  const redis = connectRedis({ url: redisUrl, prefix }, createLogger('silent'));
  const jobs = createBackgroundJobs(createLogger('silent'), { redis });
  try {
    const env = portalEnv(database.url, path.join(dir, dialect), { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, RESPONSE_CACHE_MS: '0' });
    fs.mkdirSync(path.join(dir, dialect), { recursive: true });
    // The web process first: it migrates and loads the reference data; then the worker.
    const port = await freePort();
    const web = procs.node(distSrc('server.js'), { ...env, PORT: String(port) }, { flags: scriptFlags('start') });
    await waitReady(`http://127.0.0.1:${port}/readyz`, web);
    const worker = procs.node(distSrc('cli', 'worker.js'), WORKER_NICE === undefined ? env : { ...env, JOB_NICE: String(WORKER_NICE) }, { flags: scriptFlags('worker'), pipe: true });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      worker.stdout!.on('data', (d: Buffer) => {
        out += String(d);
        if (/worker \d+ ready/.test(out)) resolve();
      });
      worker.on('exit', (code) => reject(new Error(`worker exited with code ${code}`)));
    });
    if (!(await redis.whenReady(5000))) throw new Error(`Redis does not answer at ${redisUrl}`);
    const workerNice = os.getPriority(worker.pid);

    const urlDb = createDb(loadConfig({ ...env, LOG_LEVEL: 'silent' }).db);
    const urls = (await longTailUrls(urlDb).finally(() => urlDb.destroy())).municipality;
    const base = `http://127.0.0.1:${port}`;
    if (WARMUP > 0) await loadRandom(base, urls, WARMUP, CONNECTIONS, 1);
    const before = await loadRandom(base, urls, DURATION, CONNECTIONS, 1);
    log(`  ${dialect}: readers before the import: ${before.rps} req/s, p50 ${before.p50_ms} ms, p99 ${before.p99_ms} ms (c=${CONNECTIONS}, ${urls.length} municipality URLs)`);
    const rssIdle = vm(worker.pid!, 'VmRSS');
    const cpu0 = cpuSeconds(worker.pid!);

    // Queued as an admin queues a national file: the command line's --queue (it waits and prints the report).
    const submit = procs.node(distSrc('cli', 'import.js'), { ...env, LANG: 'en' }, { args: ['mef-gasto', file, '--allow-synthetic', '--queue', '--lang', 'en'], pipe: true, command: true });
    let printed = '';
    submit.stdout!.on('data', (d: Buffer) => (printed += String(d)));
    const submitted = new Promise<number | null>((resolve) => submit.on('exit', resolve));
    let id: string | null = null;
    while (!id) {
      id = /queued: job (\S+)/.exec(printed)?.[1] ?? null;
      if (!id && submit.exitCode !== null) throw new Error(`the import command exited ${submit.exitCode}: ${printed}`);
      await sleep(20);
    }

    // The worker's memory while it runs, and the readers for exactly as long as the job runs.
    const series: number[] = [];
    const every = 250;
    const sampler = setInterval(() => series.push(round(vm(worker.pid!, 'VmRSS'), 0)), every);
    let job: QueuedJob | null = null;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    let during: Promise<LoadFigures & { seconds: number }> | null = null;
    try {
      for (;;) {
        job = await jobs.job(id);
        if (job?.state === 'active' && !during) during = loadRandomUntil(base, urls, CONNECTIONS, finished, before.rps);
        if (job?.state === 'completed' || job?.state === 'failed' || !job) break;
        await sleep(100);
      }
    } finally {
      finish();
      clearInterval(sampler);
    }
    const peak = vm(worker.pid!, 'VmHWM');
    const cpu = cpuSeconds(worker.pid!) - cpu0;
    const readers = during ? await during : null;
    await submitted;
    if (!job || job.state !== 'completed') throw new Error(`the import job ${id} did not complete: ${job?.state ?? 'gone'} ${job?.error ?? ''}`);
    if (!readers) throw new Error('the job was never seen running');
    const result = job.result as MefGastoJobResult;
    // A job run more than once (its lock lost while the worker was busy) times only its last run.
    const again = job.attempts > 1 || result.status !== 'imported' || job.startedAt! - job.createdAt > 5000;
    if (again)
      log(
        `  ${dialect}: WARNING the job was picked up again (attempts ${job.attempts}, queued → last start ${round((job.startedAt! - job.createdAt) / 1000)} s, status ${result.status}): rows/s below is of the last run only`,
      );
    const jobSeconds = (job.finishedAt! - job.startedAt!) / 1000;
    const sorted = [...series].sort((a, b) => a - b);
    const step = Math.max(1, Math.ceil(series.length / 40));
    return {
      dialect,
      picked_up_again: again,
      worker_nice: workerNice,
      rows: result.rows,
      facts: result.facts,
      status: result.status,
      job_seconds: round(jobSeconds),
      rows_per_second: Math.round(result.rows / jobSeconds),
      importer_seconds: round(result.seconds),
      importer_rows_per_second: Math.round(result.rows / result.seconds),
      wait_ms: job.startedAt! - job.createdAt,
      worker_cpu_seconds: round(cpu),
      worker_cpu_us_per_row: round((cpu / result.rows) * 1e6),
      worker: {
        peak_rss_mb: Math.round(peak),
        rss_idle_mb: Math.round(rssIdle),
        rss_samples_mb: {
          min: sorted[0] ?? 0,
          max: sorted[sorted.length - 1] ?? 0,
          p50: sorted[Math.floor(sorted.length / 2)] ?? 0,
          count: series.length,
          every_ms: every,
          series: series.filter((_, i) => i % step === 0),
        },
      },
      readers: { connections: CONNECTIONS, urls: urls.length, before, during: readers },
      loadavg_after: machine().loadavg,
    };
  } finally {
    await jobs.close().catch(() => undefined);
    await redis.close().catch(() => undefined);
    await procs.stopAll(1000);
    await dropRedisPrefix(redisUrl, prefix);
    await database.drop();
  }
}

/** The earlier figure: the same file imported directly (bench/import-child.ts), no queue, no web process. */
async function directRun(dialect: Dialect, file: string, dir: string) {
  const database = await freshDatabase(dialect, dir, `ra_bench_direct_${process.pid}_${dialect}`);
  try {
    const out = execFileSync(process.execPath, [...scriptFlags('import'), path.join(__dirname, 'import-child.js'), database.url, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { rows: number; seconds: number; rowsPerSecond: number; peakRssMb: number; cpuSeconds: number; status: string };
    return { dialect, rows: r.rows, seconds: round(r.seconds), rows_per_second: r.rowsPerSecond, peak_rss_mb: r.peakRssMb, cpu_seconds: r.cpuSeconds, status: r.status };
  } finally {
    await database.drop();
  }
}

export async function benchImport(args: string[]): Promise<number> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-bench-import-'));
  // --sqlite or --mariadb: that database only (both by default).
  const dialects: Dialect[] = args.includes('--mariadb') ? [] : ['sqlite'];
  /** MariaDB's page cache: a national fact table outgrows the default 128 MB (see the README). */
  let bufferPoolMb: number | null = null;
  if (!args.includes('--sqlite')) {
    try {
      const admin = await mysqlAdmin(mysqlBase());
      const [rows] = (await admin.query('SELECT @@innodb_buffer_pool_size AS size')) as unknown as [Array<{ size: number | string }>];
      bufferPoolMb = Math.round(Number(rows[0].size) / 2 ** 20);
      await admin.end();
      dialects.push('mariadb');
      log(`MariaDB innodb_buffer_pool_size: ${bufferPoolMb} MB`);
    } catch {
      log(`MariaDB not reachable at ${mysqlBase().host}: MariaDB runs SKIPPED`);
    }
  }
  try {
    const file = path.join(dir, `gasto-${ROWS}.csv`);
    const g = await generateMefGasto({ rows: ROWS, year: 2024, out: file });
    log(`generated SYNTHETIC ${path.basename(file)}: ${g.rows} rows, ${(g.bytes / 1e6).toFixed(0)} MB, ${g.municipalities.length} municipalities`);
    const queued: QueuedRun[] = [];
    const direct: Awaited<ReturnType<typeof directRun>>[] = [];
    for (const d of dialects) {
      queued.push(await queuedRun(d, file, dir, redisUrl));
      // Kept after each database, so that a run cut short still leaves its figures.
      writeResult('import.json', { partial: true, file: { rows: ROWS }, machine: machine(), mariadb_buffer_pool_mb: bufferPoolMb, queued, date: new Date().toISOString() });
      if (!args.includes('--no-direct')) direct.push(await directRun(d, file, dir));
    }

    log('');
    log(
      `SYNTHETIC national file, ${ROWS} rows (${(g.bytes / 1e6).toFixed(0)} MB), queued with --queue, run by one worker; readers at c=${CONNECTIONS} on random municipality pages, response cache off`,
    );
    log(
      `${'database'.padEnd(9)} ${'rows/s'.padStart(7)} ${'job s'.padStart(6)} ${'importer'.padStart(8)} ${'RSS peak'.padStart(8)} ${'RSS min–max'.padStart(11)} | ${'before: req/s'.padStart(13)} ${'p50'.padStart(5)} ${'p99'.padStart(5)} | ${'during: req/s'.padStart(13)} ${'p50'.padStart(5)} ${'p99'.padStart(5)}`,
    );
    for (const r of queued) {
      const w = r.worker.rss_samples_mb;
      log(
        `${r.dialect.padEnd(9)} ${String(r.rows_per_second).padStart(7)} ${String(r.job_seconds).padStart(6)} ${`${r.importer_rows_per_second}/s`.padStart(8)} ${`${r.worker.peak_rss_mb} MB`.padStart(8)} ${`${w.min}–${w.max}`.padStart(11)} | ${String(r.readers.before.rps).padStart(13)} ${String(r.readers.before.p50_ms).padStart(5)} ${String(r.readers.before.p99_ms).padStart(5)} | ${String(r.readers.during.rps).padStart(13)} ${String(r.readers.during.p50_ms).padStart(5)} ${String(r.readers.during.p99_ms).padStart(5)}${r.readers.before.non2xx + r.readers.during.non2xx ? `  (${r.readers.before.non2xx + r.readers.during.non2xx} non-2xx/errors!)` : ''}`,
      );
    }
    for (const r of queued) log(`the worker ran at niceness ${r.worker_nice} (JOB_NICE${WORKER_NICE === undefined ? "'s default" : ', from BENCH_WORKER_NICE'})`);
    for (const r of queued) log(`worker CPU, ${r.dialect}: ${r.worker_cpu_seconds} s for ${r.rows} rows (${r.worker_cpu_us_per_row} µs a row, all threads): what the machine's load does not change`);
    for (const r of direct) log(`direct import (no queue, no web process), ${r.dialect}: ${r.rows_per_second} rows/s, ${r.seconds} s, peak RSS ${r.peak_rss_mb} MB, ${r.cpu_seconds} CPU-s`);
    log('');
    for (const r of queued) {
      const checks: Array<[boolean, string]> = [
        [r.rows_per_second >= TARGET_ROWS_S[r.dialect], `${r.rows_per_second} rows/s (target ≥ ${TARGET_ROWS_S[r.dialect]})`],
        [r.worker.peak_rss_mb < TARGET_RSS_MB, `worker peak RSS ${r.worker.peak_rss_mb} MB (target < ${TARGET_RSS_MB})`],
        [r.readers.during.p99_ms <= TARGET_P99_MS, `readers' p99 during the import ${r.readers.during.p99_ms} ms (target ≤ ${TARGET_P99_MS})`],
      ];
      if (r.picked_up_again) checks[0] = [false, `rows/s NOT MEASURED: the job was picked up again (see the warning above)`];
      for (const [ok, text] of checks) log(`${ok ? 'MET ' : 'MISS'} ${r.dialect}: ${text}`);
    }
    log(`${loadLine()} (figures fall when the CPUs are shared: read them with the load)`);
    writeResult('import.json', {
      what: 'npm run bench -- import: a SYNTHETIC national MEF gasto file through the job queue (web process + worker + Redis), readers during the import',
      file: { rows: ROWS, mb: Math.round(g.bytes / 1e6), municipalities: g.municipalities.length },
      machine: machine(),
      mariadb_buffer_pool_mb: bufferPoolMb,
      targets: { rows_per_second: TARGET_ROWS_S, worker_peak_rss_mb: TARGET_RSS_MB, readers_p99_ms: TARGET_P99_MS },
      queued,
      direct,
      date: new Date().toISOString(),
    });
    return queued.some((r) => r.readers.before.non2xx + r.readers.during.non2xx > 0) ? 1 : 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
