import type { Knex } from 'knex';

// Accounts. Times are ISO-8601 UTC strings (24 chars, sortable as text on every dialect).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('email', 254).notNullable().unique();
    t.string('password_hash', 255).notNullable();
    t.string('role', 16).notNullable().defaultTo('resident');
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('municipality_ubigeo', 6).nullable().references('ubigeo').inTable('municipalities');
    t.string('org_name', 200).nullable();
    t.string('requested_role', 16).nullable();
    t.string('requested_org_name', 200).nullable();
    t.string('requested_municipality_ubigeo', 6).nullable().references('ubigeo').inTable('municipalities');
    t.string('totp_secret', 64).nullable();
    t.bigInteger('totp_last_step').nullable();
    t.string('email_confirmed_at', 24).nullable();
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.index(['role', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
