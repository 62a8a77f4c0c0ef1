import type { Knex } from 'knex';

// Who a proposal is from (issue 13: "a signed-in resident or a registered organisation submits a
// proposal"): a resident, or an approved monitor on behalf of their organisation, whose name is
// kept as it was when the proposal was made (never an email).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pb_proposals', (t) => {
    t.string('proposer_type', 12).notNullable().defaultTo('resident'); // resident | organisation
    t.string('org_name', 200).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pb_proposals', (t) => {
    t.dropColumn('org_name');
    t.dropColumn('proposer_type');
  });
}
