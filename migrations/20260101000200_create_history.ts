import type { Knex } from 'knex';

// The source paper's published series, kept as printed (percentages, one decimal).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('history_department_execution', (t) => {
    t.string('department_code', 2).notNullable().references('code').inTable('departments');
    t.integer('year').notNullable();
    t.decimal('execution_pct', 5, 1).notNullable();
    t.primary(['department_code', 'year']);
  });
  await knex.schema.createTable('history_category_share', (t) => {
    t.string('category_type', 40).notNullable();
    t.integer('year').notNullable();
    t.decimal('share_pct', 5, 1).notNullable();
    t.primary(['category_type', 'year']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('history_category_share');
  await knex.schema.dropTable('history_department_execution');
}
