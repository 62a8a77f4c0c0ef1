import type { Db } from '../../db';
import { dbStamp } from '../participation';

/**
 * A small example chain (plan → objective → final result ← product, with targets and actuals)
 * for the municipalities that get example participation content, so a newcomer sees the pages
 * filled. Every row is `is_example = true` and shown with the "Ejemplo / Example" badge; the
 * figures are illustrative, never real. Loaded once, when the results tables are empty;
 * `SEED_EXAMPLES=false` turns it off. Never counts in the score.
 */
export async function seedResultsExamples(db: Db, clock: () => number = Date.now): Promise<boolean> {
  if (await db('results_plans').first('id')) return false;
  // The municipalities with example participation content (participation.examples.ts).
  const munis = (await db('pb_items').distinct('ubigeo').where('is_example', true).orderBy('ubigeo')).map((r) => String(r.ubigeo));
  if (!munis.length) return false;
  const stamp = dbStamp(clock());
  const year = new Date(clock()).getUTCFullYear();
  await db.transaction(async (trx) => {
    for (const ubigeo of munis) {
      const [planId] = await trx('results_plans').insert({
        ubigeo,
        title_es: `Plan de Desarrollo Local Concertado ${year - 1}–${year + 2} (ejemplo)`,
        title_en: `Concerted Local Development Plan ${year - 1}–${year + 2} (example)`,
        period_from: year - 1,
        period_to: year + 2,
        document_url: null,
        ordinance: `Ordenanza Municipal N.º 010-${year - 2} (ejemplo)`,
        is_example: true,
        created_at: stamp,
        updated_at: stamp,
      });
      const [objId] = await trx('results_objectives').insert({
        plan_id: planId,
        ubigeo,
        code: 'OE1',
        text_es: 'Reducir la anemia infantil en el distrito (ejemplo)',
        text_en: 'Reduce child anaemia in the district (example)',
        gap_es: 'Brecha de niñas y niños de 6 a 35 meses con anemia (ejemplo)',
        gap_en: 'Gap of children aged 6–35 months with anaemia (example)',
        is_example: true,
      });
      const base = { ubigeo, is_example: true, created_at: stamp, updated_at: stamp, objective_id: objId, baseline_year: year - 2 };
      const [resultId] = await trx('results_indicators').insert({
        ...base,
        code: 'RF1',
        name_es: 'Prevalencia de anemia en niñas y niños de 6 a 35 meses (ejemplo)',
        name_en: 'Anaemia prevalence in children aged 6–35 months (example)',
        level: 'final_result',
        type: 'effectiveness',
        unit: '%',
        direction: 'down',
        baseline_value: 40,
        pp_code: '0001',
        parent_id: null,
      });
      const [productId] = await trx('results_indicators').insert({
        ...base,
        code: 'P1',
        name_es: 'Niñas y niños con suplemento de hierro completo (ejemplo)',
        name_en: 'Children with complete iron supplementation (example)',
        level: 'product',
        type: 'effectiveness',
        unit: '%',
        direction: 'up',
        baseline_value: 55,
        pp_code: '0001',
        parent_id: resultId,
      });
      const values = [
        { indicator_id: resultId, year: year - 1, target: 36, actual: 37.5 },
        { indicator_id: resultId, year, target: 32, actual: null },
        { indicator_id: productId, year: year - 1, target: 65, actual: 68 },
        { indicator_id: productId, year, target: 75, actual: null },
      ];
      for (const v of values) {
        await trx('results_values').insert({
          ...v,
          ubigeo,
          baseline_target: v.target,
          actual_source: v.actual == null ? null : 'Padrón nominal y HIS-MINSA (ejemplo)',
          is_example: true,
          updated_at: stamp,
        });
        await trx('results_history').insert({
          indicator_id: v.indicator_id,
          ubigeo,
          year: v.year,
          at: stamp,
          kind: 'changed',
          field: 'target',
          old_value: null,
          new_value: String(v.target),
          reason: null,
          actor_role: 'cli',
          actor_ubigeo: null,
          is_example: true,
        });
      }
      const item = await trx('pb_items').where({ ubigeo, is_example: true }).orderBy('priority').first('id');
      if (item) await trx('results_links').insert({ indicator_id: productId, link_type: 'pb_item', link_id: item.id });
    }
  });
  return true;
}
