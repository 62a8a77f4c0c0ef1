import type { Knex } from 'knex';

// A monitor disputes the evidence of a milestone or a commitment update: who (organisation),
// why, the official's answer and an admin's resolution, all public.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('disputes', (t) => {
    t.increments('id').primary();
    t.string('target_type', 12).notNullable(); // milestone | update
    t.integer('target_id').unsigned().notNullable();
    t.string('entity_type', 20).notNullable(); // pb_item | commitment
    t.integer('entity_id').unsigned().notNullable();
    t.string('ubigeo', 6).notNullable();
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('org_name', 200).nullable();
    t.text('reason').notNullable();
    t.string('opened_at', 24).notNullable();
    t.text('answer').nullable();
    t.string('answered_at', 24).nullable();
    t.string('resolution', 12).nullable(); // upheld | rejected
    t.text('resolution_reason').nullable();
    t.string('resolved_at', 24).nullable();
    t.index(['target_type', 'target_id']);
    t.index(['entity_type', 'entity_id']);
    t.index(['resolution', 'opened_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('disputes');
}
