import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { buildDatabase, freePort, measure, mysqlAdmin, RENDER, waitReady } from './pages';

/**
 * `npm run bench -- pages --instances 2 --redis [--sqlite]`: N web processes (default 2) behind
 * nginx from Debian (least_conn, keepalive), sharing MariaDB (default; `--sqlite`: one SQLite
 * file) and, with `--redis`, Redis (rate limits, cache invalidation, job queue) plus one job
 * worker — the deployment of the README. Against it, in the same run: the bare Express baseline,
 * one process answering directly, and the N processes behind nginx; each page from the response
 * cache and rendered every time (hard reload). Database: as `pages` (BENCH_FACT_ROWS, …);
 * BENCH_DURATION / BENCH_WARMUP / BENCH_CONNECTIONS as there. Results: bench/results/instances.json.
 */
const PAGES = [
  { name: 'home', path: '/es/' },
  { name: 'municipality', path: '/es/municipalidades/150101' },
  { name: 'PB list', path: '/es/presupuesto-participativo' },
  { name: 'api execution json', path: '/api/v1/execution?level=municipality' },
];
const log = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function nginxConf(dir: string, port: number, upstreams: number[]): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/nginx-body;
  proxy_temp_path ${dir}/nginx-proxy;
  fastcgi_temp_path ${dir}/nginx-fastcgi;
  uwsgi_temp_path ${dir}/nginx-uwsgi;
  scgi_temp_path ${dir}/nginx-scgi;
  upstream resultados {
    least_conn;
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=3 fail_timeout=10s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    gzip off;
    location / {
      proxy_pass http://resultados;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
`;
}

export async function benchInstances(args: string[]): Promise<number> {
  const n = Math.max(2, Number(args[args.indexOf('--instances') + 1]) || 2);
  const useRedis = args.includes('--redis');
  const useMysql = !args.includes('--sqlite');
  const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((f) => fs.existsSync(f));
  if (!nginxBin) {
    process.stderr.write('nginx is not installed: apt-get install -y nginx\n');
    return 2;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-bench-instances-'));
  const children: ChildProcess[] = [];
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `ra-bench-${process.pid}`;
  let dropDb: () => Promise<void> = async () => undefined;
  try {
    let url: string;
    if (useMysql) {
      const base = new URL(process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
      const admin = await mysqlAdmin(base);
      const name = `ra_bench_inst_${process.pid}`;
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      dropDb = async () => {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.end();
      };
      const u = new URL(base.toString());
      u.pathname = `/${name}`;
      url = u.toString();
    } else url = `sqlite:${path.join(dir, 'bench.sqlite')}`;
    const built = await buildDatabase(url, dir);

    const logFile = fs.openSync(path.join(dir, 'server.log'), 'a');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: url,
      SESSION_SECRET: 'bench-'.padEnd(40, 'x'),
      SMTP_HOST: '127.0.0.1',
      DATA_DIR: dir,
      OUTBOX_DIR: path.join(dir, 'outbox'),
      TRUST_PROXY: '1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...(useRedis ? { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } : { REDIS_URL: '' }),
    };
    const start = async (script: string, extra: NodeJS.ProcessEnv = {}, ready?: string) => {
      const c = spawn(process.execPath, ['--max-old-space-size=160', path.resolve(__dirname, '..', 'src', script)], { env: { ...env, ...extra }, stdio: ['ignore', logFile, logFile] });
      children.push(c);
      if (ready) await waitReady(ready, c);
      return c;
    };
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = await freePort();
      ports.push(p);
      await start('server.js', { PORT: String(p) }, `http://127.0.0.1:${p}/readyz`);
    }
    if (useRedis) await start(path.join('cli', 'worker.js'));
    const basePort = await freePort();
    const baseline = spawn(process.execPath, [path.join(__dirname, 'baseline.js')], { env: { ...process.env, PORT: String(basePort) }, stdio: 'ignore' });
    children.push(baseline);
    await waitReady(`http://127.0.0.1:${basePort}/`, baseline);
    const proxyPort = await freePort();
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, proxyPort, ports));
    const nginx = spawn(nginxBin, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', logFile, logFile] });
    children.push(nginx);
    await waitReady(`http://127.0.0.1:${proxyPort}/readyz`, nginx);
    log(`${n} web processes on ${ports.join(', ')}${useRedis ? ` and a job worker, Redis prefix ${prefix}` : ''}; nginx on ${proxyPort}`);

    const base = await measure(`http://127.0.0.1:${basePort}/`, `http://127.0.0.1:${basePort}/`);
    const direct = `http://127.0.0.1:${ports[0]}`;
    const proxied = `http://127.0.0.1:${proxyPort}`;
    const results = [];
    for (const p of PAGES) {
      const one = { cached: await measure(direct + p.path, `${direct}/healthz`), rendered: await measure(direct + p.path, `${direct}/healthz`, RENDER) };
      const many = { cached: await measure(proxied + p.path, `${proxied}/healthz`), rendered: await measure(proxied + p.path, `${proxied}/healthz`, RENDER) };
      const r = {
        name: p.name,
        path: p.path,
        one_process: { cached_rps: one.cached.rps, cached_p99_ms: one.cached.p99, rendered_rps: one.rendered.rps, rendered_p99_ms: one.rendered.p99 },
        behind_nginx: { cached_rps: many.cached.rps, cached_p99_ms: many.cached.p99, rendered_rps: many.rendered.rps, rendered_p99_ms: many.rendered.p99 },
        ratio_to_baseline: { one_cached: Math.round((one.cached.rps / base.rps) * 1000) / 1000, nginx_cached: Math.round((many.cached.rps / base.rps) * 1000) / 1000 },
        non2xx: one.cached.non2xx + one.rendered.non2xx + many.cached.non2xx + many.rendered.non2xx,
      };
      results.push(r);
      log(
        `  ${p.name.padEnd(20)} one process: ${one.cached.rps} req/s (p99 ${one.cached.p99} ms), rendered ${one.rendered.rps} (p99 ${one.rendered.p99} ms) | ${n} behind nginx: ${many.cached.rps} req/s (p99 ${many.cached.p99} ms), rendered ${many.rendered.rps} (p99 ${many.rendered.p99} ms)${r.non2xx ? ` (${r.non2xx} non-2xx/errors!)` : ''}`,
      );
    }
    const out = {
      database: `${useMysql ? 'mariadb' : 'sqlite'}, ${built.facts} SYNTHETIC fact rows`,
      redis: useRedis,
      instances: n,
      machine: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
      duration_s: Number(process.env.BENCH_DURATION ?? 10),
      connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
      baseline_rps: base.rps,
      pages: results,
    };
    log(
      `baseline (bare Express): ${base.rps} req/s; machine load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const resultsDir = path.resolve(__dirname, '..', '..', 'bench', 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, 'instances.json'), JSON.stringify(out, null, 2));
    return results.some((r) => r.non2xx > 0) ? 1 : 0;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await sleep(500);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await dropDb().catch(() => undefined);
    if (useRedis) {
      const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      const keys = await r.keys(`${prefix}:*`).catch(() => []);
      if (keys.length) await r.del(...keys).catch(() => undefined);
      r.disconnect();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
