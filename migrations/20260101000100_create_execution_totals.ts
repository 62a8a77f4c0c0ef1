import type { Knex } from 'knex';

// Amounts are integer céntimos (BIGINT): exact on SQLite and MySQL alike.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('execution_years', (t) => {
    t.string('source', 40).notNullable(); // consulta_amigable | mef_gasto
    t.integer('year').notNullable();
    t.date('cut_off').notNullable();
    t.boolean('partial').notNullable();
    t.string('label', 200).notNullable();
    t.primary(['source', 'year']);
  });
  await knex.schema.createTable('execution_totals', (t) => {
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.integer('year').notNullable();
    t.string('source', 40).notNullable();
    for (const c of ['pia', 'pim', 'certificacion', 'compromiso_anual', 'atencion_compromiso_mensual', 'devengado', 'girado']) {
      t.bigInteger(c).notNullable();
    }
    t.primary(['ubigeo', 'year', 'source']);
    t.index(['year', 'source']);
  });
  await knex.schema.createTable('import_runs', (t) => {
    t.increments('id').primary();
    t.string('kind', 40).notNullable();
    t.string('file_name', 255).notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('row_count').notNullable();
    t.integer('changed').notNullable();
    t.timestamp('imported_at').notNullable();
    t.index(['kind', 'sha256']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('import_runs');
  await knex.schema.dropTable('execution_totals');
  await knex.schema.dropTable('execution_years');
}
