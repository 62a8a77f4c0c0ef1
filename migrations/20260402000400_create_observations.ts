import type { Knex } from 'knex';

// Monitors' observations on items and commitments, published after moderation.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('observations', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('org_name', 200).nullable();
    t.string('entity_type', 20).notNullable();
    t.integer('entity_id').unsigned().notNullable();
    t.string('ubigeo', 6).notNullable();
    t.text('body').notNullable();
    t.string('status', 12).notNullable(); // pending | published | rejected
    t.string('created_at', 24).notNullable();
    t.string('decided_at', 24).nullable();
    t.index(['ubigeo', 'status']);
    t.index(['entity_type', 'entity_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('observations');
}
