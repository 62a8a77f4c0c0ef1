import type { Knex } from 'knex';

// One flag per signed-in user and published observation or comment (sends it back to the queue).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('content_flags', (t) => {
    t.increments('id').primary();
    t.string('content_type', 16).notNullable(); // observation | comment
    t.integer('content_id').unsigned().notNullable();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('reason', 24).notNullable();
    t.string('created_at', 24).notNullable();
    t.unique(['content_type', 'content_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('content_flags');
}
