import type { RecordChange } from '../participation';
import type { Knex } from 'knex';
import { typedRow, type Db } from '../../db';
import type { Direction, Level, LinkType } from './results.rules';

type Q = Db | Knex.Transaction;
const num = (v: unknown): number | null => (v == null ? null : Number(v));
const bool = (v: unknown) => v === true || v === 1 || v === '1';
const insertedId = (ids: unknown[]) => Number(ids[0]);

export interface PlanRow {
  id: number;
  ubigeo: string;
  title_es: string;
  title_en: string | null;
  period_from: number;
  period_to: number;
  document_url: string | null;
  ordinance: string | null;
  is_example: boolean;
}
export interface ObjectiveRow {
  id: number;
  plan_id: number;
  ubigeo: string;
  code: string;
  text_es: string;
  text_en: string | null;
  gap_es: string | null;
  gap_en: string | null;
  is_example: boolean;
}
export interface IndicatorRow {
  id: number;
  ubigeo: string;
  code: string;
  name_es: string;
  name_en: string | null;
  level: Level;
  type: string;
  unit: string;
  direction: Direction;
  baseline_value: number | null;
  baseline_year: number | null;
  objective_id: number | null;
  parent_id: number | null;
  pp_code: string | null;
  is_example: boolean;
  objective_code: string | null;
  parent_code: string | null;
  municipality: string;
  department: string;
  department_code: string;
}
export interface ValueRow {
  indicator_id: number;
  year: number;
  target: number | null;
  baseline_target: number | null;
  actual: number | null;
  actual_source: string | null;
}
export interface LinkRow {
  indicator_id: number;
  link_type: LinkType;
  link_id: number;
}
/** A published change of a target or actual (the participation record's shape, per indicator and year). */
export interface HistoryRow extends RecordChange {
  indicator_id: number;
  year: number | null;
}

const PLAN_COLUMNS = ['id', 'ubigeo', 'title_es', 'title_en', 'period_from', 'period_to', 'document_url', 'ordinance', 'is_example'];
const flags = ['is_example'];
const plan = typedRow<PlanRow>({ numbers: ['id', 'period_from', 'period_to'], flags });
const objective = typedRow<ObjectiveRow>({ numbers: ['id', 'plan_id'], flags });
const indicator = typedRow<IndicatorRow>({ numbers: ['id'], nullable: ['baseline_value', 'baseline_year', 'objective_id', 'parent_id'], flags });
const value = (r: Record<string, unknown>): ValueRow => ({
  indicator_id: Number(r.indicator_id),
  year: Number(r.year),
  target: num(r.target),
  baseline_target: num(r.baseline_target),
  actual: num(r.actual),
  actual_source: (r.actual_source as string | null) ?? null,
});

export async function municipality(db: Q, ubigeo: string): Promise<{ ubigeo: string; district: string; department_code: string } | null> {
  return (await db('municipalities').select('ubigeo', 'district', 'department_code').where({ ubigeo }).first()) ?? null;
}

// ---------------------------------------------------------------- plans and objectives

export const plansOf = async (db: Q, ubigeo: string) => (await db('results_plans').select(PLAN_COLUMNS).where({ ubigeo }).orderBy('period_from', 'desc')).map(plan);
export const findPlan = async (db: Q, id: number) => {
  const r = await db('results_plans').select(PLAN_COLUMNS).where({ id }).first();
  return r ? plan(r) : null;
};
export const planByPeriod = async (db: Q, ubigeo: string, periodFrom: number) => {
  const r = await db('results_plans').select(PLAN_COLUMNS).where({ ubigeo, period_from: periodFrom }).first();
  return r ? plan(r) : null;
};
export const insertPlan = async (db: Q, row: Record<string, unknown>) => insertedId(await db('results_plans').insert(row));
export const updatePlan = (db: Q, id: number, row: Record<string, unknown>) => db('results_plans').where({ id }).update(row);

const OBJECTIVE_COLUMNS = ['id', 'plan_id', 'ubigeo', 'code', 'text_es', 'text_en', 'gap_es', 'gap_en', 'is_example'];
export const objectivesOf = async (db: Q, ubigeo: string) => (await db('results_objectives').select(OBJECTIVE_COLUMNS).where({ ubigeo }).orderBy('code')).map(objective);
export const objectiveByCode = async (db: Q, ubigeo: string, code: string) => {
  const r = await db('results_objectives').select(OBJECTIVE_COLUMNS).where({ ubigeo, code }).first();
  return r ? objective(r) : null;
};
export const insertObjective = async (db: Q, row: Record<string, unknown>) => insertedId(await db('results_objectives').insert(row));
export const updateObjective = (db: Q, id: number, row: Record<string, unknown>) => db('results_objectives').where({ id }).update(row);

/** Objectives with their plan's columns (the CSV export), one municipality or all. */
export async function objectiveExportRows(db: Q, ubigeo?: string) {
  const rows = await db('results_objectives as o')
    .join('results_plans as p', 'p.id', 'o.plan_id')
    .join('municipalities as m', 'm.ubigeo', 'o.ubigeo')
    .select(
      'o.ubigeo',
      { municipality: 'm.district' },
      { plan_title_es: 'p.title_es' },
      { plan_title_en: 'p.title_en' },
      'p.period_from',
      'p.period_to',
      'p.document_url',
      'p.ordinance',
      'o.code',
      'o.text_es',
      'o.text_en',
      'o.gap_es',
      'o.gap_en',
      'o.is_example',
    )
    .modify((qb) => {
      if (ubigeo) qb.where('o.ubigeo', ubigeo);
    })
    .orderBy(['o.ubigeo', 'o.code']);
  return rows.map((r: Record<string, unknown>) => ({ ...r, is_example: bool(r.is_example) }));
}

// ---------------------------------------------------------------- indicators

function indicatorQuery(db: Q) {
  return db('results_indicators as i')
    .join('municipalities as m', 'm.ubigeo', 'i.ubigeo')
    .join('departments as d', 'd.code', 'm.department_code')
    .leftJoin('results_objectives as o', 'o.id', 'i.objective_id')
    .leftJoin('results_indicators as p', 'p.id', 'i.parent_id')
    .select(
      ['id', 'ubigeo', 'code', 'name_es', 'name_en', 'level', 'type', 'unit', 'direction', 'baseline_value', 'baseline_year', 'objective_id', 'parent_id', 'pp_code', 'is_example'].map(
        (c) => `i.${c}`,
      ),
    )
    .select({ objective_code: 'o.code', parent_code: 'p.code', municipality: 'm.district', department: 'd.name', department_code: 'm.department_code' });
}

export interface IndicatorFilter {
  ubigeo?: string;
  department?: string;
  level?: string;
  type?: string;
  programme?: string;
}
export async function listIndicators(db: Q, f: IndicatorFilter): Promise<IndicatorRow[]> {
  const q = indicatorQuery(db);
  if (f.ubigeo) q.where('i.ubigeo', f.ubigeo);
  if (f.department) q.where('m.department_code', f.department);
  if (f.level) q.where('i.level', f.level);
  if (f.type) q.where('i.type', f.type);
  if (f.programme) q.where('i.pp_code', f.programme);
  return (await q.orderBy(['i.ubigeo', 'i.code'])).map(indicator);
}
export const findIndicator = async (db: Q, id: number) => {
  const r = await indicatorQuery(db).where('i.id', id).first();
  return r ? indicator(r) : null;
};
export const indicatorByCode = async (db: Q, ubigeo: string, code: string) => {
  const r = await indicatorQuery(db).where({ 'i.ubigeo': ubigeo, 'i.code': code }).first();
  return r ? indicator(r) : null;
};
export const insertIndicator = async (db: Q, row: Record<string, unknown>) => insertedId(await db('results_indicators').insert(row));
export const updateIndicator = (db: Q, id: number, row: Record<string, unknown>) => db('results_indicators').where({ id }).update(row);

// ---------------------------------------------------------------- links, values, history

export async function linksOf(db: Q, ids: number[]): Promise<LinkRow[]> {
  if (!ids.length) return [];
  const rows = await db('results_links').select('indicator_id', 'link_type', 'link_id').whereIn('indicator_id', ids).orderBy(['indicator_id', 'link_type', 'link_id']);
  return rows.map((r) => ({ indicator_id: Number(r.indicator_id), link_type: r.link_type, link_id: Number(r.link_id) }));
}
export async function replaceLinks(db: Q, indicatorId: number, type: LinkType, ids: number[]) {
  await db('results_links').where({ indicator_id: indicatorId, link_type: type }).delete();
  if (ids.length) await db('results_links').insert(ids.map((link_id) => ({ indicator_id: indicatorId, link_type: type, link_id })));
}

export async function valuesOf(db: Q, ids: number[]): Promise<ValueRow[]> {
  if (!ids.length) return [];
  return (await db('results_values').select('indicator_id', 'year', 'target', 'baseline_target', 'actual', 'actual_source').whereIn('indicator_id', ids).orderBy(['indicator_id', 'year'])).map(value);
}
export async function findValue(db: Q, indicatorId: number, year: number): Promise<ValueRow | null> {
  const r = await db('results_values').select('indicator_id', 'year', 'target', 'baseline_target', 'actual', 'actual_source').where({ indicator_id: indicatorId, year }).first();
  return r ? value(r) : null;
}
export const insertValue = (db: Q, row: Record<string, unknown>) => db('results_values').insert(row);
export const updateValue = (db: Q, indicatorId: number, year: number, row: Record<string, unknown>) => db('results_values').where({ indicator_id: indicatorId, year }).update(row);

/** Appends to the public record. There is no update or delete of results_history anywhere. */
export const addHistory = (db: Q, row: Omit<HistoryRow, 'id'> & { ubigeo: string; is_example?: boolean }) => db('results_history').insert({ is_example: false, ...row });
export async function historyOf(db: Q, indicatorIds: number[]): Promise<HistoryRow[]> {
  if (!indicatorIds.length) return [];
  return (
    await db('results_history')
      .select('id', 'indicator_id', 'year', 'at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'actor_role', 'actor_ubigeo')
      .whereIn('indicator_id', indicatorIds)
      .orderBy('id')
  ).map((r) => ({ ...(r as HistoryRow), id: Number(r.id), indicator_id: Number(r.indicator_id), year: num(r.year) }));
}

// ---------------------------------------------------------------- what the chain links to (read only)

/** The municipality's PB items among `ids` (id, title, status, progress): a link must point to one of them. */
export async function pbItemsOf(db: Q, ubigeo: string, ids: number[]) {
  if (!ids.length) return [];
  return (await db('pb_items').select('id', 'title_es', 'title_en', 'status', 'progress_pct', 'is_example').where({ ubigeo }).whereIn('id', ids)).map((r) => ({
    ...r,
    id: Number(r.id),
    progress_pct: Number(r.progress_pct),
  }));
}
/** The municipality's commitments among `ids`. */
export async function commitmentsOf(db: Q, ubigeo: string, ids: number[]) {
  if (!ids.length) return [];
  return (await db('commitments').select('id', 'text_es', 'text_en', 'status', 'is_example').where({ ubigeo }).whereIn('id', ids)).map((r) => ({ ...r, id: Number(r.id) }));
}

/** PB items and commitments by id (the chain's links, checked against the indicator's municipality by the caller). */
export async function pbItemsByIds(db: Q, ids: number[]) {
  if (!ids.length) return [];
  const rows = await db('pb_items')
    .select('id', 'ubigeo', 'title_es', 'title_en', 'status', 'progress_pct', 'is_example')
    .whereIn('id', [...new Set(ids)]);
  return rows.map((r) => ({ ...r, id: Number(r.id), ubigeo: String(r.ubigeo), progress_pct: Number(r.progress_pct) }));
}
export async function commitmentsByIds(db: Q, ids: number[]) {
  if (!ids.length) return [];
  const rows = await db('commitments')
    .select('id', 'ubigeo', 'text_es', 'text_en', 'status', 'is_example')
    .whereIn('id', [...new Set(ids)]);
  return rows.map((r) => ({ ...r, id: Number(r.id), ubigeo: String(r.ubigeo) }));
}

/**
 * Inputs of the score's I component for a year: every real indicator with its level, direction,
 * baseline target and actual that year (example content never counts).
 */
export async function scoreInputs(db: Db, year: number, department?: string) {
  const q = db('results_values as v')
    .join('results_indicators as i', 'i.id', 'v.indicator_id')
    .select('i.ubigeo', 'i.level', 'i.direction', 'v.baseline_target', 'v.actual')
    .where('v.year', year)
    .where('i.is_example', false)
    .whereNotNull('v.baseline_target');
  if (department) q.where('i.ubigeo', 'like', `${department}%`);
  return (await q).map((r) => ({ ubigeo: String(r.ubigeo), level: r.level as Level, direction: r.direction as Direction, baseline_target: num(r.baseline_target), actual: num(r.actual) }));
}
