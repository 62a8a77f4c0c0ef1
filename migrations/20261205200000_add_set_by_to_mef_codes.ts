import type { Knex } from 'knex';

// Who set each MEF code name: 'cli', 'admin:<user id>', 'official:<user id>' (null: set before
// this column existed). A web upload by an official only inserts missing codes; it never
// overwrites a name that another source set.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mef_codes', (t) => {
    t.string('set_by', 40).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mef_codes', (t) => {
    t.dropColumn('set_by');
  });
}
