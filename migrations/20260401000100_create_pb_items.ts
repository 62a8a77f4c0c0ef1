import type { Knex } from 'knex';

// Prioritised projects of a participatory budget process. Money in integer céntimos.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pb_items', (t) => {
    t.increments('id').primary();
    t.integer('process_id').unsigned().notNullable().references('id').inTable('pb_processes').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.integer('year').notNullable();
    t.integer('priority').notNullable();
    t.string('title_es', 300).notNullable();
    t.string('title_en', 300).nullable();
    t.text('description_es').nullable();
    t.text('description_en').nullable();
    t.string('cui', 20).nullable();
    t.bigInteger('total_cost').notNullable(); // céntimos
    t.bigInteger('pia_amount').nullable(); // céntimos
    t.string('funding_source', 100).nullable();
    t.integer('beneficiaries').nullable();
    t.decimal('latitude', 10, 6).nullable();
    t.decimal('longitude', 10, 6).nullable();
    t.string('district_ubigeo', 6).nullable();
    t.date('start_date').nullable();
    t.date('planned_end').nullable();
    t.string('status', 30).notNullable(); // en_formulacion | en_ejecucion | culminado | paralizado | …
    t.decimal('progress_pct', 5, 2).notNullable().defaultTo(0);
    t.date('finished_on').nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.timestamp('created_at').notNullable();
    t.timestamp('updated_at').notNullable();
    t.index(['ubigeo', 'year']);
    t.index(['cui']);
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pb_items');
}
