import type { Knex } from 'knex';

// The results chain (issue 17): a municipality's development plan (PDLC) and its objectives,
// indicators with yearly targets and actuals, their links to PB items and commitments, and the
// public append-only history of every published target or actual.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('results_plans', (t) => {
    t.increments('id').primary();
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.string('title_es', 300).notNullable();
    t.string('title_en', 300).nullable();
    t.integer('period_from').notNullable();
    t.integer('period_to').notNullable();
    t.string('document_url', 500).nullable();
    t.string('ordinance', 200).nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.unique(['ubigeo', 'period_from']);
  });
  await knex.schema.createTable('results_objectives', (t) => {
    t.increments('id').primary();
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('results_plans').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable();
    t.string('code', 20).notNullable();
    t.string('text_es', 1000).notNullable();
    t.string('text_en', 1000).nullable();
    t.string('gap_es', 500).nullable();
    t.string('gap_en', 500).nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.unique(['ubigeo', 'code']);
    t.index(['plan_id']);
  });
  await knex.schema.createTable('results_indicators', (t) => {
    t.increments('id').primary();
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.string('code', 20).notNullable();
    t.string('name_es', 500).notNullable();
    t.string('name_en', 500).nullable();
    t.string('level', 24).notNullable();
    t.string('type', 16).notNullable();
    t.string('unit', 60).notNullable();
    t.string('direction', 4).notNullable().defaultTo('up');
    t.decimal('baseline_value', 16, 4).nullable();
    t.integer('baseline_year').nullable();
    t.integer('objective_id').unsigned().nullable().references('id').inTable('results_objectives');
    t.integer('parent_id').unsigned().nullable().references('id').inTable('results_indicators');
    t.string('pp_code', 10).nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.unique(['ubigeo', 'code']);
    t.index(['level', 'type']);
  });
  await knex.schema.createTable('results_links', (t) => {
    t.integer('indicator_id').unsigned().notNullable().references('id').inTable('results_indicators').onDelete('CASCADE');
    t.string('link_type', 12).notNullable(); // pb_item | commitment
    t.integer('link_id').unsigned().notNullable();
    t.primary(['indicator_id', 'link_type', 'link_id']);
  });
  await knex.schema.createTable('results_values', (t) => {
    t.integer('indicator_id').unsigned().notNullable().references('id').inTable('results_indicators').onDelete('CASCADE');
    t.integer('year').notNullable();
    t.string('ubigeo', 6).notNullable();
    t.decimal('target', 16, 4).nullable();
    t.decimal('baseline_target', 16, 4).nullable(); // the first published target: flags and the score judge against it
    t.decimal('actual', 16, 4).nullable();
    t.string('actual_source', 300).nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.string('updated_at', 24).notNullable();
    t.primary(['indicator_id', 'year']);
    t.index(['ubigeo', 'year']);
    t.index(['year']);
  });
  await knex.schema.createTable('results_history', (t) => {
    t.increments('id').primary();
    t.integer('indicator_id').unsigned().notNullable().references('id').inTable('results_indicators').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable();
    t.integer('year').nullable();
    t.string('at', 24).notNullable();
    t.string('kind', 12).notNullable(); // created | changed
    t.string('field', 24).nullable();
    t.string('old_value', 300).nullable();
    t.string('new_value', 300).nullable();
    t.string('reason', 1000).nullable();
    t.string('actor_role', 16).nullable();
    t.string('actor_ubigeo', 6).nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.index(['indicator_id']);
  });
  // Web CSV imports (the per-user hourly limit counts them).
  await knex.schema.createTable('results_imports', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().nullable();
    t.string('ubigeo', 6).notNullable();
    t.string('kind', 16).notNullable();
    t.string('status', 12).notNullable();
    t.integer('rows').notNullable();
    t.string('created_at', 24).notNullable();
    t.index(['user_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['results_imports', 'results_history', 'results_values', 'results_links', 'results_indicators', 'results_objectives', 'results_plans']) await knex.schema.dropTable(t);
}
