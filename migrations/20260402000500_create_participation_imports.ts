import type { Knex } from 'knex';

// Bulk CSV imports by officials: one running import per municipality (the unique lock row),
// and the per-user history used for the rate limit and the status page.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_locks', (t) => {
    t.string('lock_key', 40).primary();
    t.string('acquired_at', 24).notNullable();
  });
  await knex.schema.createTable('participation_imports', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('ubigeo', 6).notNullable();
    t.string('kind', 20).notNullable();
    t.string('status', 12).notNullable(); // done | rejected
    t.integer('rows').notNullable().defaultTo(0);
    t.text('report_json').nullable();
    t.string('created_at', 24).notNullable();
    t.index(['user_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('participation_imports');
  await knex.schema.dropTable('import_locks');
}
