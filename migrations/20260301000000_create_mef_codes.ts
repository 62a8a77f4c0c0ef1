import type { Knex } from 'knex';

// Names of MEF codes as the imported files spell them (list = category, function, source,
// rubro, generic, project). Spanish/English display names come from reference-data/.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mef_codes', (t) => {
    t.string('list', 12).notNullable();
    t.string('code', 20).notNullable();
    t.string('name', 400).notNullable();
    t.primary(['list', 'code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mef_codes');
}
