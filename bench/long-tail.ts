import http from 'node:http';
import autocannon from 'autocannon';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createDb, Db } from '../src/db';
import { createI18n } from '../src/i18n';
import { pageUrl } from '../src/i18n/paths';
import { createBackgroundJobs } from '../src/lib/background';
import { createLogger } from '../src/lib/logger';
import { createHttpServer } from '../src/web/http-server';

/**
 * The long tail (issue 18): real traffic is a resident opening *their* municipality and a crawler
 * walking all of them, so a per-URL response cache helps almost none of it. Each request here is
 * a URL drawn uniformly at random from every municipality page in both languages (≈ 3 800), or
 * from every municipality's spending, satisfaction and delivery page (≈ 11 300).
 */
export interface LoadFigures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  ratio: number;
  non2xx: number;
}

export interface RenderCpu {
  median_ms: number;
  p99_ms: number;
  samples: number;
  /** Requests of the same set served before these samples (JIT and memo warm-up). */
  warmup: number;
}

/** The steady-state figure and, from the same process, the one taken right after a short warm-up. */
export type RenderCpuSet = RenderCpu & { early: RenderCpu };

/**
 * Requests served before the steady-state samples. V8 keeps optimising the portal's code long
 * after the first requests, on background threads whose CPU `process.cpuUsage` counts too:
 * measured on the national database, 780 TurboFan compilations finished during random
 * municipality pages 300–3 300 after start and 114 during pages 3 000–6 000, and the median and
 * p99 of those windows were 2.85 / 8.98 ms and 2.10 / 7.35 ms. A portal process serves far more
 * than this between restarts, so its steady state is the figure; the early one is kept beside it.
 */
const STEADY_WARMUP = Number(process.env.BENCH_RENDER_WARMUP ?? 2000);
const EARLY_WARMUP = 50;

/** Every municipality page in both languages, and every municipality's other pages. */
export async function longTailUrls(db: Db): Promise<{ municipality: string[]; other: string[] }> {
  const ubigeos = (await db('municipalities').select('ubigeo').orderBy('ubigeo')).map((r: { ubigeo: string }) => r.ubigeo);
  const langs = ['es', 'en'] as const;
  return {
    municipality: ubigeos.flatMap((ubigeo) => langs.map((l) => pageUrl(l, 'municipality', { ubigeo }))),
    other: ubigeos.flatMap((ubigeo) => langs.flatMap((l) => (['spending_municipality', 'satisfaction', 'delivery'] as const).map((p) => pageUrl(l, p, { ubigeo })))),
  };
}

const randomRequests = (base: string, paths: string[], connections: number, seconds: number): autocannon.Options => ({
  url: base,
  connections,
  duration: seconds,
  timeout: 60,
  headers: { 'accept-encoding': 'gzip' },
  requests: [
    {
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }),
    },
  ],
});

const figures = (r: autocannon.Result, baselineRps: number): LoadFigures => {
  const rps = Math.round((r.requests.total / r.duration) * 10) / 10;
  return { rps, p50_ms: r.latency.p50, p99_ms: r.latency.p99, ratio: Math.round((rps / baselineRps) * 1000) / 1000, non2xx: r.non2xx + r.errors + r.timeouts };
};

/** autocannon at `connections`, each request's path drawn uniformly at random from `paths`. */
export async function loadRandom(base: string, paths: string[], seconds: number, connections: number, baselineRps: number): Promise<LoadFigures> {
  return figures(await autocannon(randomRequests(base, paths, connections, seconds)), baselineRps);
}

/** The same load from now until `stop` settles (e.g. while an import runs); the figures of that whole window and its length. */
export function loadRandomUntil(base: string, paths: string[], connections: number, stop: Promise<unknown>, baselineRps: number): Promise<LoadFigures & { seconds: number }> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(randomRequests(base, paths, connections, 24 * 3600), (err, r) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve({ ...figures(r, baselineRps), seconds: Math.round(r.duration * 10) / 10 }),
    );
    stop.then(
      () => instance.stop(),
      () => instance.stop(),
    );
  });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * The CPU time of one render, measured in this process: the portal's app (production
 * configuration, response cache off) on a local server, one request at a time, and the process's
 * CPU time (user + system) from the request's arrival to its last byte. `floor` is the same
 * measurement of /healthz (routing, middleware and the HTTP exchange, no page).
 */
export async function renderCpu(databaseUrl: string, sets: Record<string, string[]>, samples: number): Promise<Record<string, RenderCpuSet> & { floor: RenderCpuSet }> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-'.padEnd(40, 'x'),
    SMTP_HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    RESPONSE_CACHE_MS: '0',
    LOG_LEVEL: 'silent',
  });
  const db = createDb(config.db);
  const logger = createLogger('silent');
  const app = buildApp({ config, db, logger, i18n: createI18n(), lifecycle: { shuttingDown: false }, background: createBackgroundJobs(logger) });
  let last = 0;
  // The server the portal runs on (src/server.ts), with the clock started before the app sees the request.
  const server = createHttpServer(app);
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const start = process.cpuUsage();
    res.on('finish', () => {
      const d = process.cpuUsage(start);
      last = (d.user + d.system) / 1000;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(last) : reject(new Error(`${path} answered ${res.statusCode}`))));
        })
        .on('error', reject);
    });
  const random = (paths: string[]) => get(paths[Math.floor(Math.random() * paths.length)]);
  const sample = async (paths: string[], warmup: number): Promise<RenderCpu> => {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) times.push(await random(paths));
    times.sort((a, b) => a - b);
    return { median_ms: Math.round(quantile(times, 0.5) * 100) / 100, p99_ms: Math.round(quantile(times, 0.99) * 100) / 100, samples, warmup };
  };
  // Early: after EARLY_WARMUP requests of the set (what stops 22–28 measured). Steady: after
  // STEADY_WARMUP, the early samples included.
  const measure = async (paths: string[]): Promise<RenderCpuSet> => {
    for (let i = 0; i < EARLY_WARMUP; i++) await random(paths);
    const early = await sample(paths, EARLY_WARMUP);
    const more = Math.max(0, STEADY_WARMUP - EARLY_WARMUP - samples);
    for (let i = 0; i < more; i++) await random(paths);
    return { ...(await sample(paths, EARLY_WARMUP + samples + more)), early };
  };
  try {
    const out: Record<string, RenderCpuSet> = {};
    out.floor = await measure(['/healthz']);
    for (const [name, paths] of Object.entries(sets)) out[name] = await measure(paths);
    return out as Record<string, RenderCpuSet> & { floor: RenderCpuSet };
  } finally {
    agent.destroy();
    await new Promise((r) => server.close(r));
    await db.destroy();
  }
}
