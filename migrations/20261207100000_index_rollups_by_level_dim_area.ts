import type { Knex } from 'knex';

// Which years have detailed data, for every municipality at once (the municipality pages' "detail"
// links, precomputed per data version: issue 18) reads the distinct (area, year) of one level's
// `generic` rows. The primary key (level, area, year, dim, code) made that a walk over all of the
// level's rows (≈ 770 000 at 14 national years); this index reads only the generic ones, in order.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mef_gasto_rollups', (t) => {
    t.index(['level', 'dim', 'area', 'year'], 'mef_gasto_rollups_level_dim_area_year');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mef_gasto_rollups', (t) => {
    t.dropIndex(['level', 'dim', 'area', 'year'], 'mef_gasto_rollups_level_dim_area_year');
  });
}
