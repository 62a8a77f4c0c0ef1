import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { mysqlServerOptions, mysqlTemplatePrefix } from './run';

/** Drops this run's MariaDB template databases and removes its temporary folder (SQLite templates, outboxes, uploads). */
export default async function globalTeardown(): Promise<void> {
  if (process.env.RA_TEST_MYSQL) {
    const conn = await mysql.createConnection(mysqlServerOptions(new URL(process.env.RA_TEST_MYSQL)));
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE ?', [`${mysqlTemplatePrefix().replace(/_/g, '\\_')}%`]);
      for (const r of rows) await conn.query(`DROP DATABASE IF EXISTS \`${String(r.s)}\``);
    } finally {
      await conn.end();
    }
  }
  if (process.env.RA_TEST_TMP) fs.rmSync(process.env.RA_TEST_TMP, { recursive: true, force: true });
}
