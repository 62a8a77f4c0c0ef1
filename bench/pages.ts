import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db';
import { PAGE_PATHS } from '../src/i18n/paths';
import { createLogger } from '../src/lib/logger';
import { generateMefGasto, importMefGasto } from '../src/modules/spending';

/**
 * `npm run bench -- pages [--mysql]`: every main page of the portal under load, against a bare
 * Express app answering a fixed string, measured in the same run on the same machine.
 *
 * The database is national scale: the 1 891 municipalities of the bundled reference data plus
 * SYNTHETIC detailed spending (BENCH_FACT_ROWS rows, default 2 000 000) loaded through the real
 * importer. The portal runs as in production (NODE_ENV=production, one process). autocannon
 * drives each URL with 50 connections for BENCH_DURATION seconds (default 10) after a 2 s
 * warm-up. BENCH_CACHE_DIR keeps the built SQLite database between runs (same row count).
 * MariaDB: BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306).
 */
const FACT_ROWS = Number(process.env.BENCH_FACT_ROWS ?? 2_000_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const PAGES: Array<{ name: string; path: string }> = [
  { name: 'home', path: '/es/' },
  { name: 'national ranking', path: '/es/ejecucion?level=municipality' },
  { name: 'department', path: '/es/departamentos/15' },
  { name: 'municipality', path: '/es/municipalidades/150101' },
  { name: 'spending by function', path: '/es/municipalidades/150101/gasto?by=function' },
  { name: 'spending by project', path: '/es/municipalidades/150101/gasto?by=project' },
  { name: 'compare 4', path: '/es/comparar?u=150101&u=010101&u=040101&u=130101' },
  { name: 'api execution json', path: '/api/v1/execution?level=municipality' },
  { name: 'api execution csv', path: '/api/v1/execution?level=municipality&format=csv' },
  { name: 'api spending json', path: '/api/v1/municipalities/150101/spending?by=function' },
  { name: 'api spending csv', path: '/api/v1/municipalities/150101/spending?by=function&format=csv' },
];
/** Pages of modules still being written; benchmarked once their page exists in this build. */
const OPTIONAL: Array<{ page: string; name: string; path: (p: string) => string }> = [
  { page: 'participation', name: 'participatory budget', path: (p) => `/es${p}` },
  { page: 'scores', name: 'ratings', path: (p) => `/es${p}` },
];

interface PageResult {
  name: string;
  path: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  bytes_gzip: number;
  ratio: number;
  non2xx: number;
}

const log = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, headers: res.headers }));
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error(`timeout ${url}`)));
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 300000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      if ((await get(url)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(25);
  }
  throw new Error(`not ready after ${timeoutMs} ms: ${url}`);
}

function vm(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function load(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, timeout: 60, headers: { 'accept-encoding': 'gzip' } });
}

/**
 * Warm-up, then waits until the server has answered the warm-up's queued requests (a request
 * to `drainUrl` queues behind them), then the measured run. req/s = completed responses /
 * duration, so a page slower than the run still shows its rate.
 */
async function measure(url: string, drainUrl: string): Promise<{ rps: number; p50: number; p99: number; non2xx: number }> {
  if (WARMUP > 0) {
    await load(url, WARMUP);
    await get(drainUrl);
  }
  const r = await load(url, DURATION);
  await get(drainUrl);
  return { rps: Math.round((r.requests.total / r.duration) * 10) / 10, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors + r.timeouts };
}

async function buildDatabase(url: string, dir: string): Promise<{ facts: number; seconds: number }> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), SMTP_HOST: 'localhost', DATABASE_URL: url });
  const db = createDb(config.db);
  try {
    await prepareDatabase(db, createLogger('silent'), true);
    if (FACT_ROWS <= 0) return { facts: 0, seconds: 0 };
    const file = path.join(dir, 'gasto.csv');
    const municipalities = Math.min(1891, Math.max(1, Math.round(FACT_ROWS / 1000)));
    const g = await generateMefGasto({ rows: FACT_ROWS, year: 2024, out: file, municipalities });
    log(`generated SYNTHETIC MEF gasto: ${g.rows} rows, ${(g.bytes / 1e6).toFixed(0)} MB, ${g.municipalities.length} municipalities`);
    const report = await importMefGasto(db, file, { allowSynthetic: true });
    fs.rmSync(file, { force: true });
    log(`imported (allow-synthetic): ${report.status}, ${report.facts} fact rows in ${report.seconds.toFixed(1)} s`);
    return { facts: report.facts, seconds: report.seconds };
  } finally {
    await db.destroy();
  }
}

async function mysqlAdmin(url: URL) {
  return mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), connectTimeout: 2000 });
}

export async function benchPages(args: string[]): Promise<number> {
  const useMysql = args.includes('--mysql');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-bench-pages-'));
  const children: ChildProcess[] = [];
  let dropDb: () => Promise<void> = async () => undefined;
  try {
    let url: string;
    let database: string;
    if (useMysql) {
      const base = new URL(process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
      const admin = await mysqlAdmin(base);
      const name = `ra_bench_pages_${process.pid}`;
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      dropDb = async () => {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.end();
      };
      const u = new URL(base.toString());
      u.pathname = `/${name}`;
      url = u.toString();
      database = 'mariadb';
      await buildDatabase(url, dir);
    } else {
      const file = path.join(dir, 'bench.sqlite');
      url = `sqlite:${file}`;
      database = 'sqlite';
      const cached = process.env.BENCH_CACHE_DIR ? path.join(process.env.BENCH_CACHE_DIR, `national-${FACT_ROWS}.sqlite`) : null;
      if (cached && fs.existsSync(cached)) {
        fs.copyFileSync(cached, file);
        log(`database: copied ${cached}`);
      } else {
        await buildDatabase(url, dir);
        if (cached) {
          fs.mkdirSync(path.dirname(cached), { recursive: true });
          fs.copyFileSync(file, cached);
        }
      }
    }
    database = `${database}, 1891 municipalities, ${FACT_ROWS} synthetic MEF gasto rows`;

    // The portal, as in production: one process, production configuration, logs to a file.
    const port = await freePort();
    const logFile = fs.openSync(path.join(dir, 'server.log'), 'a');
    const t0 = Date.now();
    const server = spawn(process.execPath, [path.resolve(__dirname, '..', 'src', 'server.js')], {
      env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, SESSION_SECRET: 'bench-'.padEnd(40, 'x'), SMTP_HOST: '127.0.0.1', DATA_DIR: dir, OUTBOX_DIR: path.join(dir, 'outbox') },
      stdio: ['ignore', logFile, logFile],
    });
    children.push(server);
    await waitReady(`http://127.0.0.1:${port}/readyz`, server);
    const coldStartMs = Date.now() - t0;
    log(`portal ready in ${coldStartMs} ms (pid ${server.pid})`);

    const basePort = await freePort();
    const baseline = spawn(process.execPath, [path.join(__dirname, 'baseline.js')], { env: { ...process.env, PORT: String(basePort) }, stdio: 'ignore' });
    children.push(baseline);
    await waitReady(`http://127.0.0.1:${basePort}/`, baseline);

    let peakSampled = 0;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, vm(server.pid!, 'VmRSS'));
    }, 200);

    const baselineRun = await measure(`http://127.0.0.1:${basePort}/`, `http://127.0.0.1:${basePort}/`);
    log(`baseline (bare Express, fixed string): ${baselineRun.rps} req/s`);

    const pages = [...PAGES];
    for (const o of OPTIONAL) {
      const p = (PAGE_PATHS as Record<string, { es: string }>)[o.page];
      if (p) pages.push({ name: o.name, path: o.path(p.es) });
      else log(`note: ${o.name} page ("${o.page}") not in this build: skipped`);
    }

    const results: PageResult[] = [];
    for (const p of pages) {
      const pageUrl = `http://127.0.0.1:${port}${p.path}`;
      const probe = await get(pageUrl, { 'accept-encoding': 'gzip' });
      if (probe.status !== 200) {
        log(`note: ${p.name} answered ${probe.status}: skipped`);
        continue;
      }
      const m = await measure(pageUrl, `http://127.0.0.1:${port}/healthz`);
      const r: PageResult = { name: p.name, path: p.path, rps: m.rps, p50_ms: m.p50, p99_ms: m.p99, bytes_gzip: probe.bytes, ratio: Math.round((m.rps / baselineRun.rps) * 1000) / 1000, non2xx: m.non2xx };
      results.push(r);
      log(`  ${p.name}: ${r.rps} req/s${m.non2xx ? ` (${m.non2xx} non-2xx/errors!)` : ''}`);
    }
    clearInterval(sampler);
    const peakRssMb = Math.round(Math.max(vm(server.pid!, 'VmHWM'), peakSampled));

    log('');
    log(`database: ${database}`);
    log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${CONNECTIONS} connections, ${DURATION} s per URL after ${WARMUP} s warm-up`);
    log(`baseline (bare Express): ${baselineRun.rps} req/s; cold start to ready: ${coldStartMs} ms; peak RSS under load: ${peakRssMb} MB`);
    log('');
    log(`${'page'.padEnd(22)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'bytes gz'.padStart(9)} ${'ratio'.padStart(6)}`);
    for (const r of results) {
      log(`${r.name.padEnd(22)} ${String(r.rps).padStart(7)} ${String(r.p50_ms).padStart(7)} ${String(r.p99_ms).padStart(7)} ${String(r.bytes_gzip).padStart(9)} ${r.ratio.toFixed(3).padStart(6)}`);
    }

    const resultsDir = path.resolve(__dirname, '..', '..', 'bench', 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const out = {
      database,
      machine: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
      connections: CONNECTIONS,
      duration_s: DURATION,
      baseline_rps: baselineRun.rps,
      cold_start_ms: coldStartMs,
      peak_rss_mb: peakRssMb,
      pages: results,
    };
    fs.writeFileSync(path.join(resultsDir, useMysql ? 'pages-mysql.json' : 'pages.json'), JSON.stringify(out, null, 2));
    return results.some((r) => r.non2xx > 0) ? 1 : 0;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await sleep(300);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await dropDb().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
