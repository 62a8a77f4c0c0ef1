import type { Knex } from 'knex';

const mysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

// A web upload waiting for, or run by, the job queue: its file (until it is done), its progress
// and its result, read by the job page from any instance.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_jobs', (t) => {
    t.increments('id').primary();
    t.string('kind', 20).notNullable(); // items | commitments | mef_gasto
    t.string('ubigeo', 6).notNullable();
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('file_name', 255).notNullable();
    t.specificType('payload', mysql(knex) ? 'longblob' : 'blob').nullable(); // emptied once finished
    t.string('status', 12).notNullable(); // queued | running | done | rejected | unchanged | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('rows_total').nullable(); // known before the run for participation CSVs
    t.integer('rows_read').notNullable().defaultTo(0);
    t.integer('total_bytes').notNullable().defaultTo(0);
    t.integer('bytes_read').notNullable().defaultTo(0);
    t.integer('errors_so_far').notNullable().defaultTo(0);
    t.text('result_json').nullable();
    t.string('created_at', 24).notNullable();
    t.string('started_at', 24).nullable();
    t.string('updated_at', 24).nullable();
    t.string('finished_at', 24).nullable();
    t.index(['ubigeo', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('import_jobs');
}
