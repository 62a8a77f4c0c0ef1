import type { Db } from '../../db';
import type { Dataset } from '../spending';

/**
 * The results chain as datasets of the bulk download (`/es/datos`, datapackage.json), with
 * primary and foreign keys in their Table Schema. Booleans as true/false; every row says whether
 * it is example content. The score's I component is reproducible from results_indicators and
 * results_values alone (see the methodology page).
 */
const bool = (db: Db, col: string, as: string) => db.raw(`case when ${col} = 1 then 'true' else 'false' end as ${as}`);
const EXAMPLE = { name: 'is_example', type: 'boolean', description: 'true for example content loaded so the pages are not empty (not real data)' } as const;
const SOURCE = [{ title: 'Resultados Abiertos: published by municipal officials (Plan de Desarrollo Local Concertado and its indicators)' }];
const MUNI = { fields: ['ubigeo'], reference: { resource: 'municipalities', fields: ['ubigeo'] } };

export const RESULTS_DATASETS: Dataset[] = [
  {
    name: 'results_plans',
    title: 'Results chain: development plans (PDLC)',
    description: 'Planes de Desarrollo Local Concertado: period, document and approving ordinance.',
    sources: SOURCE,
    primaryKey: ['id'],
    foreignKeys: [MUNI],
    fields: [
      { name: 'id', type: 'integer', description: 'Plan id' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'title_es', type: 'string', description: 'Title (Spanish)' },
      { name: 'title_en', type: 'string', description: 'Title (English, optional)' },
      { name: 'period_from', type: 'integer', description: 'First year of the plan' },
      { name: 'period_to', type: 'integer', description: 'Last year of the plan' },
      { name: 'document_url', type: 'string', description: 'Link to the plan document' },
      { name: 'ordinance', type: 'string', description: 'Approving ordinance' },
      EXAMPLE,
    ],
    query: (db) =>
      db('results_plans')
        .select('id', 'ubigeo', 'title_es', 'title_en', 'period_from', 'period_to', 'document_url', 'ordinance', bool(db, 'is_example', 'is_example'))
        .orderBy('id')
        .stream(),
  },
  {
    name: 'results_objectives',
    title: 'Results chain: plan objectives',
    description: 'Objectives of each plan with the social gap (brecha) each one addresses.',
    sources: SOURCE,
    primaryKey: ['id'],
    foreignKeys: [{ fields: ['plan_id'], reference: { resource: 'results-plans', fields: ['id'] } }, MUNI],
    fields: [
      { name: 'id', type: 'integer', description: 'Objective id' },
      { name: 'plan_id', type: 'integer', description: 'Plan id' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'code', type: 'string', description: 'Code (unique in the municipality)' },
      { name: 'text_es', type: 'string', description: 'Objective (Spanish)' },
      { name: 'text_en', type: 'string', description: 'Objective (English, optional)' },
      { name: 'gap_es', type: 'string', description: 'Social gap addressed (Spanish)' },
      { name: 'gap_en', type: 'string', description: 'Social gap addressed (English)' },
      EXAMPLE,
    ],
    query: (db) =>
      db('results_objectives')
        .select('id', 'plan_id', 'ubigeo', 'code', 'text_es', 'text_en', 'gap_es', 'gap_en', bool(db, 'is_example', 'is_example'))
        .orderBy('id')
        .stream(),
  },
  {
    name: 'results_indicators',
    title: 'Results chain: indicators',
    description:
      'Indicators by level (process, product, intermediate_result, final_result) and type (effectiveness, efficiency, quality, economy), with unit, direction (up: more is better; down: less is better), baseline, the objective, the parent indicator (a product feeds a result) and the budget programme (categoría presupuestal).',
    sources: SOURCE,
    primaryKey: ['id'],
    foreignKeys: [
      { fields: ['objective_id'], reference: { resource: 'results-objectives', fields: ['id'] } },
      { fields: ['parent_id'], reference: { resource: 'results-indicators', fields: ['id'] } },
      MUNI,
    ],
    fields: [
      { name: 'id', type: 'integer', description: 'Indicator id' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'code', type: 'string', description: 'Code (unique in the municipality)' },
      { name: 'name_es', type: 'string', description: 'Name (Spanish)' },
      { name: 'name_en', type: 'string', description: 'Name (English, optional)' },
      { name: 'level', type: 'string', description: 'process | product | intermediate_result | final_result' },
      { name: 'type', type: 'string', description: 'effectiveness | efficiency | quality | economy' },
      { name: 'unit', type: 'string', description: 'Unit of measure' },
      { name: 'direction', type: 'string', description: 'up (more is better) | down (less is better)' },
      { name: 'baseline_value', type: 'number', description: 'Baseline value' },
      { name: 'baseline_year', type: 'integer', description: 'Baseline year' },
      { name: 'objective_id', type: 'integer', description: 'Objective id' },
      { name: 'parent_id', type: 'integer', description: 'Parent indicator id' },
      { name: 'pp_code', type: 'string', description: 'Budget category code (MEF categoría presupuestal, e.g. 0001)' },
      EXAMPLE,
    ],
    query: (db) =>
      db('results_indicators')
        .select(
          'id',
          'ubigeo',
          'code',
          'name_es',
          'name_en',
          'level',
          'type',
          'unit',
          'direction',
          'baseline_value',
          'baseline_year',
          'objective_id',
          'parent_id',
          'pp_code',
          bool(db, 'is_example', 'is_example'),
        )
        .orderBy('id')
        .stream(),
  },
  {
    name: 'results_values',
    title: 'Results chain: yearly targets and actuals',
    description:
      'One row per indicator and year: the current target, the baseline target (the first published one, which on-track flags and the score judge against), the actual and its source. On track = actual >= baseline_target (direction up) or <= (down).',
    sources: SOURCE,
    primaryKey: ['indicator_id', 'year'],
    foreignKeys: [{ fields: ['indicator_id'], reference: { resource: 'results-indicators', fields: ['id'] } }],
    fields: [
      { name: 'indicator_id', type: 'integer', description: 'Indicator id' },
      { name: 'year', type: 'integer', description: 'Year' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'target', type: 'number', description: 'Target (current)' },
      { name: 'baseline_target', type: 'number', description: 'First published target' },
      { name: 'actual', type: 'number', description: 'Actual' },
      { name: 'actual_source', type: 'string', description: 'Source of the actual' },
      EXAMPLE,
    ],
    query: (db) =>
      db('results_values')
        .select('indicator_id', 'year', 'ubigeo', 'target', 'baseline_target', 'actual', 'actual_source', bool(db, 'is_example', 'is_example'))
        .orderBy(['indicator_id', 'year'])
        .stream(),
  },
  {
    name: 'results_links',
    title: 'Results chain: links to participatory-budget items and commitments',
    description: 'Which PB items (link_type pb_item, id of pb_items) and commitments (link_type commitment) feed each indicator.',
    sources: SOURCE,
    primaryKey: ['indicator_id', 'link_type', 'link_id'],
    foreignKeys: [{ fields: ['indicator_id'], reference: { resource: 'results-indicators', fields: ['id'] } }],
    fields: [
      { name: 'indicator_id', type: 'integer', description: 'Indicator id' },
      { name: 'link_type', type: 'string', description: 'pb_item | commitment' },
      { name: 'link_id', type: 'integer', description: 'Id of the item (pb_items) or commitment (commitments)' },
    ],
    query: (db) => db('results_links').select('indicator_id', 'link_type', 'link_id').orderBy(['indicator_id', 'link_type', 'link_id']).stream(),
  },
  {
    name: 'results_history',
    title: 'Results chain: public record of targets and actuals (append-only)',
    description:
      'Every published target and actual and each change of one, with the reason (required when a published value moves) and the role (with the municipality for officials) that made it; never a person.',
    sources: SOURCE,
    primaryKey: ['id'],
    foreignKeys: [{ fields: ['indicator_id'], reference: { resource: 'results-indicators', fields: ['id'] } }],
    fields: [
      { name: 'id', type: 'integer', description: 'Row id' },
      { name: 'indicator_id', type: 'integer', description: 'Indicator id' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'year', type: 'integer', description: 'Year of the value' },
      { name: 'at', type: 'string', description: 'When (ISO 8601, UTC)' },
      { name: 'kind', type: 'string', description: 'created | changed' },
      { name: 'field', type: 'string', description: 'target | actual | actual_source' },
      { name: 'old_value', type: 'string', description: 'Value before' },
      { name: 'new_value', type: 'string', description: 'Value after' },
      { name: 'reason', type: 'string', description: 'Public reason' },
      { name: 'actor_role', type: 'string', description: 'official | admin | cli' },
      { name: 'actor_ubigeo', type: 'string', description: 'Municipality of the official' },
      EXAMPLE,
    ],
    query: (db) =>
      db('results_history')
        .select('id', 'indicator_id', 'ubigeo', 'year', 'at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'actor_role', 'actor_ubigeo', bool(db, 'is_example', 'is_example'))
        .orderBy('id')
        .stream(),
  },
];
