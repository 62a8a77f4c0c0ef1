import type { Knex } from 'knex';

// The optional comment of a rating, moderated before it is shown (never with its author).
// Deleted with its rating, and with the account (ratings survive, comments do not).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('feedback_comments', (t) => {
    t.increments('id').primary();
    t.integer('rating_id').unsigned().notNullable().unique().references('id').inTable('ratings').onDelete('CASCADE');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.text('body').notNullable();
    t.string('status', 16).notNullable(); // pending | approved | rejected
    t.string('created_at', 24).notNullable();
    t.string('decided_at', 24).nullable();
    t.index(['ubigeo', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('feedback_comments');
}
