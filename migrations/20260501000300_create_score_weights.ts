import type { Knex } from 'knex';

// Weights of the results score; every change is a new row (the history), the latest is in force.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('score_weights', (t) => {
    t.increments('id').primary();
    for (const c of ['w_s', 'w_e', 'w_r', 'w_p', 'w_a']) t.decimal(c, 5, 3).notNullable();
    t.string('valid_from', 24).notNullable();
    t.string('set_by', 254).notNullable();
    t.string('note', 300).nullable();
  });
  await knex('score_weights').insert({ w_s: 0.3, w_e: 0.25, w_r: 0.15, w_p: 0.15, w_a: 0.15, valid_from: '2026-05-01T00:00:00.000Z', set_by: 'DESIGN.md', note: 'default' });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('score_weights');
}
