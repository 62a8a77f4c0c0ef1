import type { Knex } from 'knex';

const AMOUNTS = ['pia', 'pim', 'certificacion', 'compromiso_anual', 'atencion_compromiso_mensual', 'devengado', 'girado'];

// Fourteen years of history (issue 12). Predecessors: municipalities of past years that are not in
// today's directory (two Loreto districts of 2012–2015), each linked to its successor; their
// execution is kept apart so that it can never be added to the successor's series. Revenue:
// collected amounts per municipality (or predecessor) and year, céntimos (BIGINT); the rubro
// columns are NULL where MEF records nothing.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('municipality_predecessors', (t) => {
    t.string('ubigeo', 6).primary();
    t.string('sec_ejec', 10).notNullable();
    t.string('name_mef', 200).notNullable();
    t.string('department_code', 2).notNullable().references('code').inTable('departments');
    t.string('province_code', 4).notNullable();
    t.integer('first_year').notNullable();
    t.integer('last_year').notNullable();
    t.string('successor_ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.index(['successor_ubigeo']);
  });
  await knex.schema.createTable('predecessor_execution', (t) => {
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipality_predecessors');
    t.integer('year').notNullable();
    t.string('source', 40).notNullable();
    for (const c of AMOUNTS) t.bigInteger(c).notNullable();
    t.primary(['ubigeo', 'year', 'source']);
  });
  await knex.schema.createTable('revenue_totals', (t) => {
    // A municipality of the directory or a predecessor (municipality_predecessors): no foreign key.
    t.string('ubigeo', 6).notNullable();
    t.integer('year').notNullable();
    t.string('department_code', 2).notNullable();
    t.bigInteger('total').notNullable();
    t.bigInteger('own_taxes').nullable();
    t.bigInteger('canon').nullable();
    t.primary(['ubigeo', 'year']);
    t.index(['year', 'department_code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('revenue_totals');
  await knex.schema.dropTable('predecessor_execution');
  await knex.schema.dropTable('municipality_predecessors');
}
