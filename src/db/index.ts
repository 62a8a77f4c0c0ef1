import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';
import type { DbConfig } from '../config';
import { migrationSource } from '../../migrations';

export type Db = Knex;

interface SqliteStatement {
  busy: boolean;
}
interface SqliteConnection {
  pragma: (s: string) => unknown;
  prepare: (sql: string) => SqliteStatement;
}

/**
 * knex prepares every query anew; pages run the same few dozen statements on every request, so
 * the connection keeps its prepared query statements by SQL text (most recently used 500). A statement
 * still iterating (a streamed download) is busy: the query then gets a fresh one.
 */
function cachePreparedStatements(conn: SqliteConnection, max = 500): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, SqliteStatement>();
  conn.prepare = (sql: string) => {
    // Only queries are kept: a kept schema statement (a migration's `create unique index …` run
    // again after its table was rebuilt) intermittently left the rebuilt table without its key.
    if (!/^\s*(select|insert|update|delete|with)\b/i.test(sql)) return prepare(sql);
    const kept = cache.get(sql);
    if (kept && !kept.busy) {
      cache.delete(sql); // most recently used last
      cache.set(sql, kept);
      return kept;
    }
    const fresh = prepare(sql);
    if (!kept) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(sql, fresh);
    }
    return fresh;
  };
}

/** Builds the knex instance for SQLite (embedded default) or MySQL/MariaDB. */
export function createDb(cfg: DbConfig): Db {
  if (cfg.client === 'sqlite') {
    if (cfg.filename !== ':memory:') fs.mkdirSync(path.dirname(cfg.filename), { recursive: true });
    return knex({
      client: 'better-sqlite3',
      connection: { filename: cfg.filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, c: unknown) => void) {
          cachePreparedStatements(conn);
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  }
  const url = new URL(cfg.url);
  return knex({
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.replace(/^\//, ''),
      charset: 'utf8mb4',
      decimalNumbers: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      dateStrings: true,
      timezone: 'Z',
      connectTimeout: 5000,
    },
    pool: { min: 0, max: cfg.poolMax },
    acquireConnectionTimeout: 5000,
  });
}

export function isMysql(db: Db): boolean {
  return db.client.config.client === 'mysql2';
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = await db.migrate.latest({ migrationSource });
  return applied as string[];
}

/** Cheap readiness probe. */
export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}

/**
 * True when an insert failed only because a unique or primary key already holds the value
 * (SQLite SQLITE_CONSTRAINT_PRIMARYKEY/UNIQUE, MySQL/MariaDB ER_DUP_ENTRY 1062); any other
 * database error is not this and must surface.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; errno?: number };
  return e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'ER_DUP_ENTRY' || e.errno === 1062;
}

/**
 * Upserts many rows in one transaction, fast on both databases: on SQLite one prepared
 * statement run per row (no SQL to build, no compound-SELECT limit), on MySQL/MariaDB multi-row
 * INSERT … ON DUPLICATE KEY UPDATE of `perStatement` rows. Every row has the keys of `columns`.
 */
export async function bulkUpsert(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: Record<string, unknown>[],
  conflict: readonly string[],
  merge: readonly string[],
  perStatement = 1000,
): Promise<void> {
  if (rows.length === 0) return;
  if (!isMysql(trx)) {
    // Inside a transaction knex hands out the transaction's own connection (a better-sqlite3 Database).
    const conn = (await trx.client.acquireConnection()) as { prepare(sql: string): { run(...values: unknown[]): unknown } };
    const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
    const sql =
      `insert into ${q(table)} (${columns.map(q).join(', ')}) values (${columns.map(() => '?').join(', ')}) ` +
      `on conflict (${conflict.map(q).join(', ')}) do ${merge.length ? `update set ${merge.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}` : 'nothing'}`;
    const stmt = conn.prepare(sql);
    for (const r of rows) stmt.run(...columns.map((c) => (typeof r[c] === 'boolean' ? Number(r[c]) : (r[c] ?? null))));
    return;
  }
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement).map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
    await trx(table)
      .insert(chunk)
      .onConflict([...conflict])
      .merge([...merge]);
  }
}

/**
 * A row as its type, whatever the driver answered (MariaDB: DECIMAL and BIGINT as strings;
 * both: flags as 0/1): `numbers` as numbers, `nullable` as numbers or null, `counts` as numbers
 * (0 when absent), `flags` as booleans (true, 1 or '1'). The other columns stay as they are.
 */
export function typedRow<T>({ numbers = [], nullable = [], counts = [], flags = [] }: { numbers?: string[]; nullable?: string[]; counts?: string[]; flags?: string[] }) {
  return (r: Record<string, unknown>): T => {
    const out: Record<string, unknown> = { ...r };
    for (const c of numbers) out[c] = Number(r[c]);
    for (const c of nullable) out[c] = r[c] == null ? null : Number(r[c]);
    for (const c of counts) out[c] = Number(r[c] ?? 0);
    for (const c of flags) out[c] = r[c] === true || r[c] === 1 || r[c] === '1';
    return out as T;
  };
}
