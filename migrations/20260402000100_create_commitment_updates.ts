import type { Knex } from 'knex';

// Updates on a hearing commitment over time, with evidence.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('commitment_updates', (t) => {
    t.increments('id').primary();
    t.integer('commitment_id').unsigned().notNullable().references('id').inTable('commitments').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable();
    t.date('happened_on').notNullable();
    t.string('status', 30).notNullable();
    t.text('text_es').notNullable();
    t.text('text_en').nullable();
    t.string('evidence_url', 500).nullable();
    t.boolean('disputed').notNullable().defaultTo(false);
    t.boolean('is_example').notNullable().defaultTo(false);
    t.timestamp('created_at').notNullable();
    t.index(['commitment_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('commitment_updates');
}
