import type { Knex } from 'knex';

// Participatory budget process (Ley 28056): one per municipality and year.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pb_processes', (t) => {
    t.increments('id').primary();
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.integer('year').notNullable();
    t.string('ordinance', 200).nullable();
    t.integer('agentes_participantes').nullable();
    for (const phase of ['preparacion', 'concertacion', 'coordinacion', 'formalizacion']) {
      t.date(`${phase}_start`).nullable();
      t.date(`${phase}_end`).nullable();
    }
    t.text('committee_members').nullable(); // comité de vigilancia, public
    t.string('committee_contact', 200).nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.timestamp('created_at').notNullable();
    t.timestamp('updated_at').notNullable();
    t.unique(['ubigeo', 'year']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pb_processes');
}
