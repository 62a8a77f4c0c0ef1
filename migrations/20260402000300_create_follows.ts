import type { Knex } from 'knex';

// Residents and monitors following items and commitments; digests sent at most once a day.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('follows', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('entity_type', 20).notNullable();
    t.integer('entity_id').unsigned().notNullable();
    t.string('created_at', 24).notNullable();
    t.string('notified_until', 24).notNullable();
    t.unique(['user_id', 'entity_type', 'entity_id']);
  });
  await knex.schema.createTable('digest_log', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('sent_at', 24).notNullable();
    t.index(['user_id', 'sent_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('digest_log');
  await knex.schema.dropTable('follows');
}
