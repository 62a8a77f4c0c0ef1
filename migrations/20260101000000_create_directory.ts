import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('departments', (t) => {
    t.string('code', 2).primary();
    t.string('name', 80).notNullable();
    t.string('name_search', 80).notNullable();
    t.string('name_mef', 80).notNullable();
    t.string('iso_3166_2', 6).notNullable();
    t.string('capital', 80).notNullable();
    t.integer('population').notNullable();
    t.decimal('surface_km2', 12, 2).nullable();
    t.decimal('latitude', 10, 6).nullable();
    t.decimal('longitude', 10, 6).nullable();
  });
  await knex.schema.createTable('provinces', (t) => {
    t.string('code', 4).primary();
    t.string('department_code', 2).notNullable().references('code').inTable('departments');
    t.string('name', 80).notNullable();
    t.string('name_search', 80).notNullable();
    t.string('capital', 80).notNullable();
    t.integer('population').notNullable();
    t.decimal('surface_km2', 12, 2).nullable();
    t.decimal('latitude', 10, 6).nullable();
    t.decimal('longitude', 10, 6).nullable();
    t.index(['department_code']);
  });
  await knex.schema.createTable('municipalities', (t) => {
    t.string('ubigeo', 6).primary();
    t.string('department_code', 2).notNullable().references('code').inTable('departments');
    t.string('province_code', 4).notNullable().references('code').inTable('provinces');
    t.string('district', 100).notNullable();
    t.string('name_search', 200).notNullable();
    t.string('type', 10).notNullable(); // provincial | distrital
    t.string('name_mef', 160).notNullable();
    t.string('sec_ejec', 10).nullable();
    t.string('capital', 100).notNullable();
    t.string('capital_category', 20).nullable();
    t.integer('population').notNullable();
    t.decimal('surface_km2', 12, 2).nullable();
    t.decimal('altitude_m', 8, 1).nullable();
    t.decimal('latitude', 10, 6).nullable();
    t.decimal('longitude', 10, 6).nullable();
    t.index(['department_code']);
    t.index(['province_code']);
    t.index(['sec_ejec']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('municipalities');
  await knex.schema.dropTable('provinces');
  await knex.schema.dropTable('departments');
}
