import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { deletePrefix } from '../src/lib/redis';

/**
 * What the benchmarks that start the portal as processes share (`pages`, `pages --instances`,
 * `import`): a fresh database, the production environment, the built server, worker and
 * baseline as child processes, readiness, memory of a process, the machine's load, results.
 */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const log = (s: string) => process.stdout.write(`${s}\n`);

/** The compiled sources next to the compiled benchmarks (dist/src/…). */
export const distSrc = (...p: string[]) => path.resolve(__dirname, '..', 'src', ...p);
/** bench/results/ of the repository (not of dist/). */
export const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench', 'results');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; headers: http.IncomingHttpHeaders }> {
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

export async function waitReady(url: string, child: ChildProcess, timeoutMs = 300000): Promise<void> {
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

/** A process's resident memory now (VmRSS) or at its peak (VmHWM), in MB; 0 once it is gone. */
export function vm(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system, every thread) a process has used so far, in seconds; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    // After the command's closing parenthesis: state is field 3, utime 14 and stime 15 (clock ticks, 100 a second on Linux).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export async function mysqlAdmin(url: URL) {
  return mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), connectTimeout: 2000 });
}

/** MariaDB of the benchmarks: BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306). */
export const mysqlBase = () => new URL(process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');

/** An empty database: a new MariaDB database `name` (dropped by `drop`), or a SQLite file `name`.sqlite in `dir`. */
export async function freshDatabase(dialect: 'sqlite' | 'mariadb', dir: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') return { url: `sqlite:${path.join(dir, `${name}.sqlite`)}`, drop: async () => undefined };
  const base = mysqlBase();
  const admin = await mysqlAdmin(base);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const u = new URL(base.toString());
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}

/** The portal's environment in production (web processes and job workers), on `url`, files under `dir`. */
export function portalEnv(url: string, dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: url,
    SESSION_SECRET: 'bench-'.padEnd(40, 'x'),
    SMTP_HOST: '127.0.0.1',
    DATA_DIR: dir,
    OUTBOX_DIR: path.join(dir, 'outbox'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...extra,
  };
}

/** The node flags of an npm script of package.json (`start`: the heap cap of `npm start`; `worker`: of `npm run worker`). */
export function scriptFlags(script: 'start' | 'worker' | 'import'): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return (
    /node ((?:--[\w-]+=\S+ )*)dist\//
      .exec(pkg.scripts[script] ?? '')?.[1]
      .trim()
      .split(' ')
      .filter(Boolean) ?? []
  );
}

/**
 * Child processes of one run, output to the log file `logPath`, stopped together (SIGTERM, then
 * SIGKILL) whatever happens. One that exits before `stopAll` is reported at once with the end of
 * the log (the run's folder is deleted afterwards).
 */
export function processes(logPath: string) {
  const logFile = fs.openSync(logPath, 'a');
  const children: ChildProcess[] = [];
  let stopping = false;
  const retired = new Set<ChildProcess>();
  const watch = (c: ChildProcess, what: string) => {
    children.push(c);
    c.on('exit', (code, signal) => {
      if (stopping || retired.has(c)) return;
      const tail = fs.readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
      process.stderr.write(`${what} (pid ${c.pid}) exited early: code ${code}, signal ${signal}; end of ${path.basename(logPath)}:\n${tail}\n`);
    });
    return c;
  };
  return {
    children,
    /** node `flags` `script` (absolute) `args`, output to the run's log file (stdout piped when `pipe`); `command`: a command that ends by itself. */
    node(
      script: string,
      env: NodeJS.ProcessEnv,
      { flags = [], args = [], pipe = false, command = false }: { flags?: string[]; args?: string[]; pipe?: boolean; command?: boolean } = {},
    ): ChildProcess {
      const c = watch(spawn(process.execPath, [...flags, script, ...args], { env, stdio: ['ignore', pipe ? 'pipe' : logFile, logFile] }), path.basename(script));
      if (command) retired.add(c);
      return c;
    },
    spawn(bin: string, args: string[]): ChildProcess {
      return watch(spawn(bin, args, { stdio: ['ignore', logFile, logFile] }), path.basename(bin));
    },
    /** Stops one of them before the end (SIGTERM), as the run means to. */
    stop(c: ChildProcess): void {
      retired.add(c);
      c.kill('SIGTERM');
    },
    async stopAll(graceMs = 500): Promise<void> {
      stopping = true;
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
      await sleep(graceMs);
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      fs.closeSync(logFile);
    },
  };
}

/** The bare Express baseline (bench/baseline.ts) on a free port; its base URL. */
export async function startBaseline(procs: ReturnType<typeof processes>): Promise<string> {
  const port = await freePort();
  const c = procs.node(path.join(__dirname, 'baseline.js'), { ...process.env, PORT: String(port) });
  await waitReady(`http://127.0.0.1:${port}/`, c);
  return `http://127.0.0.1:${port}`;
}

/** Deletes every Redis key under `prefix` (a run's queue, counters and channels); nothing when Redis is away. */
export const dropRedisPrefix = (url: string, prefix: string) => deletePrefix(url, prefix).catch(() => undefined);

/** The machine as the figures must be read with: CPUs, load average (1, 5, 15 min), node. */
export const machine = () => ({ cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), node: process.version });
export const loadLine = () =>
  `machine: ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;

/** Writes bench/results/`name` (JSON). */
export function writeResult(name: string, data: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}
