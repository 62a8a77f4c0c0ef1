import type { Knex } from 'knex';

// A counter per kind of derived data, bumped in the transaction that rewrites it, so every
// process can keep what it computed from that data until the counter moves (scores: each
// recompute, wherever it runs — the app after a rating, the CLI, an import).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('data_versions', (t) => {
    t.string('name', 40).primary();
    t.bigInteger('version').notNullable().defaultTo(0);
  });
  await knex('data_versions').insert({ name: 'scores', version: 0 });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('data_versions');
}
