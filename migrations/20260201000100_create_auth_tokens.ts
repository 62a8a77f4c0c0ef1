import type { Knex } from 'knex';

// Single-use tokens sent by email (confirm address, reset password, change address). Only the
// SHA-256 of the token is stored.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_tokens', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('purpose', 20).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('new_email', 254).nullable();
    t.string('expires_at', 24).notNullable();
    t.string('used_at', 24).nullable();
    t.string('created_at', 24).notNullable();
    t.index(['user_id', 'purpose']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_tokens');
}
