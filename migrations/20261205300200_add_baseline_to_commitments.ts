import type { Knex } from 'knex';

// The first published due date of a commitment (its baseline). Existing rows take their current one.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('commitments', (t) => {
    t.date('baseline_due_on').nullable();
  });
  await knex('commitments').update({ baseline_due_on: knex.ref('due_on') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('commitments', (t) => {
    t.dropColumn('baseline_due_on');
  });
}
