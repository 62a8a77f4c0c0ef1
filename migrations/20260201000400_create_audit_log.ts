import type { Knex } from 'knex';

// Every change made by an official or an admin: who, what, when, before and after (JSON text).
// Actor email and role are copied so the record survives the account.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id').primary();
    t.string('at', 24).notNullable();
    t.integer('actor_user_id').unsigned().nullable();
    t.string('actor_email', 254).nullable();
    t.string('actor_role', 16).nullable();
    t.string('action', 60).notNullable();
    t.string('entity_type', 40).notNullable();
    t.string('entity_id', 64).nullable();
    t.string('municipality_ubigeo', 6).nullable();
    t.text('before_json').nullable();
    t.text('after_json').nullable();
    t.index(['at']);
    t.index(['municipality_ubigeo', 'at']);
    t.index(['actor_user_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
}
