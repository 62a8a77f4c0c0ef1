import type { Db } from '../../db';
import { AMOUNT_COLUMNS, Amounts } from '../../lib/amounts';
import type { Dimension } from './mef-gasto.importer';

export type AreaLevel = 'municipality' | 'province' | 'department' | 'national';

export interface RollupRow extends Amounts {
  code: string;
  parent: string;
}

const SUM_COLUMNS = AMOUNT_COLUMNS.map((c) => `sum(${c}) as ${c}`);

const numeric = (r: Record<string, unknown>): RollupRow => {
  for (const c of AMOUNT_COLUMNS) r[c] = Number(r[c] ?? 0);
  r.code = String(r.code);
  r.parent = String(r.parent ?? '');
  return r as unknown as RollupRow;
};

/** One breakdown of one area and year, from the rollup table (an index range, never the facts). */
export async function rollupRows(db: Db, level: AreaLevel, area: string, year: number, dim: Dimension): Promise<RollupRow[]> {
  const rows = await db('mef_gasto_rollups')
    .where({ level, area, year, dim })
    .select('code', 'parent', ...AMOUNT_COLUMNS)
    .orderBy('code');
  return rows.map(numeric);
}

/** Projects summed over the municipalities of an area (department/province code prefix, or all). */
export async function projectRowsForArea(db: Db, prefix: string, year: number, limit: number): Promise<RollupRow[]> {
  const q = db('mef_gasto_rollups')
    .where({ level: 'municipality', year, dim: 'project' })
    .groupBy('code')
    .select('code', db.raw('max(parent) as parent'), ...SUM_COLUMNS.map((s) => db.raw(s)))
    .orderByRaw('sum(pim) desc, code')
    .limit(limit);
  if (prefix) q.where('area', 'like', `${prefix}%`);
  const rows = await q;
  return rows.map(numeric);
}

/** Years with detailed data for an area, newest first. */
export async function rollupYears(db: Db, level: AreaLevel, area: string): Promise<number[]> {
  const rows = await db('mef_gasto_rollups').where({ level, area, dim: 'generic' }).distinct('year').orderBy('year', 'desc');
  return rows.map((r: { year: number }) => Number(r.year));
}

/** Years with detailed data of every area of a level, newest first, by area. */
export async function rollupYearsByArea(db: Db, level: AreaLevel): Promise<Map<string, number[]>> {
  const rows: Array<{ area: string; year: number }> = await db('mef_gasto_rollups')
    .where({ level, dim: 'generic' })
    .distinct('area', 'year')
    .orderBy([{ column: 'area' }, { column: 'year', order: 'desc' }]);
  const out = new Map<string, number[]>();
  for (const r of rows) {
    let list = out.get(String(r.area));
    if (!list) out.set(String(r.area), (list = []));
    list.push(Number(r.year));
  }
  return out;
}

/** Totals of every area of a level for a year (for the map and comparisons). */
export async function areaTotals(db: Db, level: AreaLevel, year: number, areas?: string[]): Promise<Array<Amounts & { area: string }>> {
  const q = db('mef_gasto_rollups')
    .where({ level, year, dim: 'generic' })
    .groupBy('area')
    .select('area', ...SUM_COLUMNS.map((s) => db.raw(s)));
  if (areas) q.whereIn('area', areas);
  const rows = await q;
  return rows.map((r: Record<string, unknown>) => {
    for (const c of AMOUNT_COLUMNS) r[c] = Number(r[c] ?? 0);
    return r as Amounts & { area: string };
  });
}

/** A breakdown of several areas at once (comparison page). */
export async function rollupRowsForAreas(db: Db, level: AreaLevel, areas: string[], year: number, dim: Dimension): Promise<Array<RollupRow & { area: string }>> {
  const rows = await db('mef_gasto_rollups')
    .where({ level, year, dim })
    .whereIn('area', areas)
    .select('area', 'code', 'parent', ...AMOUNT_COLUMNS);
  return rows.map((r: Record<string, unknown>) => ({ ...numeric(r), area: String(r.area) }));
}

/** National budget-category rows for every year (Table 2 of the paper, from imported data). */
export async function nationalCategoriesByYear(db: Db): Promise<Array<RollupRow & { year: number }>> {
  const rows = await db('mef_gasto_rollups')
    .where({ level: 'national', area: 'PE', dim: 'category' })
    .select('year', 'code', 'parent', ...AMOUNT_COLUMNS)
    .orderBy(['year', 'code']);
  return rows.map((r: Record<string, unknown>) => ({ ...numeric(r), year: Number(r.year) }));
}

/** Names of MEF codes as the imported files spell them. */
export async function codeNames(db: Db, list: string, codes: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await db('mef_codes')
      .where({ list })
      .whereIn('code', codes.slice(i, i + 500))
      .select('code', 'name');
    for (const r of rows as { code: string; name: string }[]) out.set(r.code, r.name);
  }
  return out;
}

/** Every rollup row of one level, streamed (bulk download). */
export function streamRollups(db: Db, level: AreaLevel) {
  return db('mef_gasto_rollups')
    .where({ level })
    .select('level', 'area', 'year', 'dim', 'code', 'parent', ...AMOUNT_COLUMNS)
    .orderBy(['area', 'year', 'dim', 'code'])
    .stream();
}
