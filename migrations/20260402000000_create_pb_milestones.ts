import type { Knex } from 'knex';

// Milestones on a prioritised item's timeline, with evidence (a link or a stored PDF).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pb_milestones', (t) => {
    t.increments('id').primary();
    t.integer('item_id').unsigned().notNullable().references('id').inTable('pb_items').onDelete('CASCADE');
    t.string('ubigeo', 6).notNullable();
    t.date('happened_on').notNullable();
    t.string('title_es', 300).notNullable();
    t.string('title_en', 300).nullable();
    t.text('text_es').nullable();
    t.text('text_en').nullable();
    t.string('evidence_url', 500).nullable();
    t.string('evidence_file', 100).nullable();
    t.string('evidence_original_name', 255).nullable();
    t.boolean('disputed').notNullable().defaultTo(false);
    t.boolean('is_example').notNullable().defaultTo(false);
    t.timestamp('created_at').notNullable();
    t.index(['item_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pb_milestones');
}
