import type { Knex } from 'knex';
import type { Db } from '../../db';
import { dbStamp } from './participation.record';

/**
 * Example content so a newcomer sees the pages filled. Every row is `is_example = true` and is
 * shown with an "Ejemplo / Example" badge; the figures are illustrative, not real data.
 * Loaded once, when the tables hold no rows; `SEED_EXAMPLES=false` turns it off.
 */
export async function seedExamples(db: Db, clock: () => number = Date.now): Promise<boolean> {
  const any = await db('pb_processes').first('id');
  const anyHearing = await db('hearings').first('id');
  if (any || anyHearing) return false;
  const wanted = ['150101', '080101', '040101'];
  const present = (await db('municipalities').select('ubigeo').whereIn('ubigeo', wanted)).map((r) => r.ubigeo as string);
  if (!present.length) return false;
  const stamp = dbStamp(clock());
  const iso = new Date(clock()).toISOString();
  const year = new Date(clock()).getUTCFullYear();
  await db.transaction(async (trx) => {
    for (const [n, ubigeo] of present.entries()) {
      const [pid] = await trx('pb_processes').insert({
        ubigeo,
        year,
        ordinance: `Ordenanza Municipal N.º 00${n + 1}-${year - 1} (ejemplo)`,
        agentes_participantes: 40 + n * 15,
        preparacion_start: `${year - 1}-02-01`,
        preparacion_end: `${year - 1}-02-28`,
        concertacion_start: `${year - 1}-03-01`,
        concertacion_end: `${year - 1}-04-30`,
        coordinacion_start: `${year - 1}-05-01`,
        coordinacion_end: `${year - 1}-05-31`,
        formalizacion_start: `${year - 1}-06-01`,
        formalizacion_end: `${year - 1}-06-30`,
        committee_members: 'Integrante de ejemplo 1; Integrante de ejemplo 2; Integrante de ejemplo 3',
        committee_contact: 'comite.ejemplo@example.org',
        is_example: true,
        created_at: stamp,
        updated_at: stamp,
      });
      const items = [
        {
          priority: 1,
          title_es: 'Mejoramiento de pistas y veredas (ejemplo)',
          title_en: 'Road and sidewalk improvement (example)',
          status: 'en_ejecucion',
          progress_pct: 45,
          total_cost: 120_000_000,
          planned_end: `${year}-10-31`,
          cui: null,
        },
        {
          priority: 2,
          title_es: 'Ampliación del servicio de agua potable (ejemplo)',
          title_en: null,
          status: 'en_formulacion',
          progress_pct: 0,
          total_cost: 80_000_000,
          planned_end: `${year}-03-31`,
          cui: null,
        },
        {
          priority: 3,
          title_es: 'Parque infantil del barrio (ejemplo)',
          title_en: 'Neighbourhood playground (example)',
          status: 'culminado',
          progress_pct: 100,
          total_cost: 25_000_000,
          planned_end: `${year}-04-30`,
          cui: null,
        },
      ];
      for (const it of items) {
        const [iid] = await trx('pb_items').insert({
          ...it,
          process_id: Number(pid),
          ubigeo,
          year,
          description_es: 'Proyecto ficticio cargado como ejemplo para mostrar la página.',
          description_en: it.title_en ? 'Fictitious project loaded as an example to show the page.' : null,
          pia_amount: Math.round(it.total_cost / 2),
          funding_source: 'Recursos determinados (ejemplo)',
          beneficiaries: 1000 * (it.priority + n),
          start_date: `${year}-02-01`,
          finished_on: it.status === 'culminado' ? `${year}-04-20` : null,
          baseline_planned_end: it.planned_end,
          baseline_total_cost: it.total_cost,
          is_example: true,
          created_at: stamp,
          updated_at: stamp,
        });
        await trx('participation_history').insert({
          entity_type: 'pb_item',
          entity_id: Number(iid),
          ubigeo,
          at: iso,
          kind: 'created',
          status: it.status,
          progress_pct: it.progress_pct,
          note: null,
          is_example: true,
        });
        if (it.priority === 1)
          await trx('pb_milestones').insert({
            item_id: Number(iid),
            ubigeo,
            happened_on: `${year}-03-15`,
            title_es: 'Inicio de obra (ejemplo)',
            title_en: 'Works started (example)',
            text_es: 'Hito de ejemplo.',
            text_en: 'Example milestone.',
            evidence_url: 'https://example.org/evidencia-ejemplo',
            disputed: false,
            is_example: true,
            created_at: stamp,
          });
      }
      for (const [month, day] of [
        [5, 28],
        [9, 26],
      ] as const) {
        const [hid] = await trx('hearings').insert({
          ubigeo,
          held_on: `${year - 1}-${String(month).padStart(2, '0')}-${day}`,
          period_from: `${year - 1}-01-01`,
          period_to: `${year - 1}-${month === 5 ? '04-30' : '08-31'}`,
          place: 'Auditorio municipal (ejemplo)',
          link: null,
          summary_es: 'Audiencia pública de ejemplo.',
          summary_en: 'Example public hearing.',
          attendance: 80 + n * 10,
          state: 'realizada',
          is_example: true,
          created_at: stamp,
          updated_at: stamp,
        });
        await trx('commitments').insert([
          {
            hearing_id: Number(hid),
            ubigeo,
            text_es: 'Publicar el avance de obras cada trimestre (ejemplo)',
            text_en: 'Publish works progress every quarter (example)',
            responsible_office: 'Gerencia de Infraestructura',
            due_on: `${year - 1}-12-31`,
            baseline_due_on: `${year - 1}-12-31`,
            status: 'cumplido',
            fulfilled_on: `${year - 1}-12-15`,
            is_example: true,
            created_at: stamp,
            updated_at: stamp,
          },
          {
            hearing_id: Number(hid),
            ubigeo,
            text_es: 'Instalar luminarias en el parque central (ejemplo)',
            text_en: null,
            responsible_office: 'Gerencia de Servicios',
            due_on: `${year}-02-28`,
            baseline_due_on: `${year}-02-28`,
            status: 'en_proceso',
            fulfilled_on: null,
            is_example: true,
            created_at: stamp,
            updated_at: stamp,
          },
        ]);
      }
    }
    await seedExampleProposals(trx, present, year, iso);
  });
  return true;
}

/**
 * Example residents' proposals (issue 13) for each example process, so the proposals, results
 * and Pabulib pages are not empty: published, reviewed (one not feasible, with its reason) and
 * tallied at the workshop; no example ballots (a ballot belongs to an account). Illustrative only.
 */
async function seedExampleProposals(trx: Knex.Transaction, ubigeos: string[], year: number, iso: string): Promise<void> {
  for (const [n, ubigeo] of ubigeos.entries()) {
    const process = await trx('pb_processes').where({ ubigeo, year }).first('id');
    if (!process) continue;
    await trx('pb_processes')
      .where({ id: process.id })
      .update({ budget_envelope: 50_000_000 + n * 10_000_000 });
    const rows = [
      {
        title_es: 'Losa deportiva iluminada (ejemplo)',
        title_en: 'Lit sports court (example)',
        cost: 18_000_000,
        feasibility: 'feasible',
        reason: 'Terreno municipal disponible (ejemplo).',
        workshop: 21,
      },
      { title_es: 'Alumbrado público en el pasaje (ejemplo)', title_en: null, cost: 9_000_000, feasibility: 'feasible', reason: 'Costo ajustado por el área técnica (ejemplo).', workshop: 14 },
      {
        title_es: 'Teleférico al mirador (ejemplo)',
        title_en: 'Cable car to the viewpoint (example)',
        cost: 900_000_000,
        feasibility: 'unfeasible',
        reason: 'Supera varias veces el monto del proceso (ejemplo).',
        workshop: null,
      },
    ];
    for (const r of rows) {
      await trx('pb_proposals').insert({
        process_id: Number(process.id),
        ubigeo,
        year,
        user_id: null,
        title_es: r.title_es,
        title_en: r.title_en,
        body: 'Propuesta ficticia cargada como ejemplo para mostrar la página.',
        body_en: r.title_en ? 'Fictitious proposal loaded as an example to show the page.' : null,
        location: 'Barrio de ejemplo',
        estimated_cost: r.cost,
        beneficiaries: 500,
        social_gap: 'Brecha ilustrativa (ejemplo).',
        status: 'published',
        version: 1,
        decision_reason: 'meets_rules',
        decided_at: iso,
        flags: 0,
        feasibility: r.feasibility,
        feasibility_reason: r.reason,
        reviewed_cost: r.feasibility === 'feasible' ? r.cost : null,
        reviewed_at: iso,
        workshop_votes: r.workshop,
        is_example: true,
        created_at: iso,
      });
    }
  }
}
