import type { Knex } from 'knex';

// The login throttle counts failures per (account, source IP) pair.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('login_failures', (t) => {
    t.index(['account', 'ip', 'at'], 'login_failures_account_ip_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('login_failures', (t) => {
    t.dropIndex(['account', 'ip', 'at'], 'login_failures_account_ip_at_index');
  });
}
