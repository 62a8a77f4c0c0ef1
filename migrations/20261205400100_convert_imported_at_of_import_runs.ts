import type { Knex } from 'knex';

// import_runs.imported_at joins the one representation of stored times: ISO-8601 UTC text of 24
// characters (see 20261205400000). It was written as a JavaScript Date: a TIMESTAMP on MariaDB
// (UTC digits, the driver runs with timezone 'Z') and milliseconds since 1970 on SQLite.
const mysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

export async function up(knex: Knex): Promise<void> {
  if (mysql(knex)) {
    await knex.raw('ALTER TABLE import_runs MODIFY imported_at VARCHAR(24) NOT NULL');
    await knex.raw("UPDATE import_runs SET imported_at = CONCAT(REPLACE(LEFT(imported_at, 19), ' ', 'T'), '.000Z') WHERE imported_at NOT LIKE '%Z'");
  } else {
    await knex.raw(
      "UPDATE import_runs SET imported_at = CASE WHEN typeof(imported_at) IN ('integer', 'real') THEN strftime('%Y-%m-%dT%H:%M:%fZ', imported_at / 1000.0, 'unixepoch') ELSE strftime('%Y-%m-%dT%H:%M:%fZ', imported_at) END WHERE typeof(imported_at) <> 'text' OR imported_at NOT LIKE '%Z'",
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  if (mysql(knex)) {
    await knex.raw("UPDATE import_runs SET imported_at = REPLACE(LEFT(imported_at, 19), 'T', ' ')");
    await knex.raw('ALTER TABLE import_runs MODIFY imported_at TIMESTAMP NOT NULL');
  } else {
    await knex.raw('UPDATE import_runs SET imported_at = CAST(ROUND((julianday(imported_at) - 2440587.5) * 86400000) AS INTEGER)');
  }
}
