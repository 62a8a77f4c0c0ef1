import type { Knex } from 'knex';

// Every published change of an item or a commitment (public history; digests read it).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('participation_history', (t) => {
    t.increments('id').primary();
    t.string('entity_type', 20).notNullable(); // pb_item | commitment
    t.integer('entity_id').unsigned().notNullable();
    t.string('ubigeo', 6).notNullable();
    t.string('at', 24).notNullable();
    t.string('kind', 20).notNullable(); // created | changed | milestone | update
    t.string('status', 30).nullable();
    t.decimal('progress_pct', 5, 2).nullable();
    t.string('note', 300).nullable();
    t.boolean('is_example').notNullable().defaultTo(false);
    t.index(['entity_type', 'entity_id']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('participation_history');
}
