import type { Knex } from 'knex';

// Score component I (indicators on track, issue 17): a column in scores and its weight, 0 until an admin sets one.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('scores', (t) => {
    t.decimal('i', 6, 2).nullable();
  });
  await knex.schema.alterTable('score_weights', (t) => {
    t.decimal('w_i', 5, 3).notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('scores', (t) => {
    t.dropColumn('i');
  });
  await knex.schema.alterTable('score_weights', (t) => {
    t.dropColumn('w_i');
  });
}
