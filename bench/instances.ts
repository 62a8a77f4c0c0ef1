import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distSrc, dropRedisPrefix, freePort, freshDatabase, loadLine, log, machine, portalEnv, processes, scriptFlags, startBaseline, waitReady, writeResult } from './harness';
import { buildDatabase, measure, RENDER } from './pages';

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
  const procs = processes(path.join(dir, 'server.log'));
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `ra-bench-${process.pid}`;
  const fresh = await freshDatabase(useMysql ? 'mariadb' : 'sqlite', dir, useMysql ? `ra_bench_inst_${process.pid}` : 'bench');
  try {
    const url = fresh.url;
    const built = await buildDatabase(url, dir);

    const env = portalEnv(url, dir, { TRUST_PROXY: '1', ...(useRedis ? { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } : { REDIS_URL: '' }) });
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = await freePort();
      ports.push(p);
      const web = procs.node(distSrc('server.js'), { ...env, PORT: String(p) }, { flags: scriptFlags('start') });
      await waitReady(`http://127.0.0.1:${p}/readyz`, web);
    }
    if (useRedis) procs.node(distSrc('cli', 'worker.js'), env, { flags: scriptFlags('worker') });
    const baseUrl = await startBaseline(procs);
    const proxyPort = await freePort();
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, proxyPort, ports));
    const nginx = procs.spawn(nginxBin, ['-c', path.join(dir, 'nginx.conf'), '-p', dir]);
    await waitReady(`http://127.0.0.1:${proxyPort}/readyz`, nginx);
    log(`${n} web processes on ${ports.join(', ')}${useRedis ? ` and a job worker, Redis prefix ${prefix}` : ''}; nginx on ${proxyPort}`);

    const base = await measure(`${baseUrl}/`, `${baseUrl}/`);
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
      machine: machine(),
      duration_s: Number(process.env.BENCH_DURATION ?? 10),
      connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
      baseline_rps: base.rps,
      pages: results,
    };
    log(`baseline (bare Express): ${base.rps} req/s; ${loadLine()}`);
    writeResult('instances.json', out);
    return results.some((r) => r.non2xx > 0) ? 1 : 0;
  } finally {
    await procs.stopAll(500);
    await fresh.drop();
    if (useRedis) await dropRedisPrefix(redisUrl, prefix);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
