import type { Db } from '../../db';
import { AMOUNT_COLUMNS } from '../../lib/amounts';
import { createInterner } from '../../lib/intern';
import type { ExecutionYear, MunicipalityExecution } from './spending.types';

/** Detailed MEF data (when imported) takes precedence over Consulta Amigable totals. */
export const PREFERRED_SOURCE = 'mef_gasto';

const bestSource = (db: Db) =>
  db.raw(`(e.source = ? or not exists (select 1 from execution_totals e2 where e2.ubigeo = e.ubigeo and e2.year = e.year and e2.source = ?))`, [PREFERRED_SOURCE, PREFERRED_SOURCE]);

const EXEC_COLUMNS = [
  'e.ubigeo',
  'e.year',
  'e.source',
  ...AMOUNT_COLUMNS.map((c) => `e.${c}`),
  'm.name_mef as name',
  'm.district',
  'm.department_code',
  'd.name as department',
  'm.province_code',
  'p.name as province',
  'm.type',
  'm.population',
];

/** Text columns of an execution row: a few thousand distinct values over 26 000 precomputed rows. */
const TEXT_COLUMNS = ['ubigeo', 'source', 'name', 'district', 'department_code', 'department', 'province_code', 'province', 'type'] as const;
const intern = createInterner();

const numeric = (r: Record<string, unknown>) => {
  for (const c of TEXT_COLUMNS) r[c] = intern(r[c]);
  for (const c of AMOUNT_COLUMNS) r[c] = Number(r[c]);
  r.year = Number(r.year);
  r.population = Number(r.population);
  return r as unknown as MunicipalityExecution;
};

/** Years with execution data, per source, with their cut-off dates. */
export async function listExecutionYears(db: Db): Promise<ExecutionYear[]> {
  const rows = await db('execution_years').select('year', 'source', 'cut_off', 'cut_off_approximate', 'partial', 'label').orderBy('year', 'desc');
  return rows.map((r: Record<string, unknown>) => ({
    year: Number(r.year),
    source: String(r.source),
    cut_off: String(r.cut_off).slice(0, 10),
    cut_off_approximate: Boolean(Number(r.cut_off_approximate)),
    partial: Boolean(Number(r.partial)),
    label: String(r.label),
  }));
}

/** Municipalities' totals from their best available source, filtered on one column and ordered by another. */
async function bestExecution(db: Db, where: 'e.year' | 'e.ubigeo', value: number | string, order: [string, 'asc' | 'desc']): Promise<MunicipalityExecution[]> {
  const rows = await db('execution_totals as e')
    .join('municipalities as m', 'm.ubigeo', 'e.ubigeo')
    .join('departments as d', 'd.code', 'm.department_code')
    .join('provinces as p', 'p.code', 'm.province_code')
    .where(where, value)
    .where(bestSource(db))
    .select(EXEC_COLUMNS)
    .orderBy(...order);
  return rows.map(numeric);
}

/** Where a municipality is and how many live there: the columns an execution row carries besides its figures. */
export type MunicipalityPlace = Omit<MunicipalityExecution, 'year' | 'source' | (typeof AMOUNT_COLUMNS)[number]>;

/** Every municipality's place (for `executionForYear`: read once, not joined into each year's rows). */
export async function municipalityPlaces(db: Db): Promise<Map<string, MunicipalityPlace>> {
  const rows = await db('municipalities as m')
    .join('departments as d', 'd.code', 'm.department_code')
    .join('provinces as p', 'p.code', 'm.province_code')
    .select(EXEC_COLUMNS.filter((c) => c.startsWith('m.') || c.startsWith('d.') || c.startsWith('p.')))
    .select('m.ubigeo');
  const out = new Map<string, MunicipalityPlace>();
  for (const r of rows as Record<string, unknown>[]) {
    const place = {
      ubigeo: intern(String(r.ubigeo)),
      name: intern(r.name) as string,
      district: intern(r.district) as string,
      department_code: intern(r.department_code) as string,
      department: intern(r.department) as string,
      province_code: intern(r.province_code) as string,
      province: intern(r.province) as string,
      type: intern(r.type) as string,
      population: Number(r.population),
    };
    out.set(place.ubigeo, place);
  }
  return out;
}

/**
 * Every municipality's totals for one year, from its best available source, in ubigeo order: the
 * same rows as `executionForMunicipality`'s, built from the year's figures (no join) and the
 * places read once by `municipalityPlaces`. The precomputed summaries read all 14 years at each
 * start and data version; without the join into each of their 26 000 rows they build in about a
 * fifth less time.
 */
export async function executionForYear(db: Db, year: number, places: Map<string, MunicipalityPlace>): Promise<MunicipalityExecution[]> {
  const rows = (await db('execution_totals as e')
    .where('e.year', year)
    .where(bestSource(db))
    .select(EXEC_COLUMNS.filter((c) => c.startsWith('e.')))
    .orderBy('e.ubigeo', 'asc')) as Record<string, unknown>[];
  const out: MunicipalityExecution[] = [];
  for (const r of rows) {
    const place = places.get(String(r.ubigeo));
    if (!place) continue; // as the inner join did
    out.push({
      ubigeo: place.ubigeo,
      year: Number(r.year),
      source: intern(r.source) as string,
      pia: Number(r.pia),
      pim: Number(r.pim),
      certificacion: Number(r.certificacion),
      compromiso_anual: Number(r.compromiso_anual),
      atencion_compromiso_mensual: Number(r.atencion_compromiso_mensual),
      devengado: Number(r.devengado),
      girado: Number(r.girado),
      name: place.name,
      district: place.district,
      department_code: place.department_code,
      department: place.department,
      province_code: place.province_code,
      province: place.province,
      type: place.type,
      population: place.population,
    });
  }
  return out;
}

/** One municipality's totals for every year, from its best available source. */
export function executionForMunicipality(db: Db, ubigeo: string): Promise<MunicipalityExecution[]> {
  return bestExecution(db, 'e.ubigeo', ubigeo, ['e.year', 'desc']);
}

/** The source paper's Table 1 as stored: execution % by department and year. */
export async function historyByDepartment(db: Db): Promise<{ department_code: string; year: number; execution_pct: number }[]> {
  const rows = await db('history_department_execution').select('department_code', 'year', 'execution_pct').orderBy(['department_code', 'year']);
  return rows.map((r: Record<string, unknown>) => ({ department_code: String(r.department_code), year: Number(r.year), execution_pct: Number(r.execution_pct) }));
}

/** The source paper's Table 2 as stored: share of spending by budget category type and year. */
export async function historyCategoryShares(db: Db): Promise<{ category_type: string; year: number; share_pct: number }[]> {
  const rows = await db('history_category_share').select('category_type', 'year', 'share_pct').orderBy(['category_type', 'year']);
  return rows.map((r: Record<string, unknown>) => ({ category_type: String(r.category_type), year: Number(r.year), share_pct: Number(r.share_pct) }));
}

/** The last import run: its id (the data version) and when it ran (the sitemap's lastmod). */
export async function lastImport(db: Db): Promise<{ version: number; at: string | null }> {
  const row: { id: number | string; imported_at: string | Date | number } | undefined = await db('import_runs').orderBy('id', 'desc').first('id', 'imported_at');
  if (!row) return { version: 0, at: null };
  const at = new Date(row.imported_at);
  return { version: Number(row.id), at: Number.isNaN(at.getTime()) ? null : at.toISOString() };
}

/** The data version: the id of the last import run (every importer writes one in its transaction). */
export async function dataVersion(db: Db): Promise<number> {
  const row = (await db('import_runs').max({ v: 'id' }).first()) as { v: number | string | null } | undefined;
  return Number(row?.v ?? 0);
}

/**
 * PIM and devengado summed per year and department: municipalities (best source) plus, in their
 * years, predecessor municipalities (they were separate municipalities then; never part of their
 * successor's own series).
 */
export async function executionSums(db: Db): Promise<Array<{ year: number; department_code: string; pim: number; devengado: number; count: number }>> {
  const [munis, preds] = await Promise.all([
    db('execution_totals as e')
      .join('municipalities as m', 'm.ubigeo', 'e.ubigeo')
      .where(bestSource(db))
      .select('e.year', 'm.department_code')
      .sum({ pim: 'e.pim' })
      .sum({ devengado: 'e.devengado' })
      .count({ count: '*' })
      .groupBy('e.year', 'm.department_code'),
    db('predecessor_execution as e')
      .join('municipality_predecessors as p', 'p.ubigeo', 'e.ubigeo')
      .where('e.source', 'consulta_amigable')
      .select('e.year', 'p.department_code')
      .sum({ pim: 'e.pim' })
      .sum({ devengado: 'e.devengado' })
      .count({ count: '*' })
      .groupBy('e.year', 'p.department_code'),
  ]);
  const out = new Map<string, { year: number; department_code: string; pim: number; devengado: number; count: number }>();
  for (const r of [...munis, ...preds] as Record<string, unknown>[]) {
    const key = `${Number(r.year)}/${String(r.department_code)}`;
    const s = out.get(key) ?? { year: Number(r.year), department_code: String(r.department_code), pim: 0, devengado: 0, count: 0 };
    s.pim += Number(r.pim ?? 0);
    s.devengado += Number(r.devengado ?? 0);
    s.count += Number(r.count);
    out.set(key, s);
  }
  return [...out.values()];
}

/** A predecessor municipality's execution per year (it is not in the directory). */
export async function predecessorExecution(db: Db, ubigeo: string): Promise<Array<{ year: number; pim: number; devengado: number }>> {
  const rows = await db('predecessor_execution').where({ ubigeo, source: 'consulta_amigable' }).select('year', 'pim', 'devengado').orderBy('year');
  return rows.map((r: Record<string, unknown>) => ({ year: Number(r.year), pim: Number(r.pim), devengado: Number(r.devengado) }));
}
