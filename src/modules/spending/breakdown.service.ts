import type { Db } from '../../db';
import { AMOUNT_COLUMNS, Amounts, executionPct } from '../../lib/amounts';
import { NotFoundError } from '../../lib/errors';
import { readReferenceCsv } from '../../lib/reference-files';
import type { Lang } from '../../i18n';
import * as q from './breakdown.queries';
import type { AreaLevel, RollupRow } from './breakdown.queries';
import { DIMENSIONS, Dimension, MEF_GASTO, MEF_GASTO_LABEL, SYNTHETIC_LABEL } from './mef-gasto.importer';
import * as eq from './spending.queries';

export const BY = DIMENSIONS;
export type By = Dimension;
export const CATEGORY_TYPES = ['programa_presupuestal', 'acciones_centrales', 'apnop'] as const;
export type CategoryType = (typeof CATEGORY_TYPES)[number];
/** Rubro of canon, sobrecanon, regalías, renta de aduanas y participaciones. */
export const CANON_RUBRO = '18';
export const PROJECT_LIMIT = 300;

export interface BreakdownRow extends Amounts {
  code: string;
  name: string;
  parent: string;
  parent_name: string;
  type: string;
  execution_pct: number | null;
  share_pct: number | null;
}

interface RefName {
  es: string;
  en: string;
  type?: string;
}

let refCache: Partial<Record<By, Map<string, RefName>>> | null = null;
const titleCase = (s: string) => s.charAt(0) + s.slice(1).toLowerCase();

/** Spanish/English names of MEF codes from the bundled code lists (reference-data/mef_*.csv). */
function referenceNames(): Partial<Record<By, Map<string, RefName>>> {
  if (refCache) return refCache;
  const map = (rows: Record<string, string>[], f: (r: Record<string, string>) => [string, RefName]) => new Map(rows.map(f));
  refCache = {
    function: map(readReferenceCsv('mef_funciones.csv'), (r) => [r.code, { es: r.name_es, en: r.name_en }]),
    category: map(readReferenceCsv('mef_categoria_presupuestal.csv'), (r) => [r.code, { es: titleCase(r.name_mef), en: r.name_en, type: r.type }]),
    source: map(readReferenceCsv('mef_fuentes_financiamiento.csv'), (r) => [r.code, { es: r.name_es, en: r.name_en }]),
    rubro: map(readReferenceCsv('mef_rubros.csv'), (r) => [r.code, { es: titleCase(r.name_mef), en: r.name_en }]),
    generic: map(
      readReferenceCsv('mef_otros_codigos.csv').filter((r) => r.list === 'generica'),
      (r) => [r.code, { es: `${titleCase(r.name_mef)} (2.${r.code})`, en: r.name_en }],
    ),
  };
  return refCache;
}

/** programa presupuestal (incl. productos específicos), 9001 acciones centrales, 9002 APNOP. */
export function categoryType(code: string): CategoryType {
  if (code === '9001') return 'acciones_centrales';
  if (code === '9002') return 'apnop';
  return 'programa_presupuestal';
}

const monthName = (lang: Lang, m: number) => new Intl.DateTimeFormat(lang === 'es' ? 'es-PE' : 'en-US', { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, m - 1, 1)));

function sum(rows: Amounts[]): Amounts {
  const t = Object.fromEntries(AMOUNT_COLUMNS.map((c) => [c, 0])) as Amounts;
  for (const r of rows) for (const c of AMOUNT_COLUMNS) t[c] += r[c];
  return t;
}

export interface AreaRef {
  level: AreaLevel;
  area: string;
}

/** Detailed MEF spending (mef_gasto) broken down by function, category, source, rubro, genérica, project, month. */
type Memo = <T>(key: string, load: () => Promise<T>) => Promise<T>;

/** `memo`: the spending data memo (detailed years move with the MEF imports); without one, every call reads the table. */
export function createBreakdownService({ db, memo }: { db: Db; memo?: Memo }) {
  async function label(dim: By, codes: string[], lang: Lang): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (dim === 'month') {
      for (const c of codes) out.set(c, c === '00' ? (lang === 'es' ? 'Sin mes (presupuesto)' : 'No month (budget)') : monthName(lang, Number(c)));
      return out;
    }
    const ref = referenceNames()[dim];
    const missing = codes.filter((c) => !ref?.has(c));
    const fromDb = missing.length ? await q.codeNames(db, dim, missing) : new Map<string, string>();
    for (const c of codes) out.set(c, ref?.get(c)?.[lang] ?? fromDb.get(c) ?? c);
    return out;
  }

  function toRows(rows: RollupRow[], names: Map<string, string>, parents: Map<string, string>, dim: By, totalDevengado: number): BreakdownRow[] {
    return rows.map((r) => ({
      ...r,
      name: names.get(r.code) ?? r.code,
      parent_name: parents.get(r.parent) ?? r.parent,
      type: dim === 'category' ? categoryType(r.code) : dim === 'project' ? (r.parent === '2' ? 'project' : 'product') : '',
      execution_pct: executionPct(r.devengado, r.pim),
      share_pct: totalDevengado ? Math.round((r.devengado / totalDevengado) * 1000) / 10 : null,
    }));
  }

  /** Years with detailed data for an area, newest first. */
  const years = async (ref: AreaRef): Promise<number[]> => {
    if (!memo || ref.level !== 'municipality') return q.rollupYears(db, ref.level, ref.area);
    // Every municipality page asks: one read of every municipality's years per data version.
    return (await memo('detail-years:municipality', () => q.rollupYearsByArea(db, 'municipality'))).get(ref.area) ?? [];
  };

  /** One breakdown of an area and year with localized names, execution % and share of devengado. */
  async function breakdown(ref: AreaRef, year: number, by: By, lang: Lang) {
    const totalRows = await q.rollupRows(db, ref.level, ref.area, year, 'generic');
    if (!totalRows.length) throw new NotFoundError('spending:errors.no_detail', { year });
    const total = sum(totalRows);
    let rows =
      by === 'project' && ref.level !== 'municipality'
        ? await q.projectRowsForArea(db, ref.level === 'national' ? '' : ref.area, year, PROJECT_LIMIT)
        : await q.rollupRows(db, ref.level, ref.area, year, by);
    if (by === 'month') rows = rows.sort((a, b) => a.code.localeCompare(b.code));
    else rows = rows.sort((a, b) => b.pim - a.pim || a.code.localeCompare(b.code));
    const names = await label(
      by,
      rows.map((r) => r.code),
      lang,
    );
    const meta = (await eq.listExecutionYears(db)).find((y) => y.year === year && y.source === MEF_GASTO);
    const parents = by === 'rubro' ? await label('source', [...new Set(rows.map((r) => r.parent))], lang) : new Map<string, string>();
    return {
      year,
      rows: toRows(rows, names, parents, by, total.devengado),
      total: { ...total, execution_pct: executionPct(total.devengado, total.pim) },
      truncated: by === 'project' && ref.level !== 'municipality' && rows.length >= PROJECT_LIMIT,
      source: meta?.label ?? MEF_GASTO_LABEL,
      synthetic: meta?.label === SYNTHETIC_LABEL,
      cut_off: meta?.cut_off ?? null,
      partial: meta?.partial ?? null,
    };
  }

  /** Shares of devengado by category type (the paper's Table 2 buckets). */
  function typeShares(rows: BreakdownRow[]): Array<{ type: CategoryType; devengado: number; pim: number; share_pct: number | null; execution_pct: number | null }> {
    const total = rows.reduce((a, r) => a + r.devengado, 0);
    return CATEGORY_TYPES.map((type) => {
      const of = rows.filter((r) => categoryType(r.code) === type);
      const devengado = of.reduce((a, r) => a + r.devengado, 0);
      const pim = of.reduce((a, r) => a + r.pim, 0);
      return { type, devengado, pim, share_pct: total ? Math.round((devengado / total) * 1000) / 10 : null, execution_pct: executionPct(devengado, pim) };
    });
  }

  /** Accumulated devengado by month as % of the year's PIM, for a year and the year before. */
  async function curve(ref: AreaRef, year: number) {
    const load = async (y: number) => {
      const rows = await q.rollupRows(db, ref.level, ref.area, y, 'month');
      if (!rows.length) return null;
      const pim = rows.reduce((a, r) => a + r.pim, 0);
      let acc = 0;
      return Array.from({ length: 12 }, (_, i) => {
        const m = rows.find((r) => Number(r.code) === i + 1);
        const dev = m?.devengado ?? 0;
        acc += dev;
        return { month: i + 1, devengado: dev, accumulated: acc, accumulated_pct: pim ? Math.round((acc / pim) * 1000) / 10 : null, pim };
      });
    };
    const [current, previous] = await Promise.all([load(year), load(year - 1)]);
    return { current, previous };
  }

  /** National shares by category type for every imported year (Table 2 shape). */
  async function nationalCategoryShares() {
    const rows = await q.nationalCategoriesByYear(db);
    const years = [...new Set(rows.map((r) => r.year))].sort();
    const values = years.map((y) => {
      const of = rows.filter((r) => r.year === y);
      const total = of.reduce((a, r) => a + r.devengado, 0);
      return {
        year: y,
        total,
        shares: Object.fromEntries(
          CATEGORY_TYPES.map((t) => [t, total ? Math.round((of.filter((r) => categoryType(r.code) === t).reduce((a, r) => a + r.devengado, 0) / total) * 1000) / 10 : null]),
        ) as Record<CategoryType, number | null>,
      };
    });
    return { years, values };
  }

  /** Execution % of every department or province with detailed data for a year (map). */
  async function levelTotals(level: 'department' | 'province', year: number) {
    const rows = await q.areaTotals(db, level, year);
    return new Map(rows.map((r) => [r.area, { ...r, execution_pct: executionPct(r.devengado, r.pim) }]));
  }

  /** Side-by-side figures for 2–4 municipalities: totals (best source), per capita, category shares. */
  async function compare(ubigeos: string[], year: number) {
    const details = await q.rollupRowsForAreas(db, 'municipality', ubigeos, year, 'category');
    const synthetic = (await eq.listExecutionYears(db)).some((y) => y.year === year && y.source === MEF_GASTO && y.label === SYNTHETIC_LABEL);
    const out = [];
    for (const u of ubigeos) {
      const all = await eq.executionForMunicipality(db, u);
      const e = all.find((r) => r.year === year) ?? null;
      const cats = details.filter((d) => d.area === u);
      const total = cats.reduce((a, r) => a + r.devengado, 0);
      const shares = cats.length
        ? (Object.fromEntries(
            CATEGORY_TYPES.map((t) => [t, total ? Math.round((cats.filter((r) => categoryType(r.code) === t).reduce((a, r) => a + r.devengado, 0) / total) * 1000) / 10 : null]),
          ) as Record<CategoryType, number | null>)
        : null;
      out.push({
        ubigeo: u,
        execution: e,
        execution_pct: e ? executionPct(e.devengado, e.pim) : null,
        per_capita: e && e.population ? Math.round(e.devengado / e.population) : null,
        source: e ? (e.source === MEF_GASTO && synthetic ? 'synthetic' : e.source) : null,
        shares,
      });
    }
    return out;
  }

  return { years, breakdown, typeShares, curve, nationalCategoryShares, levelTotals, compare, source: MEF_GASTO };
}

export type BreakdownService = ReturnType<typeof createBreakdownService>;
