import type { Knex } from 'knex';

// Residents' proposals to a participatory budget process (issue 13): moderated like other
// resident content (body, version, status, flags, decision columns), reviewed by officials
// (feasible / not feasible with a public reason and a cost), supported, voted online (one
// ballot per resident and process: the unique key), tallied at the workshop, and linked to the
// prioritised item a winner becomes. Money is integer céntimos; times are 24-character ISO text.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pb_processes', (t) => {
    t.bigInteger('budget_envelope').nullable(); // céntimos the ballot may spend
  });
  await knex.schema.createTable('pb_proposals', (t) => {
    t.increments('id').primary();
    t.integer('process_id').unsigned().notNullable().references('id').inTable('pb_processes').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.integer('year').notNullable(); // the process's year (the moderators' context link)
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('title_es', 200).notNullable();
    t.string('title_en', 200).nullable();
    t.text('body').notNullable(); // description in Spanish (what the moderators read)
    t.text('body_en').nullable();
    t.string('location', 300).notNullable();
    t.bigInteger('estimated_cost').notNullable();
    t.integer('beneficiaries').unsigned().notNullable();
    t.text('social_gap').notNullable();
    t.string('status', 16).notNullable(); // pending | published | rejected
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.string('decision_reason', 24).nullable();
    t.text('decision_note').nullable();
    t.string('decided_at', 24).nullable();
    t.integer('flags').unsigned().notNullable().defaultTo(0);
    t.string('feasibility', 12).nullable(); // feasible | unfeasible
    t.text('feasibility_reason').nullable();
    t.bigInteger('reviewed_cost').nullable();
    t.string('reviewed_at', 24).nullable();
    t.integer('workshop_votes').unsigned().nullable();
    t.integer('item_id').unsigned().nullable().references('id').inTable('pb_items').onDelete('SET NULL');
    t.boolean('is_example').notNullable().defaultTo(false);
    t.string('created_at', 24).notNullable();
    t.index(['process_id', 'status']);
    t.index(['status', 'created_at']);
  });
  await knex.schema.createTable('pb_proposal_supports', (t) => {
    t.increments('id').primary();
    t.integer('proposal_id').unsigned().notNullable().references('id').inTable('pb_proposals').onDelete('CASCADE');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.boolean('declared_resident').notNullable().defaultTo(false); // "I live in this district", counted apart
    t.string('created_at', 24).notNullable();
    t.unique(['proposal_id', 'user_id']);
  });
  await knex.schema.createTable('pb_ballots', (t) => {
    t.increments('id').primary();
    t.integer('process_id').unsigned().notNullable().references('id').inTable('pb_processes').onDelete('CASCADE');
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.boolean('declared_resident').notNullable().defaultTo(false); // "I live in this district", counted apart
    t.string('created_at', 24).notNullable();
    t.unique(['process_id', 'user_id']);
  });
  await knex.schema.createTable('pb_ballot_choices', (t) => {
    t.integer('ballot_id').unsigned().notNullable().references('id').inTable('pb_ballots').onDelete('CASCADE');
    t.integer('proposal_id').unsigned().notNullable().references('id').inTable('pb_proposals').onDelete('CASCADE');
    t.primary(['ballot_id', 'proposal_id']);
    t.index(['proposal_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pb_ballot_choices');
  await knex.schema.dropTable('pb_ballots');
  await knex.schema.dropTable('pb_proposal_supports');
  await knex.schema.dropTable('pb_proposals');
  await knex.schema.alterTable('pb_processes', (t) => {
    t.dropColumn('budget_envelope');
  });
}
