import type { Knex } from 'knex';

// The public record keeps every changed field: old → new, the reason, and who (role and
// municipality, never a person). Rows are only ever inserted.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('participation_history', (t) => {
    t.string('field', 40).nullable();
    t.text('old_value').nullable();
    t.text('new_value').nullable();
    t.text('reason').nullable();
    t.string('actor_role', 16).nullable();
    t.string('actor_ubigeo', 6).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('participation_history', (t) => {
    t.dropColumn('field');
    t.dropColumn('old_value');
    t.dropColumn('new_value');
    t.dropColumn('reason');
    t.dropColumn('actor_role');
    t.dropColumn('actor_ubigeo');
  });
}
