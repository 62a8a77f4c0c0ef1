import type { Knex } from 'knex';

// A follow's target is an id (item, proposal, commitment, process, hearing) or a municipality's
// ubigeo ('010101': six digits whose leading zero is part of the key), so entity_id becomes
// text; one unique key per (user, kind, target) as before. On SQLite a column keeps numeric
// affinity until its table is rebuilt (nothing references follows, so rebuilding it is safe);
// SQLite index names are global, so each direction names its unique key differently.
const mysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

async function rebuild(knex: Knex, idType: 'text' | 'integer'): Promise<void> {
  await knex.schema.createTable('follows_new', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('entity_type', 20).notNullable();
    if (idType === 'text') t.string('entity_id', 12).notNullable();
    else t.integer('entity_id').unsigned().notNullable();
    t.string('created_at', 24).notNullable();
    t.string('notified_until', 24).notNullable();
    t.unique(['user_id', 'entity_type', 'entity_id'], { indexName: `follows_user_entity_unique_${idType}` });
  });
  const rows = idType === 'text' ? knex('follows').select('*') : knex('follows').whereNot('entity_type', 'municipality').select('*');
  await knex.raw(
    `insert into follows_new (id, user_id, entity_type, entity_id, created_at, notified_until) select id, user_id, entity_type, entity_id, created_at, notified_until from (${rows.toString()}) as f`,
  );
  await knex.schema.dropTable('follows');
  await knex.schema.renameTable('follows_new', 'follows');
}

export async function up(knex: Knex): Promise<void> {
  if (mysql(knex)) await knex.raw('ALTER TABLE follows MODIFY entity_id VARCHAR(12) NOT NULL');
  else await rebuild(knex, 'text');
}

export async function down(knex: Knex): Promise<void> {
  await knex('follows').where('entity_type', 'municipality').delete();
  if (mysql(knex)) await knex.raw('ALTER TABLE follows MODIFY entity_id INT UNSIGNED NOT NULL');
  else await rebuild(knex, 'integer');
}
