import type { Knex } from 'knex';

// A spending import run made for one municipality (an official's MEF upload) names it; a
// national file leaves it null. Digests tell a municipality's followers about new figures.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.string('ubigeo', 6).nullable();
    t.index(['imported_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.dropIndex(['imported_at']);
    t.dropColumn('ubigeo');
  });
}
