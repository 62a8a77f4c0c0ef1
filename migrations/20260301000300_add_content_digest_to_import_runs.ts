import type { Knex } from 'knex';

// Lets an importer recognise a file whose content was already imported even when its bytes
// differ (another encoding, a BOM, rows in another order), and which years a run covered.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.string('content_digest', 64).nullable();
    t.string('years', 200).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.dropColumn('years');
    t.dropColumn('content_digest');
  });
}
