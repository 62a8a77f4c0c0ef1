import type { Knex } from 'knex';

// Computed results score per municipality and year (recomputed from the inputs, never edited).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('scores', (t) => {
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.integer('year').notNullable();
    for (const c of ['s', 'e', 'r', 'p', 'a', 'score']) t.decimal(c, 6, 2).nullable();
    t.decimal('coverage', 5, 3).notNullable();
    t.integer('n_ratings').notNullable();
    t.decimal('mean_rating', 6, 4).nullable();
    t.decimal('dept_mean', 6, 4).nullable();
    t.integer('weights_id').notNullable();
    t.string('computed_at', 24).notNullable();
    t.primary(['ubigeo', 'year']);
    t.index(['year', 'score']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scores');
}
