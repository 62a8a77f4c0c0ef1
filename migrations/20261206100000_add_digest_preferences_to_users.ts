import type { Knex } from 'knex';

// Each user's digest: how often (daily | weekly | off) and in which language (es | en, the one
// they registered in). Existing accounts keep the daily Spanish digest they had.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('lang', 2).notNullable().defaultTo('es');
    t.string('digest_frequency', 8).notNullable().defaultTo('daily');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('digest_frequency');
    t.dropColumn('lang');
  });
}
