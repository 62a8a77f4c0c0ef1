import { POPULATION_BANDS, type PopulationBand } from '../municipalities';
import type { Db } from '../../db';
import { HEARING_WINDOWS } from '../participation';
import { PREFERRED_SOURCE } from '../spending';

/**
 * Department filter. INEI ubigeos start with the department code, so the ubigeo range lets every
 * input table use its (…, ubigeo) index instead of scanning the whole year.
 */
const inDept = (department?: string, col?: string) => (qb: { where: (c: string, v: string) => unknown; whereBetween: (c: string, r: [string, string]) => unknown }) => {
  if (!department) return;
  if (col) qb.whereBetween(col, [`${department}0000`, `${department}9999`]);
  else qb.where('m.department_code', department);
};

/** Municipalities in scope. */
export async function municipalities(db: Db, department?: string): Promise<Array<{ ubigeo: string; department_code: string }>> {
  const qb = db('municipalities as m').select('m.ubigeo', 'm.department_code').orderBy('m.ubigeo');
  inDept(department)(qb);
  return (await qb).map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), department_code: String(r.department_code) }));
}

/**
 * S inputs: the published cells (municipality × area × quarter with at least `minResidents`
 * ratings; one current rating per resident and cell) of the year's service-area ratings. The
 * service sums them per municipality, so S never includes a rating that is not published.
 * No join: the ubigeo range picks the department.
 */
export async function satisfactionInputs(db: Db, year: number, department: string | undefined, minResidents: number) {
  const qb = db('ratings as r')
    .whereNotNull('r.area_id')
    .where('r.year', year)
    .select('r.ubigeo')
    .select(db.raw('count(*) as n'), db.raw('sum(r.score) as s1'))
    .groupBy('r.ubigeo', 'r.area_id', 'r.quarter')
    .havingRaw('count(*) >= ?', [minResidents]);
  inDept(department, 'r.ubigeo')(qb);
  return (await qb).map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), n: Number(r.n), s1: Number(r.s1) }));
}

/** E inputs: devengado and PIM (céntimos) from the best source of each municipality (spending's PREFERRED_SOURCE). */
export async function executionInputs(db: Db, year: number, department?: string) {
  const qb = db('execution_totals as e')
    .where('e.year', year)
    .where(db.raw('(e.source = ? or not exists (select 1 from execution_totals e2 where e2.ubigeo = e.ubigeo and e2.year = e.year and e2.source = ?))', [PREFERRED_SOURCE, PREFERRED_SOURCE]))
    .select('e.ubigeo', 'e.devengado', 'e.pim');
  inDept(department, 'e.ubigeo')(qb);
  return (await qb).map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), devengado: Number(r.devengado), pim: Number(r.pim) }));
}

/**
 * P inputs: cost and cost × progress of real PB items whose **baseline** (first published)
 * planned end falls in the year: moving the date never moves an item out of its year.
 */
export async function deliveryInputs(db: Db, year: number, department?: string) {
  const qb = db('pb_items as i')
    .where('i.is_example', false)
    .whereBetween('i.baseline_planned_end', [`${year}-01-01`, `${year}-12-31`])
    .select('i.ubigeo')
    .select(
      db.raw('sum(i.total_cost) as cost'),
      db.raw("sum(i.total_cost * (case when i.status = 'culminado' or i.progress_pct >= 100 then 100 else i.progress_pct end)) as weighted"),
      db.raw('count(*) as items'),
    )
    .groupBy('i.ubigeo');
  inDept(department, 'i.ubigeo')(qb);
  return (await qb).map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), cost: Number(r.cost), weighted: Number(r.weighted), items: Number(r.items) }));
}

/**
 * A inputs (hearings): how many of the year's legal windows (participation's HEARING_WINDOWS,
 * the one definition of "held on time") had a real hearing held in them. Only hearings in state
 * `realizada` and not withdrawn count; the form refuses `realizada` for a future date.
 */
export async function hearingInputs(db: Db, year: number, department?: string) {
  const qb = db('hearings as h')
    .where('h.is_example', false)
    .where('h.state', 'realizada')
    .whereNull('h.withdrawn_at')
    .whereBetween('h.held_on', [`${year}-01-01`, `${year}-12-31`])
    .select('h.ubigeo')
    .select(HEARING_WINDOWS.map((w) => db.raw(`max(case when h.held_on >= ? and h.held_on <= ? then 1 else 0 end) as ${w.key}_on_time`, [`${year}-${w.from}`, `${year}-${w.to}`])))
    .groupBy('h.ubigeo');
  inDept(department, 'h.ubigeo')(qb);
  return (await qb).map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), onTime: HEARING_WINDOWS.reduce((n, w) => n + Number(r[`${w.key}_on_time`]), 0) }));
}

/**
 * A inputs (commitments): real commitments whose **baseline** due date falls in the year, and
 * those fulfilled by it (participation's fulfilledOnTime, in SQL).
 */
export async function commitmentInputs(db: Db, year: number, department?: string) {
  const qb = db('commitments as c')
    .where('c.is_example', false)
    .whereBetween('c.baseline_due_on', [`${year}-01-01`, `${year}-12-31`])
    .select('c.ubigeo')
    .select(db.raw('count(*) as due'), db.raw("sum(case when c.status = 'cumplido' and c.fulfilled_on is not null and c.fulfilled_on <= c.baseline_due_on then 1 else 0 end) as fulfilled"))
    .groupBy('c.ubigeo');
  inDept(department, 'c.ubigeo')(qb);
  return (await qb).map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), due: Number(r.due), fulfilled: Number(r.fulfilled) }));
}

/**
 * R inputs: devengado in budget programmes (every categoría presupuestal except 9001 acciones
 * centrales and 9002 APNOP; productos específicos count with programmes, as in spending) and in
 * 9002 APNOP, per municipality, from the detailed MEF rollups (only where detailed data exists).
 */
export async function resultsInputs(db: Db, year: number, department?: string) {
  const qb = db('mef_gasto_rollups as g')
    .where({ 'g.level': 'municipality', 'g.dim': 'category', 'g.year': year })
    .select('g.area as ubigeo')
    .select(db.raw("sum(case when g.code not in ('9001', '9002') then g.devengado else 0 end) as pp"), db.raw("sum(case when g.code = '9002' then g.devengado else 0 end) as apnop"))
    .groupBy('g.area');
  inDept(department, 'g.area')(qb);
  return (await qb).map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), pp: Number(r.pp), apnop: Number(r.apnop) }));
}

/** Years that have any input. */
/**
 * The first year the score covers on execution totals alone: the 2012–2022 history (Consulta
 * Amigable totals only, no ratings, participation or detailed data) is shown as execution, not
 * scored; a year before it is scored only when it has another input.
 */
export const SCORE_FIRST_EXECUTION_YEAR = 2024;

export async function inputYears(db: Db): Promise<number[]> {
  const rows = await db
    .select('year')
    .from(db('execution_totals').where('year', '>=', SCORE_FIRST_EXECUTION_YEAR).distinct('year').as('a'))
    .union([db('ratings').distinct('year'), db('pb_items').distinct('year'), db('mef_gasto_rollups').distinct('year')]);
  return [...new Set(rows.map((r: Record<string, unknown>) => Number(r.year)))].sort();
}

export interface ScoreRow {
  ubigeo: string;
  year: number;
  s: number | null;
  e: number | null;
  r: number | null;
  p: number | null;
  a: number | null;
  i: number | null;
  score: number | null;
  coverage: number;
  n_ratings: number;
  mean_rating: number | null;
  dept_mean: number | null;
  weights_id: number;
  computed_at: string;
}

/** Writes scores and moves the scores version (call inside the recompute's transaction). */
export async function upsertScores(db: Db, rows: ScoreRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 400) {
    await db('scores')
      .insert(rows.slice(i, i + 400))
      .onConflict(['ubigeo', 'year'])
      .merge();
  }
  await db('data_versions').where({ name: 'scores' }).increment('version', 1);
}

/** Moves with every write of scores, whichever process made it. */
export async function scoresVersion(db: Db): Promise<number> {
  const row = await db('data_versions').select('version').where({ name: 'scores' }).first();
  return Number(row?.version ?? 0);
}

export interface Weights {
  id: number;
  w_s: number;
  w_e: number;
  w_r: number;
  w_p: number;
  w_a: number;
  w_i: number;
  valid_from: string;
  set_by: string;
  note: string | null;
}

const weights = (r: Record<string, unknown>): Weights => ({
  id: Number(r.id),
  w_s: Number(r.w_s),
  w_e: Number(r.w_e),
  w_r: Number(r.w_r),
  w_p: Number(r.w_p),
  w_a: Number(r.w_a),
  w_i: Number(r.w_i ?? 0),
  valid_from: String(r.valid_from),
  set_by: String(r.set_by),
  note: (r.note as string) ?? null,
});

export async function weightHistory(db: Db): Promise<Weights[]> {
  return (await db('score_weights').select('id', 'w_s', 'w_e', 'w_r', 'w_p', 'w_a', 'w_i', 'valid_from', 'set_by', 'note').orderBy('id', 'desc')).map(weights);
}

export async function currentWeights(db: Db): Promise<Weights> {
  return weights(await db('score_weights').select('id', 'w_s', 'w_e', 'w_r', 'w_p', 'w_a', 'w_i', 'valid_from', 'set_by', 'note').orderBy('id', 'desc').first());
}

export async function insertWeights(db: Db, row: Omit<Weights, 'id'>): Promise<number> {
  const [id] = await db('score_weights').insert(row);
  return Number(id);
}

export interface ScoreFilter {
  year: number;
  department?: string;
  type?: 'provincial' | 'distrital';
  band?: PopulationBand;
  ubigeo?: string;
}

/** Stored scores with the municipality's name, department, type and population. */
export async function listScores(db: Db, f: ScoreFilter) {
  const qb = db('scores as s')
    .join('municipalities as m', 'm.ubigeo', 's.ubigeo')
    .join('departments as d', 'd.code', 'm.department_code')
    .where('s.year', f.year)
    .select(
      's.ubigeo',
      'm.name_mef as name',
      'm.district',
      'm.department_code',
      'd.name as department',
      'm.type',
      'm.population',
      's.year',
      's.score',
      's.coverage',
      's.s',
      's.e',
      's.r',
      's.p',
      's.a',
      's.i',
      's.n_ratings',
      's.mean_rating',
      's.dept_mean',
      's.weights_id',
      's.computed_at',
    )
    .orderBy('s.ubigeo');
  if (f.department) qb.where('m.department_code', f.department);
  if (f.type) qb.where('m.type', f.type);
  if (f.ubigeo) qb.where('s.ubigeo', f.ubigeo);
  if (f.band) {
    const [lo, hi] = POPULATION_BANDS[f.band];
    qb.where('m.population', '>=', lo).where('m.population', '<', hi);
  }
  const n = (v: unknown) => (v == null ? null : Number(v));
  return (await qb).map((r: Record<string, unknown>) => ({
    ubigeo: String(r.ubigeo),
    name: String(r.name),
    district: String(r.district),
    department_code: String(r.department_code),
    department: String(r.department),
    type: String(r.type),
    population: Number(r.population),
    year: Number(r.year),
    score: n(r.score),
    coverage: Number(r.coverage),
    s: n(r.s),
    e: n(r.e),
    r: n(r.r),
    p: n(r.p),
    a: n(r.a),
    i: n(r.i),
    n_ratings: Number(r.n_ratings),
    mean_rating: n(r.mean_rating),
    dept_mean: n(r.dept_mean),
    weights_id: Number(r.weights_id),
  }));
}

export async function scoreYears(db: Db): Promise<number[]> {
  return (await db('scores').distinct('year').whereNotNull('score').orderBy('year', 'desc')).map((r: Record<string, unknown>) => Number(r.year));
}

/** Scores of several municipalities for one year, by ubigeo. */
export async function scoresFor(db: Db, ubigeos: string[], year: number) {
  const rows = await db('scores').select('ubigeo', 'score', 'coverage', 's', 'e', 'r', 'p', 'a', 'i').whereIn('ubigeo', ubigeos).where({ year });
  const n = (v: unknown) => (v == null ? null : Number(v));
  return new Map(rows.map((r: Record<string, unknown>) => [String(r.ubigeo), { score: n(r.score), coverage: Number(r.coverage), s: n(r.s), e: n(r.e), r: n(r.r), p: n(r.p), a: n(r.a), i: n(r.i) }]));
}

/** Every municipality's scores, newest year first, by ubigeo. */
export async function scoresByUbigeo(db: Db): Promise<Map<string, Array<Record<string, unknown>>>> {
  const rows: Array<Record<string, unknown>> = await db('scores')
    .select('ubigeo', 'year', 'score', 'coverage', 's', 'e', 'r', 'p', 'a', 'i', 'n_ratings')
    .orderBy([{ column: 'ubigeo' }, { column: 'year', order: 'desc' }]);
  const out = new Map<string, Array<Record<string, unknown>>>();
  for (const { ubigeo, ...r } of rows) {
    const key = String(ubigeo);
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(r);
  }
  return out;
}

/** Every year that has stored scores (with or without data). */
export async function scoreYearsAll(db: Db): Promise<number[]> {
  return (await db('scores').distinct('year').orderBy('year')).map((r: Record<string, unknown>) => Number(r.year));
}
