import type { Knex } from 'knex';

// One current rating per resident, municipality, target (service area or PB item) and quarter.
// `target` is 'a<area id>' or 'p<pb item id>' so that the unique index has no NULL column.
// user_id becomes NULL when the account is deleted: the rating survives as an anonymous figure.
// No IP address or other network identifier is stored.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ratings', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('ubigeo', 6).notNullable().references('ubigeo').inTable('municipalities');
    t.string('target', 20).notNullable();
    t.integer('area_id').unsigned().nullable().references('id').inTable('service_areas');
    t.integer('pb_item_id').unsigned().nullable().references('id').inTable('pb_items').onDelete('CASCADE');
    t.integer('year').notNullable();
    t.integer('quarter').notNullable(); // 1–4
    t.integer('score').notNullable(); // 1–5
    t.boolean('delivered').nullable(); // PB items: "was it delivered?"
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.unique(['user_id', 'ubigeo', 'target', 'year', 'quarter'], { indexName: 'ratings_one_current' });
    t.index(['year', 'ubigeo']);
    t.index(['ubigeo', 'area_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ratings');
}
