import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { prepareDatabase } from '../../src/bootstrap';
import { Config, loadConfig } from '../../src/config';
import { createDb, Db } from '../../src/db';
import { createLogger } from '../../src/lib/logger';
import { mysqlServerOptions, mysqlTemplatePrefix } from './run';

export type Dialect = 'sqlite' | 'mysql';

/** The databases this run can test against: SQLite always, MariaDB when reachable (always in CI). */
export function dialects(): Dialect[] {
  return process.env.RA_TEST_MYSQL ? ['sqlite', 'mysql'] : ['sqlite'];
}

/** describe.each over both databases, with a visible note when MariaDB is skipped. */
export const eachDialect = describe.each(dialects().map((d) => [d] as [Dialect]));

if (!process.env.RA_TEST_MYSQL && process.env.CI !== 'true') {
  // Visible in the jest output of every file that runs integration tests.
  // eslint-disable-next-line no-console -- a note in the jest output on purpose
  console.info('MariaDB not available: only SQLite is tested in this file (MySQL SKIPPED).');
}

export interface TestDb {
  db: Db;
  config: Config;
  dialect: Dialect;
  cleanup: () => Promise<void>;
}

const silent = createLogger('silent');

/**
 * The migrated (and seeded) SQLite file every SQLite test database of these options starts as a
 * copy of: built once per run and jest worker (a file in the run's temporary folder, so every test
 * file of the worker shares it), not migrated and loaded again for each of them.
 */
async function sqliteTemplate(seed: boolean, history: boolean): Promise<string> {
  const file = path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), `template-${seed ? 'seeded' : 'empty'}${history ? '-history' : ''}-${process.env.JEST_WORKER_ID ?? process.pid}.sqlite`);
  if (fs.existsSync(file)) return file;
  const building = `${file}.${process.pid}.${crypto.randomBytes(3).toString('hex')}`;
  const db = createDb(loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${building}` }).db);
  try {
    await prepareDatabase(db, silent, seed, true, history);
    await db.raw('pragma wal_checkpoint(TRUNCATE)');
  } finally {
    await db.destroy();
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(building + suffix, { force: true });
  fs.renameSync(building, file);
  return file;
}

/** A MariaDB database every test database of these options is created from: its name, its tables and their `CREATE TABLE` statements. */
interface MysqlTemplate {
  name: string;
  tables: string[];
  creates: string[];
}

/**
 * The MariaDB counterpart of `sqliteTemplate`: a database migrated (and seeded) once per run, jest
 * worker and options; each test database is then created from its `SHOW CREATE TABLE` statements
 * (indexes and foreign keys included) and filled with `INSERT … SELECT`. Running the 56 migrations
 * costs about 150 statements (each index and foreign key is its own `ALTER TABLE`): about 1.3 s
 * quiet and 3–8 s while the suite runs, against about 0.2 s for the copy. Kept in a JSON file of
 * the run's temporary folder (written once complete); global-teardown drops this run's templates.
 */
async function mysqlTemplate(base: URL, seed: boolean, history: boolean): Promise<MysqlTemplate> {
  const key = `${seed ? 's' : 'e'}${history ? 'h' : ''}_${process.env.JEST_WORKER_ID ?? process.pid}`;
  const file = path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), `template-mysql-${key}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as MysqlTemplate;
  const name = `${mysqlTemplatePrefix()}${key}_${crypto.randomBytes(2).toString('hex')}`;
  const admin = await mysql.createConnection(mysqlServerOptions(base));
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const url = new URL(base.toString());
    url.pathname = `/${name}`;
    const db = createDb(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url.toString() }).db);
    try {
      await prepareDatabase(db, silent, seed, true, history);
    } finally {
      await db.destroy();
    }
    const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT table_name AS t, table_type AS k FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name`, [name]);
    const other = rows.filter((r) => r.k !== 'BASE TABLE');
    if (other.length) throw new Error(`the test template cannot copy ${other.map((r) => `${r.t} (${r.k})`).join(', ')}`);
    const tables = rows.map((r) => String(r.t));
    const creates: string[] = [];
    for (const table of tables) {
      const [[row]] = await admin.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE \`${name}\`.\`${table}\``);
      creates.push(String(row['Create Table']));
    }
    const template: MysqlTemplate = { name, tables, creates };
    const building = `${file}.${process.pid}.${crypto.randomBytes(3).toString('hex')}`;
    fs.writeFileSync(building, JSON.stringify(template));
    fs.renameSync(building, file);
    return template;
  } finally {
    await admin.end();
  }
}

/**
 * A fresh, migrated database; seeded with the bundled reference data unless `seed` is false.
 * `history` also loads 2012–2022 (execution and revenue, 41 000 rows): off by default to keep
 * every test database fast; tests of the history ask for it (production always loads it).
 */
export async function createTestDb(dialect: Dialect, { seed = true, history = false }: { seed?: boolean; history?: boolean } = {}): Promise<TestDb> {
  const name = `ra_t_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  /** The migrated (and seeded) database at `url`; its cleanup closes it, then `drop` removes it. */
  const open = async (url: string, drop: () => Promise<void>): Promise<TestDb> => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url });
    const db = createDb(config.db);
    await prepareDatabase(db, silent, seed, true, history);
    return {
      db,
      config,
      dialect,
      cleanup: async () => {
        await db.destroy();
        await drop();
      },
    };
  };
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), 'db-'));
    const file = path.join(dir, `${name}.sqlite`);
    // A copy of the migrated (and seeded) template; prepareDatabase below then finds nothing to do.
    fs.copyFileSync(await sqliteTemplate(seed, history), file);
    return open(`sqlite:${file}`, async () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  const base = new URL(process.env.RA_TEST_MYSQL!);
  const admin = await mysql.createConnection({ ...mysqlServerOptions(base), multipleStatements: true });
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  try {
    // A copy of the migrated (and seeded) template: its tables, created whole, and its rows.
    const template = await mysqlTemplate(base, seed, history);
    await admin.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; USE \`${name}\`; SET FOREIGN_KEY_CHECKS = 0; ` +
        template.creates.join(';\n') +
        ';\n' +
        template.tables.map((table) => `INSERT INTO \`${table}\` SELECT * FROM \`${template.name}\`.\`${table}\``).join(';\n') +
        '; SET FOREIGN_KEY_CHECKS = 1',
    );
  } catch (err) {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
    throw err;
  }
  // prepareDatabase below then finds nothing to do.
  return open(url.toString(), async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  });
}
