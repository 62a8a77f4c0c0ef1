import type { Knex } from 'knex';

// Residents' comments on a published proposal (issue 13): moderated neutrally like the proposal
// itself (body, version, status, flags, decision columns), public once published, newest last.
// created_at is indexed so a digest can list the comments of followed proposals since a time.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pb_proposal_comments', (t) => {
    t.increments('id').primary();
    t.integer('proposal_id').unsigned().notNullable().references('id').inTable('pb_proposals').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.text('body').notNullable();
    t.string('status', 16).notNullable(); // pending | published | rejected
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.string('decision_reason', 24).nullable();
    t.text('decision_note').nullable();
    t.string('decided_at', 24).nullable();
    t.integer('flags').unsigned().notNullable().defaultTo(0);
    t.string('created_at', 24).notNullable();
    t.index(['proposal_id', 'status', 'created_at']);
    t.index(['status', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pb_proposal_comments');
}
