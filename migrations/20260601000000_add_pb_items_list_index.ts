import type { Knex } from 'knex';

// The public item list is ordered by year (newest first), municipality, priority and id, and is
// read a page at a time: this index gives that order without sorting every item.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX pb_items_list_order ON pb_items (year DESC, ubigeo, priority, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pb_items', (t) => {
    t.dropIndex([], 'pb_items_list_order');
  });
}
