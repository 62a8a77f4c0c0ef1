import type { Knex } from 'knex';

// Detailed MEF expenditure at the grain the pages need (goal, activity and specific item are
// summed away). Amounts are integer céntimos. The primary key starts with (ubigeo, year) so that
// one municipality-year is one contiguous index range.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mef_gasto_facts', (t) => {
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.integer('year').notNullable();
    t.smallint('month').notNullable();
    t.string('category', 4).notNullable();
    t.string('func', 2).notNullable();
    t.string('division', 3).notNullable();
    t.string('fgroup', 4).notNullable();
    t.string('fuente', 2).notNullable();
    t.string('rubro', 2).notNullable();
    t.string('generica', 2).notNullable();
    t.string('tipo', 1).notNullable();
    t.string('product', 20).notNullable();
    for (const c of ['pia', 'pim', 'certificacion', 'compromiso_anual', 'atencion_compromiso_mensual', 'devengado', 'girado']) {
      t.bigInteger(c).notNullable();
    }
    t.primary(['ubigeo', 'year', 'month', 'category', 'func', 'division', 'fgroup', 'fuente', 'rubro', 'generica', 'tipo', 'product'], 'mef_gasto_facts_pk');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mef_gasto_facts');
}
