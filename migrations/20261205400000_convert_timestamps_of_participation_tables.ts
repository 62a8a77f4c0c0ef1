import type { Knex } from 'knex';

// Every time the app stores is ISO-8601 UTC text, 24 characters ('2026-01-31T14:05:09.123Z'),
// as users, ratings, follows, observations and the public record already did: the same value on
// SQLite and MariaDB, ordered as text, no session time zone and no 2038 limit. These six tables
// had TIMESTAMP columns holding 'YYYY-MM-DD HH:MM:SS' (UTC digits), next to withdrawn_at as ISO
// text in the same rows. On MariaDB the columns become VARCHAR(24); on SQLite, where a column
// holds whatever value it is given, only the values change (rebuilding these tables there would
// cascade through their foreign keys inside the migration's transaction).
const COLUMNS: Array<[string, string[]]> = [
  ['pb_processes', ['created_at', 'updated_at']],
  ['pb_items', ['created_at', 'updated_at']],
  ['hearings', ['created_at', 'updated_at']],
  ['commitments', ['created_at', 'updated_at']],
  ['pb_milestones', ['created_at']],
  ['commitment_updates', ['created_at']],
];

const mysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

export async function up(knex: Knex): Promise<void> {
  for (const [table, columns] of COLUMNS) {
    for (const c of columns) {
      if (mysql(knex)) {
        // TIMESTAMP → text gives the digits as written (same session time zone), then the ISO form.
        await knex.raw('ALTER TABLE ?? MODIFY ?? VARCHAR(24) NOT NULL', [table, c]);
        await knex.raw("UPDATE ?? SET ?? = CONCAT(REPLACE(LEFT(??, 19), ' ', 'T'), '.000Z') WHERE ?? NOT LIKE '%Z'", [table, c, c, c]);
      } else {
        await knex.raw("UPDATE ?? SET ?? = strftime('%Y-%m-%dT%H:%M:%fZ', ??) WHERE ?? NOT LIKE '%Z'", [table, c, c, c]);
      }
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, columns] of COLUMNS) {
    for (const c of columns) {
      await knex.raw("UPDATE ?? SET ?? = REPLACE(SUBSTR(??, 1, 19), 'T', ' ')", [table, c, c]);
      if (mysql(knex)) await knex.raw('ALTER TABLE ?? MODIFY ?? TIMESTAMP NOT NULL', [table, c]);
    }
  }
}
