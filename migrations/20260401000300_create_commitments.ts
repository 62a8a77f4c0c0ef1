import type { Knex } from 'knex';

// Commitments made at a hearing, tracked to completion.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('commitments', (t) => {
    t.increments('id').primary();
    t.integer('hearing_id').unsigned().notNullable().references('id').inTable('hearings').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.text('text_es').notNullable();
    t.text('text_en').nullable();
    t.string('responsible_office', 200).nullable();
    t.date('due_on').notNullable();
    t.string('status', 30).notNullable(); // pendiente | en_proceso | cumplido | incumplido
    t.date('fulfilled_on').nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.timestamp('created_at').notNullable();
    t.timestamp('updated_at').notNullable();
    t.index(['ubigeo', 'due_on']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('commitments');
}
