import type { Knex } from 'knex';

// Pre-summed breakdowns refreshed by each import: one row per level (municipality, province,
// department, national) × area × year × breakdown × code. Pages read only these.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mef_gasto_rollups', (t) => {
    t.string('level', 12).notNullable();
    t.string('area', 6).notNullable();
    t.integer('year').notNullable();
    t.string('dim', 10).notNullable();
    t.string('code', 20).notNullable();
    t.string('parent', 20).notNullable();
    for (const c of ['pia', 'pim', 'certificacion', 'compromiso_anual', 'atencion_compromiso_mensual', 'devengado', 'girado']) {
      t.bigInteger(c).notNullable();
    }
    t.primary(['level', 'area', 'year', 'dim', 'code'], 'mef_gasto_rollups_pk');
    t.index(['level', 'year', 'dim'], 'mef_gasto_rollups_level_year_dim');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mef_gasto_rollups');
}
