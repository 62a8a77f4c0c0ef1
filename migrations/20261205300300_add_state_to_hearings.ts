import type { Knex } from 'knex';

// Hearings are convened (date, place, agenda), then held or not held / cancelled with a reason;
// a published hearing is withdrawn with a reason, never deleted. Existing hearings dated up to
// today count as held, later ones as convened.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('hearings', (t) => {
    t.string('state', 16).notNullable().defaultTo('convocada'); // convocada | realizada | no_realizada | cancelada
    t.text('state_reason').nullable();
    t.text('agenda_es').nullable();
    t.text('agenda_en').nullable();
    t.string('withdrawn_at', 24).nullable();
    t.text('withdrawn_reason').nullable();
  });
  const today = new Date().toISOString().slice(0, 10);
  await knex('hearings').where('held_on', '<=', today).update({ state: 'realizada' });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('hearings', (t) => {
    t.dropColumn('state');
    t.dropColumn('state_reason');
    t.dropColumn('agenda_es');
    t.dropColumn('agenda_en');
    t.dropColumn('withdrawn_at');
    t.dropColumn('withdrawn_reason');
  });
}
