import type { Knex } from 'knex';

// Service areas residents rate (data, editable by admins). Seeded with the six of DESIGN.md.
const AREAS = [
  ['limpieza_publica', 'Limpieza pública', 'Street cleaning and waste collection'],
  ['seguridad_ciudadana', 'Seguridad ciudadana', 'Public safety'],
  ['agua_saneamiento', 'Agua y saneamiento', 'Water and sanitation'],
  ['vias_transporte', 'Vías y transporte', 'Roads and transport'],
  ['parques_areas_verdes', 'Parques y áreas verdes', 'Parks and green areas'],
  ['atencion_ciudadano', 'Atención al ciudadano', 'Citizen services'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_areas', (t) => {
    t.increments('id').primary();
    t.string('code', 40).notNullable().unique();
    t.string('name_es', 120).notNullable();
    t.string('name_en', 120).nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('sort_order').notNullable().defaultTo(0);
  });
  await knex('service_areas').insert(AREAS.map(([code, name_es, name_en], i) => ({ code, name_es, name_en, active: true, sort_order: i + 1 })));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('service_areas');
}
