import type { Knex } from 'knex';

// Accountability hearings (audiencias públicas; Ley 27972 art. 119-A: May and September).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('hearings', (t) => {
    t.increments('id').primary();
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.date('held_on').notNullable();
    t.date('period_from').nullable();
    t.date('period_to').nullable();
    t.string('place', 300).nullable();
    t.string('link', 500).nullable();
    t.string('report_file', 100).nullable(); // random name of the stored PDF, outside the web root
    t.string('report_original_name', 255).nullable();
    t.text('summary_es').nullable();
    t.text('summary_en').nullable();
    t.integer('attendance').nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.timestamp('created_at').notNullable();
    t.timestamp('updated_at').notNullable();
    t.index(['ubigeo', 'held_on']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hearings');
}
