import type { Knex } from 'knex';

// Wrong second-factor (TOTP) codes, shared by every instance: the throttle counts them per account.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('second_factor_failures', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('at', 24).notNullable();
    t.index(['user_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('second_factor_failures');
}
