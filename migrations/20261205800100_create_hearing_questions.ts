import type { Knex } from 'knex';

// Residents' questions to a convened accountability hearing (issue 13): asked until the day
// before the hearing, moderated neutrally (body, version, status, flags, decision columns), public
// grouped by topic, answered by the official with the answer given at the hearing.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('hearing_questions', (t) => {
    t.increments('id').primary();
    t.integer('hearing_id').unsigned().notNullable().references('id').inTable('hearings').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('topic', 20).notNullable();
    t.text('body').notNullable();
    t.string('status', 16).notNullable(); // pending | published | rejected
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.string('decision_reason', 24).nullable();
    t.text('decision_note').nullable();
    t.string('decided_at', 24).nullable();
    t.integer('flags').unsigned().notNullable().defaultTo(0);
    t.text('answer').nullable();
    t.string('answered_at', 24).nullable();
    t.string('created_at', 24).notNullable();
    t.index(['hearing_id', 'status']);
    t.index(['status', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hearing_questions');
}
