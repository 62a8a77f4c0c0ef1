import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { buildApp } from '../src/app';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { createDb, Db } from '../src/db';
import { createI18n } from '../src/i18n';
import { createLogger } from '../src/lib/logger';
import { createPasswordHasher } from '../src/auth';
import { createAuditService } from '../src/modules/audit';
import { createScoresService } from '../src/modules/scores';

/**
 * `npm run bench -- scores`: on a fresh SQLite database and (when reachable) a fresh MariaDB
 * database with the 1 891 municipalities and their 2024 execution, inserts SYNTHETIC inputs —
 * 200 000 ratings (40 000 residents × 5), 20 000 PB items, 3 782 hearings and 5 000 commitments —
 * then (1) times a full recompute of the 2024 scores (median of 5; target < 1 s), and (2) runs the
 * real app over HTTP with 50 signed-in residents posting ratings concurrently (each post upserts
 * the rating and recomputes its department), reporting latency percentiles (target p99 < 20 ms).
 * MariaDB: BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306).
 */
const YEAR = 2024;
const RATINGS = Number(process.env.BENCH_RATINGS ?? 200_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 20_000);
const COMMITMENTS = Number(process.env.BENCH_COMMITMENTS ?? 5_000);
const RESIDENTS = 50;
const POSTS_PER_RESIDENT = Number(process.env.BENCH_POSTS ?? 40);
const STAMP = '2026-01-01T00:00:00.000Z';

async function insertChunks(db: Db, table: string, rows: Record<string, unknown>[], size = 500) {
  for (let i = 0; i < rows.length; i += size) await db(table).insert(rows.slice(i, i + size));
}

/**
 * SYNTHETIC participation and feedback inputs for the 2024 score. `hearings` (default two per
 * municipality) and `milestonesPerItem` (default none) let the page benchmark reach its size.
 */
export async function seed(db: Db, opts: { hearings?: number; milestonesPerItem?: number } = {}) {
  const munis = (await db('municipalities').select('ubigeo').orderBy('ubigeo')).map((r: { ubigeo: string }) => r.ubigeo);
  const areas = (await db('service_areas').select('id').orderBy('id')).map((r: { id: number }) => Number(r.id));
  const perUser = 5;
  const users = Math.ceil(RATINGS / perUser);
  const firstId = Number((await db('users').max({ m: 'id' }))[0].m ?? 0) + 1;
  await insertChunks(
    db,
    'users',
    Array.from({ length: users }, (_, i) => ({
      id: firstId + i,
      email: `bench${i}@example.invalid`,
      password_hash: 'x',
      role: 'resident',
      status: 'active',
      email_confirmed_at: STAMP,
      created_at: STAMP,
      updated_at: STAMP,
    })),
  );
  const ratings: Record<string, unknown>[] = [];
  for (let u = 0; u < users && ratings.length < RATINGS; u++) {
    const ubigeo = munis[u % munis.length];
    for (let k = 0; k < perUser && ratings.length < RATINGS; k++) {
      ratings.push({
        user_id: firstId + u,
        ubigeo,
        target: `a${areas[k]}`,
        area_id: areas[k],
        pb_item_id: null,
        year: YEAR,
        quarter: 1 + (u % 4),
        score: 1 + ((u * 7 + k * 3) % 5),
        delivered: null,
        created_at: STAMP,
        updated_at: STAMP,
      });
    }
  }
  await insertChunks(db, 'ratings', ratings);
  const now = '2026-01-01 00:00:00';
  await insertChunks(
    db,
    'pb_processes',
    munis.map((ubigeo) => ({ ubigeo, year: YEAR, is_example: false, created_at: now, updated_at: now })),
  );
  const proc = new Map((await db('pb_processes').select('id', 'ubigeo').where({ year: YEAR })).map((r: { id: number; ubigeo: string }) => [r.ubigeo, Number(r.id)]));
  const statuses = ['en_formulacion', 'en_ejecucion', 'culminado', 'paralizado'];
  await insertChunks(
    db,
    'pb_items',
    Array.from({ length: ITEMS }, (_, i) => {
      const ubigeo = munis[i % munis.length];
      return {
        process_id: proc.get(ubigeo),
        ubigeo,
        year: YEAR,
        priority: 1 + Math.floor(i / munis.length),
        title_es: `Obra sintética ${i}`,
        total_cost: 1_000_000 + ((i * 7919) % 50_000_000),
        planned_end: `${YEAR}-${String(1 + (i % 12)).padStart(2, '0')}-28`,
        baseline_planned_end: `${YEAR}-${String(1 + (i % 12)).padStart(2, '0')}-28`,
        baseline_total_cost: 1_000_000 + ((i * 7919) % 50_000_000),
        status: statuses[i % 4],
        progress_pct: (i * 13) % 101,
        is_example: i % 50 === 0,
        created_at: now,
        updated_at: now,
      };
    }),
  );
  const hearingCount = opts.hearings ?? munis.length * 2;
  await insertChunks(
    db,
    'hearings',
    Array.from({ length: hearingCount }, (_, n) => {
      const i = n % munis.length;
      const round = Math.floor(n / munis.length); // 0: May, 1: September (or November, late), 2+: extra sessions
      const held = round === 0 ? `${YEAR}-05-${String(1 + (i % 28)).padStart(2, '0')}` : round === 1 ? `${YEAR}-${i % 3 ? '09' : '11'}-15` : `${YEAR}-07-${String(1 + (n % 28)).padStart(2, '0')}`;
      return { ubigeo: munis[i], held_on: held, state: 'realizada', is_example: false, created_at: now, updated_at: now };
    }),
  );
  const perItem = opts.milestonesPerItem ?? 0;
  if (perItem > 0) {
    const items = await db('pb_items').select('id', 'ubigeo').where({ year: YEAR }).orderBy('id');
    await insertChunks(
      db,
      'pb_milestones',
      items.flatMap((it: { id: number; ubigeo: string }, i: number) =>
        Array.from({ length: perItem }, (_, k) => ({
          item_id: it.id,
          ubigeo: it.ubigeo,
          happened_on: `${YEAR}-${String(1 + ((i + k * 3) % 12)).padStart(2, '0')}-10`,
          title_es: `Hito sintético ${k + 1}`,
          evidence_url: `https://example.invalid/evidencia/${it.id}/${k}`,
          is_example: false,
          created_at: now,
        })),
      ),
    );
  }
  const hearings = await db('hearings').select('id', 'ubigeo').orderBy('id');
  await insertChunks(
    db,
    'commitments',
    Array.from({ length: COMMITMENTS }, (_, i) => {
      const h = hearings[i % hearings.length];
      const due = `${YEAR}-${String(1 + (i % 12)).padStart(2, '0')}-20`;
      const st = ['pendiente', 'en_proceso', 'cumplido', 'incumplido'][i % 4];
      return {
        hearing_id: h.id,
        ubigeo: h.ubigeo,
        text_es: `Compromiso ${i}`,
        due_on: due,
        baseline_due_on: due,
        status: st,
        fulfilled_on: st === 'cumplido' ? (i % 8 === 2 ? `${YEAR}-12-31` : `${YEAR}-01-10`) : null,
        is_example: false,
        created_at: now,
        updated_at: now,
      };
    }),
  );
}

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Client {
  cookie: string;
  csrf: string;
  started: string;
}

function call(port: number, method: string, p: string, cookie: string, body?: string): Promise<{ status: number; text: string; setCookie: string[]; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: p,
        agent: keepAlive,
        headers: { cookie, ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            setCookie: ([] as string[]).concat(res.headers['set-cookie'] ?? []),
            ms: Number(process.hrtime.bigint() - t0) / 1e6,
          }),
        );
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });
const cookieOf = (set: string[], prev: string) => set.find((c) => c.startsWith('ra.sid='))?.split(';')[0] ?? prev;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
  rps: number;
}

async function ratingLoad(db: Db, url: string): Promise<{ closed: Latency; open: Latency }> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'silent' });
  const hasher = createPasswordHasher('test');
  const password = 'bench password of enough length';
  const hash = await hasher.hash(password);
  const ids: number[] = [];
  for (let i = 0; i < RESIDENTS; i++) {
    const [id] = await db('users').insert({
      email: `load${i}@example.invalid`,
      password_hash: hash,
      role: 'resident',
      status: 'active',
      email_confirmed_at: STAMP,
      created_at: STAMP,
      updated_at: STAMP,
    });
    ids.push(Number(id));
  }
  const app = buildApp({
    config,
    db,
    logger: createLogger('silent'),
    i18n: createI18n(),
    ratingMinFillMs: 0,
    feedbackLimits: { ratingsPerHour: 1_000_000 },
    formLimits: { loginPerMinute: 1_000_000, registerPerHour: 1000, resetPerHour: 1000 },
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  const munis = (await db('municipalities').select('ubigeo').orderBy('ubigeo')).map((r: { ubigeo: string }) => r.ubigeo);
  const areas = (await db('service_areas').select('id')).map((r: { id: number }) => Number(r.id));
  try {
    const clients: Client[] = [];
    for (let i = 0; i < RESIDENTS; i++) {
      const lp = await call(port, 'GET', '/es/login', '');
      let cookie = cookieOf(lp.setCookie, '');
      const li = await call(port, 'POST', '/es/login', cookie, new URLSearchParams({ _csrf: csrfOf(lp.text), email: `load${i}@example.invalid`, password }).toString());
      if (li.status !== 302) throw new Error(`login ${li.status}`);
      cookie = cookieOf(li.setCookie, cookie);
      const form = await call(port, 'GET', `/es/municipalidades/${munis[(i * 37) % munis.length]}/calificar`, cookie);
      clients.push({ cookie, csrf: csrfOf(form.text), started: /name="started" value="([^"]+)"/.exec(form.text)![1] });
    }
    const post = async (c: Client, i: number, k: number) => {
      const ubigeo = munis[(i * 37 + k) % munis.length];
      const body = new URLSearchParams({ _csrf: c.csrf, started: c.started, target: `a${areas[k % areas.length]}`, score: String(1 + ((i + k) % 5)) }).toString();
      const r = await call(port, 'POST', `/es/municipalidades/${ubigeo}/calificar`, c.cookie, body);
      if (r.status !== 303) throw new Error(`rating post ${r.status}: ${r.text.slice(0, 200)}`);
      return r.ms;
    };
    const summary = (lat: number[], secs: number): Latency => {
      lat.sort((a, b) => a - b);
      return { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), max: lat[lat.length - 1], n: lat.length, rps: Math.round(lat.length / secs) };
    };
    // Closed loop (saturation): each of the 50 residents posts again as soon as the previous answer arrives.
    const closedLat: number[] = [];
    let t0 = Date.now();
    await Promise.all(
      clients.map(async (c, i) => {
        for (let k = 0; k < POSTS_PER_RESIDENT + 5; k++) {
          const ms = await post(c, i, k);
          if (k >= 5) closedLat.push(ms);
        }
      }),
    );
    const closed = summary(closedLat, (Date.now() - t0) / 1000);
    // Open loop: 50 residents each rating once a second (randomly phased) for OPEN_SECONDS.
    const openLat: number[] = [];
    const seconds = Number(process.env.BENCH_OPEN_SECONDS ?? 10);
    t0 = Date.now();
    await Promise.all(
      clients.map(async (c, i) => {
        await new Promise((r) => setTimeout(r, Math.random() * 1000));
        for (let k = 0; k < seconds; k++) {
          const started = Date.now();
          openLat.push(await post(c, i, 1000 + k));
          await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - started))));
        }
      }),
    );
    const open = summary(openLat, (Date.now() - t0) / 1000);
    return { closed, open };
  } finally {
    server.close();
    keepAlive.destroy();
  }
}

export async function benchScores(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-bench-scores-'));
  const base = new URL(process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
  let admin: mysql.Connection | null = null;
  try {
    admin = await mysql.createConnection({
      host: base.hostname,
      port: Number(base.port || 3306),
      user: decodeURIComponent(base.username),
      password: decodeURIComponent(base.password),
      connectTimeout: 2000,
    });
  } catch {
    process.stdout.write(`MariaDB not reachable at ${base.host}: MariaDB runs SKIPPED\n`);
  }
  const targets: Array<[string, string, () => Promise<void>]> = [['sqlite', `sqlite:${path.join(dir, 'bench.sqlite')}`, async () => undefined]];
  if (admin) {
    const name = `ra_bench_scores_${process.pid}_${crypto.randomBytes(2).toString('hex')}`;
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const u = new URL(base.toString());
    u.pathname = `/${name}`;
    targets.push(['mariadb', u.toString(), async () => void (await admin.query(`DROP DATABASE IF EXISTS \`${name}\``))]);
  }
  const lines: string[] = [];
  try {
    for (const [dialect, url, cleanup] of targets) {
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url });
      const db = createDb(config.db);
      try {
        await prepareDatabase(db, createLogger('silent'), true);
        const s0 = Date.now();
        await seed(db);
        const counts = await Promise.all(['ratings', 'pb_items', 'commitments', 'hearings'].map(async (tb) => `${tb} ${Number((await db(tb).count({ n: '*' }))[0].n)}`));
        process.stdout.write(`${dialect}: SYNTHETIC inputs inserted in ${((Date.now() - s0) / 1000).toFixed(1)} s (${counts.join(', ')})\n`);
        const scores = createScoresService({ db, clock: Date.now, audit: createAuditService() });
        const times: number[] = [];
        let rows = 0;
        for (let i = 0; i < 6; i++) {
          const t0 = process.hrtime.bigint();
          rows = await scores.recompute({ year: YEAR });
          if (i > 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        times.sort((a, b) => a - b);
        const med = times[Math.floor(times.length / 2)];
        const withS = Number((await db('scores').where({ year: YEAR }).whereNotNull('s').count({ n: '*' }))[0].n);
        lines.push(
          `${med < 1000 ? 'MET ' : 'MISS'} ${dialect} full recompute ${YEAR}: ${rows} municipalities (${withS} with S) in ${med.toFixed(0)} ms median of 5 (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}; target < 1000 ms)`,
        );
        process.stdout.write(`${lines[lines.length - 1]}\n`);
        const dept: number[] = [];
        for (const d of ['15', '08', '01', '20', '07']) {
          const t0 = process.hrtime.bigint();
          await scores.recompute({ year: YEAR, department: d });
          dept.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        process.stdout.write(`     ${dialect} one department recompute (after a rating): ${dept.map((d) => d.toFixed(1)).join(', ')} ms (Lima, Cusco, Amazonas, Piura, Callao)\n`);
        const load = await ratingLoad(db, url);
        const fmt = (l: Latency) => `${l.n} posts: p50 ${l.p50.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms, ${l.rps} posts/s`;
        lines.push(`${load.open.p99 < 20 ? 'MET ' : 'MISS'} ${dialect} rating POST over HTTP, ${RESIDENTS} residents rating once a second each: ${fmt(load.open)} (target p99 < 20 ms)`);
        process.stdout.write(`${lines[lines.length - 1]}\n`);
        lines.push(`     ${dialect} rating POST at saturation, ${RESIDENTS} residents posting back-to-back: ${fmt(load.closed)}`);
        process.stdout.write(`${lines[lines.length - 1]}\n`);
      } finally {
        await db.destroy();
        await cleanup();
      }
    }
  } finally {
    await admin?.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `machine: ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  return 0;
}
