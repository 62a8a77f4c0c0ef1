import type { Knex } from 'knex';

// Neutral moderation of rating comments: the version a moderator saw, the reason of the
// decision (catalogue + text), flags by signed-in users, and the official's public answer.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feedback_comments', (t) => {
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.string('decision_reason', 24).nullable();
    t.text('decision_note').nullable();
    t.integer('flags').unsigned().notNullable().defaultTo(0);
    t.text('answer').nullable();
    t.string('answered_at', 24).nullable();
    t.index(['status', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feedback_comments', (t) => {
    t.dropIndex(['status', 'created_at']);
    t.dropColumn('version');
    t.dropColumn('decision_reason');
    t.dropColumn('decision_note');
    t.dropColumn('flags');
    t.dropColumn('answer');
    t.dropColumn('answered_at');
  });
}
