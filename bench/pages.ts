import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { prepareDatabase, refreshScores } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db';
import { createLogger } from '../src/lib/logger';
import { generateMefGasto, importMefGasto } from '../src/modules/spending';
import { distSrc, freePort, freshDatabase, get, loadLine, log, machine, portalEnv, processes, RESULTS_DIR, scriptFlags, sleep, startBaseline, vm, waitReady } from './harness';
import { LoadFigures, loadRandom, longTailUrls, renderCpu } from './long-tail';
import { seed } from './scores';

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
/** The portal starts with the node flags of `npm start` (package.json), e.g. its heap cap. */
const SERVER_FLAGS = scriptFlags('start');

const PAGES: Array<{ name: string; path: string }> = [
  { name: 'home', path: '/es/' },
  { name: 'national ranking', path: '/es/ejecucion?level=municipality' },
  { name: 'department (Lima)', path: '/es/departamentos/15' },
  { name: 'municipality', path: '/es/municipalidades/150101' },
  { name: 'spending by function', path: '/es/municipalidades/150101/gasto?by=function' },
  { name: 'spending by project', path: '/es/municipalidades/150101/gasto?by=project' },
  { name: 'score ranking', path: '/es/indice?year=2024' },
  { name: 'compare 4', path: '/es/comparar?u=150101&u=010101&u=040101&u=130101' },
  { name: 'PB list', path: '/es/presupuesto-participativo' },
  { name: 'api execution json', path: '/api/v1/execution?level=municipality' },
  { name: 'api execution csv', path: '/api/v1/execution?level=municipality&format=csv' },
  { name: 'api spending json', path: '/api/v1/municipalities/150101/spending?by=function' },
  { name: 'api spending csv', path: '/api/v1/municipalities/150101/spending?by=function&format=csv' },
  { name: 'api scores json', path: '/api/v1/scores?year=2024' },
  { name: 'api scores csv', path: '/api/v1/scores?year=2024&format=csv' },
];

interface PageResult {
  name: string;
  path: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  bytes_gzip: number;
  ratio: number;
  /** Median of single uncached requests (hard reload): what a cache miss costs. */
  render_ms: number;
  /** Resident memory of the portal after this page's run. */
  rss_mb: number;
  /** For answers over 16 kB: the bare Express app sending a fixed body of the same size, and the ratio to it. */
  same_size_baseline_rps?: number;
  same_size_ratio?: number;
  non2xx: number;
}

async function load(url: string, seconds: number, headers: Record<string, string> = {}): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, timeout: 60, headers: { 'accept-encoding': 'gzip', ...headers } });
}

/** A hard reload (`Cache-Control: no-cache`) always renders: the page's cost without the response cache. */
export const RENDER = { 'cache-control': 'no-cache' };

/** Median time of `n` sequential uncached requests, one at a time (the cost of rendering the page once). */
async function renderMs(url: string, n = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await get(url, { 'accept-encoding': 'gzip', ...RENDER });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(n / 2)] * 10) / 10;
}

/**
 * One request, a warm-up, then waits until the server has answered the warm-up's queued requests (a request
 * to `drainUrl` queues behind them), then the measured run. req/s = completed responses /
 * duration, so a page slower than the run still shows its rate.
 */
export async function measure(url: string, drainUrl: string, headers: Record<string, string> = {}): Promise<{ rps: number; p50: number; p99: number; non2xx: number }> {
  // One request alone first: from the response cache, the run then measures hits, not 50
  // concurrent misses of a cold page (a stampede that can outlast the whole run).
  await get(url, { 'accept-encoding': 'gzip', ...headers });
  if (WARMUP > 0) {
    await load(url, WARMUP, headers);
    await get(drainUrl);
  }
  const r = await load(url, DURATION, headers);
  await get(drainUrl);
  return { rps: Math.round((r.requests.total / r.duration) * 10) / 10, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors + r.timeouts };
}

/** Years of detailed spending in the national database (the spending issue's range). */
const FIRST_YEAR = 2012;
const LAST_YEAR = 2025;

/**
 * The national database: reference data, SYNTHETIC MEF gasto for 2012–2025 (FACT_ROWS lines in
 * all, one file per year, each through the real importer), then SYNTHETIC participation and
 * feedback (200 000 ratings, 20 000 PB items with two milestones each, 5 000 hearings with
 * 5 000 commitments) and the scores computed from them.
 */
export async function buildDatabase(url: string, dir: string): Promise<{ facts: number; seconds: number }> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), SMTP_HOST: 'localhost', DATABASE_URL: url });
  const db = createDb(config.db);
  const t0 = Date.now();
  try {
    await prepareDatabase(db, createLogger('silent'), true, false);
    let facts = 0;
    const years = LAST_YEAR - FIRST_YEAR + 1;
    for (let year = FIRST_YEAR; FACT_ROWS > 0 && year <= LAST_YEAR; year++) {
      const rows = Math.round(FACT_ROWS / years);
      const file = path.join(dir, `gasto-${year}.csv`);
      const municipalities = Math.min(1891, Math.max(1, Math.round(rows / 75)));
      const g = await generateMefGasto({ rows, year, out: file, municipalities, lastMonth: year === LAST_YEAR ? 3 : 12 });
      const report = await importMefGasto(db, file, { allowSynthetic: true });
      fs.rmSync(file, { force: true });
      if (report.status === 'rejected') throw new Error(`synthetic ${year} rejected: ${JSON.stringify(report.errors.slice(0, 3))}`);
      facts += report.facts;
      log(`  ${year}: ${g.rows} SYNTHETIC lines, ${g.municipalities.length} municipalities → ${report.facts} fact rows (${report.seconds.toFixed(1)} s)`);
    }
    await seed(db, { hearings: 5000, milestonesPerItem: 2 });
    await refreshScores(db);
    const seconds = (Date.now() - t0) / 1000;
    log(`database built in ${seconds.toFixed(0)} s: ${facts} fact rows, 200 000 ratings, 20 000 PB items, 5 000 hearings (all SYNTHETIC), scores computed`);
    return { facts, seconds };
  } finally {
    await db.destroy();
  }
}

export async function benchPages(args: string[]): Promise<number> {
  const useMysql = args.includes('--mysql');
  /** `--long-tail`: only the long-tail section (the per-page table and the cluster run are kept from the last full run). */
  const onlyLongTail = args.includes('--long-tail');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-bench-pages-'));
  const procs = processes(path.join(dir, 'server.log'));
  const fresh = await freshDatabase(useMysql ? 'mariadb' : 'sqlite', dir, useMysql ? `ra_bench_pages_${process.pid}` : 'bench');
  try {
    const url = fresh.url;
    let database: string;
    if (useMysql) {
      database = 'mariadb';
      await buildDatabase(url, dir);
    } else {
      const file = path.join(dir, 'bench.sqlite');
      database = 'sqlite';
      const cached = process.env.BENCH_CACHE_DIR ? path.join(process.env.BENCH_CACHE_DIR, `national-v2-${FACT_ROWS}.sqlite`) : null;
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
    database = `${database}, 1891 municipalities, ${FACT_ROWS} SYNTHETIC MEF gasto lines ${FIRST_YEAR}–${LAST_YEAR}, 200k ratings, 20k PB items, 5k hearings`;

    // The portal, as in production: one process, production configuration, logs to a file. The
    // database was built without example content (buildDatabase), and the server is told so: with
    // SEED_EXAMPLES on, its first start would add the example results chain once, a one-time
    // write that the cold start (a restart on a loaded database) would otherwise count.
    const port = await freePort();
    const t0 = Date.now();
    const serverEnv = portalEnv(url, dir, { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', SEED_EXAMPLES: 'false' });
    const server = procs.node(distSrc('server.js'), { ...serverEnv, PORT: String(port) }, { flags: SERVER_FLAGS });
    await waitReady(`http://127.0.0.1:${port}/readyz`, server);
    const coldStartMs = Date.now() - t0;
    log(`portal ready in ${coldStartMs} ms (pid ${server.pid}, node ${SERVER_FLAGS.join(' ') || 'without flags'})`);

    const baseUrl = await startBaseline(procs);

    let peakSampled = 0;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, vm(server.pid!, 'VmRSS'));
    }, 200);

    const baselineRun = await measure(`${baseUrl}/`, `${baseUrl}/`);
    log(`baseline (bare Express, fixed string): ${baselineRun.rps} req/s`);

    // The long tail: URLs drawn at random from every municipality's pages, response cache on (this
    // server, the production default) and off (a second server on the same database).
    const urlDb = createDb(loadConfig({ ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), SMTP_HOST: 'localhost', DATABASE_URL: url }).db);
    const tail = await longTailUrls(urlDb).finally(() => urlDb.destroy());
    const offPort = await freePort();
    const cacheOff = procs.node(distSrc('server.js'), { ...serverEnv, PORT: String(offPort), RESPONSE_CACHE_MS: '0' }, { flags: SERVER_FLAGS });
    await waitReady(`http://127.0.0.1:${offPort}/readyz`, cacheOff);
    const tailRun = async (p: number, paths: string[]): Promise<LoadFigures> => {
      if (WARMUP > 0) await loadRandom(`http://127.0.0.1:${p}`, paths, WARMUP, CONNECTIONS, baselineRun.rps);
      await get(`http://127.0.0.1:${p}/healthz`);
      return loadRandom(`http://127.0.0.1:${p}`, paths, DURATION, CONNECTIONS, baselineRun.rps);
    };
    const cacheOn = { ...(await tailRun(port, tail.municipality)), other_pages: await tailRun(port, tail.other) };
    const cacheOffRun = { ...(await tailRun(offPort, tail.municipality)), other_pages: await tailRun(offPort, tail.other) };
    procs.stop(cacheOff);
    // The refresh of the whole country's precomputed summaries, as each portal process logged it at start.
    const precomputeMs = fs
      .readFileSync(path.join(dir, 'server.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('municipality summaries precomputed'))
      .map((l) => Number((JSON.parse(l) as { ms?: number }).ms))
      .filter((ms) => Number.isFinite(ms));
    const cpu = await renderCpu(url, { municipality: tail.municipality, other_pages: tail.other }, Number(process.env.BENCH_RENDER_SAMPLES ?? 1000));
    const longTail = {
      urls: { municipality: tail.municipality.length, other_pages: tail.other.length },
      baseline_rps: baselineRun.rps,
      cache_on: cacheOn,
      cache_off: cacheOffRun,
      render_cpu_ms: cpu,
      precompute_ms: precomputeMs,
    };
    log(`long tail (${tail.municipality.length} municipality URLs; ${tail.other.length} spending/satisfaction/delivery URLs; drawn at random):`);
    for (const [label, r] of [
      ['cache on, municipality', cacheOn],
      ['cache on, other pages', cacheOn.other_pages],
      ['cache off, municipality', cacheOffRun],
      ['cache off, other pages', cacheOffRun.other_pages],
    ] as const)
      log(`  ${label.padEnd(24)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms  ratio ${r.ratio.toFixed(3)}${r.non2xx ? `  (${r.non2xx} non-2xx/errors!)` : ''}`);
    log(`  precomputed summaries of the whole country refreshed at start in: ${precomputeMs.map((ms) => `${ms} ms`).join(', ') || 'not logged'}`);
    log(
      `  render CPU in-process, steady state after ${cpu.municipality.warmup} requests (median / p99 ms): municipality ${cpu.municipality.median_ms} / ${cpu.municipality.p99_ms}; other pages ${cpu.other_pages.median_ms} / ${cpu.other_pages.p99_ms}; /healthz floor ${cpu.floor.median_ms} / ${cpu.floor.p99_ms}`,
    );
    log(
      `  render CPU in-process, early (after ${cpu.municipality.early.warmup} requests): municipality ${cpu.municipality.early.median_ms} / ${cpu.municipality.early.p99_ms}; other pages ${cpu.other_pages.early.median_ms} / ${cpu.other_pages.early.p99_ms}; /healthz floor ${cpu.floor.early.median_ms} / ${cpu.floor.early.p99_ms}`,
    );
    const tailFailed = [cacheOn, cacheOn.other_pages, cacheOffRun, cacheOffRun.other_pages].some((r) => r.non2xx > 0);

    const pages = onlyLongTail ? [] : [...PAGES];
    const results: PageResult[] = [];
    for (const p of pages) {
      const pageUrl = `http://127.0.0.1:${port}${p.path}`;
      const probe = await get(pageUrl, { 'accept-encoding': 'gzip' });
      if (probe.status !== 200) {
        log(`note: ${p.name} answered ${probe.status}: skipped`);
        continue;
      }
      const render = await renderMs(pageUrl);
      const m = await measure(pageUrl, `http://127.0.0.1:${port}/healthz`);
      const r: PageResult = {
        name: p.name,
        path: p.path,
        rps: m.rps,
        p50_ms: m.p50,
        p99_ms: m.p99,
        bytes_gzip: probe.bytes,
        ratio: Math.round((m.rps / baselineRun.rps) * 1000) / 1000,
        render_ms: render,
        rss_mb: Math.round(vm(server.pid!, 'VmRSS')),
        non2xx: m.non2xx,
      };
      if (probe.bytes > 16_000) {
        const same = await measure(`${baseUrl}/bytes/${probe.bytes}`, `${baseUrl}/`);
        r.same_size_baseline_rps = same.rps;
        r.same_size_ratio = Math.round((m.rps / same.rps) * 1000) / 1000;
      }
      results.push(r);
      log(`  ${p.name}: ${r.rps} req/s${m.non2xx ? ` (${m.non2xx} non-2xx/errors!)` : ''}`);
    }
    clearInterval(sampler);
    const peakRssMb = Math.round(Math.max(vm(server.pid!, 'VmHWM'), peakSampled));

    async function clusterRun() {
      // One process against two (node cluster, WEB_CONCURRENCY=2) on the municipality page, from
      // the response cache and rendered every time (hard reload), sessions in the shared database.
      const muni = PAGES.find((p) => p.name === 'municipality')!.path;
      const clusterPort = await freePort();
      const two = procs.node(distSrc('server.js'), { ...serverEnv, PORT: String(clusterPort), WEB_CONCURRENCY: '2' }, { flags: SERVER_FLAGS });
      const single = {
        cached: await measure(`http://127.0.0.1:${port}${muni}`, `http://127.0.0.1:${port}/healthz`),
        rendered: await measure(`http://127.0.0.1:${port}${muni}`, `http://127.0.0.1:${port}/healthz`, RENDER),
      };
      procs.stop(server);
      await waitReady(`http://127.0.0.1:${clusterPort}/readyz`, two);
      await sleep(1000); // both workers listening
      const pair = {
        cached: await measure(`http://127.0.0.1:${clusterPort}${muni}`, `http://127.0.0.1:${clusterPort}/healthz`),
        rendered: await measure(`http://127.0.0.1:${clusterPort}${muni}`, `http://127.0.0.1:${clusterPort}/healthz`, RENDER),
      };
      const scaling = {
        page: muni,
        one_process: { cached_rps: single.cached.rps, rendered_rps: single.rendered.rps, rendered_p99_ms: single.rendered.p99 },
        two_processes: { cached_rps: pair.cached.rps, rendered_rps: pair.rendered.rps, rendered_p99_ms: pair.rendered.p99 },
        cached_ratio: Math.round((pair.cached.rps / single.cached.rps) * 100) / 100,
        rendered_ratio: Math.round((pair.rendered.rps / single.rendered.rps) * 100) / 100,
      };
      return scaling;
    }
    const scaling = onlyLongTail ? null : await clusterRun();
    log('');
    log(`database: ${database}`);
    log(`${loadLine()}; ${CONNECTIONS} connections, ${DURATION} s per URL after ${WARMUP} s warm-up`);
    log(`baseline (bare Express): ${baselineRun.rps} req/s; cold start to ready: ${coldStartMs} ms; peak RSS under load: ${peakRssMb} MB`);
    log('');
    log(
      `${'page'.padEnd(22)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'bytes gz'.padStart(9)} ${'ratio'.padStart(6)} ${'render ms'.padStart(9)} ${'RSS MB'.padStart(6)}`,
    );
    for (const r of results) {
      const miss = r.ratio < 0.25 || r.p99_ms > 50 ? ' ✗' : '';
      log(
        `${r.name.padEnd(22)} ${String(r.rps).padStart(7)} ${String(r.p50_ms).padStart(7)} ${String(r.p99_ms).padStart(7)} ${String(r.bytes_gzip).padStart(9)} ${r.ratio.toFixed(3).padStart(6)} ${String(r.render_ms).padStart(9)} ${String(r.rss_mb).padStart(6)}${miss}`,
      );
    }
    log('(✗: below 0.25 × baseline or p99 over 50 ms. render ms: one uncached request at a time, hard reload.)');
    for (const r of results.filter((x) => x.same_size_baseline_rps)) {
      log(`${r.name}: ${r.bytes_gzip} bytes per answer; bare Express sending a fixed body of that size: ${r.same_size_baseline_rps} req/s → ratio ${r.same_size_ratio}`);
    }
    log('');
    if (scaling)
      log(
        `municipality page, one process → two (WEB_CONCURRENCY=2): cached ${scaling.one_process.cached_rps} → ${scaling.two_processes.cached_rps} req/s (×${scaling.cached_ratio}); rendered every time ${scaling.one_process.rendered_rps} → ${scaling.two_processes.rendered_rps} req/s (×${scaling.rendered_ratio}, p99 ${scaling.one_process.rendered_p99_ms} → ${scaling.two_processes.rendered_p99_ms} ms)`,
      );

    const resultsDir = RESULTS_DIR;
    fs.mkdirSync(resultsDir, { recursive: true });
    const out = {
      database,
      machine: machine(),
      connections: CONNECTIONS,
      duration_s: DURATION,
      baseline_rps: baselineRun.rps,
      cold_start_ms: coldStartMs,
      peak_rss_mb: peakRssMb,
      response_cache_ms: serverEnv.RESPONSE_CACHE_MS ?? 'default',
      pages: results,
      scaling,
      long_tail: {
        ...((fs.existsSync(path.join(resultsDir, 'pages.json')) && (JSON.parse(fs.readFileSync(path.join(resultsDir, 'pages.json'), 'utf8')) as { long_tail?: object }).long_tail) || {}),
        [useMysql ? 'mariadb' : 'sqlite']: longTail,
      },
    };
    const file = path.join(resultsDir, useMysql ? 'pages-mysql.json' : 'pages.json');
    const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    fs.writeFileSync(file, JSON.stringify(onlyLongTail ? { ...previous, long_tail: { ...(previous.long_tail as object), [useMysql ? 'mariadb' : 'sqlite']: longTail } } : out, null, 2));
    // The committed pages.json carries both databases' long-tail figures (pages-mysql.json is git-ignored).
    const shared = path.join(resultsDir, 'pages.json');
    if (useMysql && fs.existsSync(shared)) {
      const main = JSON.parse(fs.readFileSync(shared, 'utf8')) as { long_tail?: object };
      fs.writeFileSync(shared, JSON.stringify({ ...main, long_tail: { ...main.long_tail, mariadb: longTail } }, null, 2));
    }
    return results.some((r) => r.non2xx > 0) || tailFailed ? 1 : 0;
  } finally {
    await procs.stopAll(300);
    await fresh.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
