import type { Knex } from 'knex';

// Whether a year's cut-off date is only approximately known (published as cut_off_approximate).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('execution_years', (t) => {
    t.boolean('cut_off_approximate').notNullable().defaultTo(false);
  });
  // Databases loaded before this column: the bundled 2025 snapshot's cut-off (8 March 2025) is approximate.
  await knex('execution_years').where({ source: 'consulta_amigable', year: 2025 }).where('cut_off', '2025-03-08').update({ cut_off_approximate: true });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('execution_years', (t) => {
    t.dropColumn('cut_off_approximate');
  });
}
