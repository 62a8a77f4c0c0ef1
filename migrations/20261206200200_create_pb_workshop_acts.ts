import type { Knex } from 'knex';

// The signed act of a participatory budget workshop (issue 13), uploaded by the official with the
// tally: a PDF under UPLOADS_DIR (random name), its SHA-256 and size. A correction adds a row with
// its public reason; earlier acts stay downloadable (never replaced in silence).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pb_workshop_acts', (t) => {
    t.increments('id').primary();
    t.integer('process_id').unsigned().notNullable().references('id').inTable('pb_processes').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.string('file_name', 64).notNullable();
    t.string('original_name', 255).notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('size_bytes').unsigned().notNullable();
    t.text('reason').nullable(); // required for a correction
    t.string('actor_role', 16).notNullable();
    t.string('actor_ubigeo', 6).nullable();
    t.string('uploaded_at', 24).notNullable();
    t.index(['process_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pb_workshop_acts');
}
