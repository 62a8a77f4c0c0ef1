import type { Knex } from 'knex';

// The first published planned end and cost of an item (its baseline, never changed again), and
// withdrawal instead of deletion. Existing items take their current values as baseline.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pb_items', (t) => {
    t.date('baseline_planned_end').nullable();
    t.bigInteger('baseline_total_cost').nullable(); // céntimos
    t.string('withdrawn_at', 24).nullable();
    t.text('withdrawn_reason').nullable();
  });
  await knex('pb_items').update({ baseline_planned_end: knex.ref('planned_end'), baseline_total_cost: knex.ref('total_cost') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pb_items', (t) => {
    t.dropColumn('baseline_planned_end');
    t.dropColumn('baseline_total_cost');
    t.dropColumn('withdrawn_at');
    t.dropColumn('withdrawn_reason');
  });
}
