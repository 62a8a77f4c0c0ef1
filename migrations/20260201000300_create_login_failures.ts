import type { Knex } from 'knex';

// Failed logins, shared by every instance: the throttle counts them per account and per IP.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_failures', (t) => {
    t.increments('id').primary();
    t.string('account', 254).notNullable();
    t.string('ip', 64).notNullable();
    t.string('at', 24).notNullable();
    t.index(['account', 'at']);
    t.index(['ip', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_failures');
}
