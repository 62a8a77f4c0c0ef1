import type { Db } from '../../db';
import { executionPct } from '../../lib/amounts';
import type { MunicipalitiesService, Predecessor } from '../municipalities';
import type { RevenueService } from '../revenue';
import * as q from './spending.queries';
import type { SpendingService } from './spending.service';

/** First year of the bundled history (MEF Consulta Amigable 2012–2022, then 2024–2025; 2023 is in neither). */
export const HISTORY_FIRST_YEAR = 2012;

/** One year of an execution series; null where there is no data (2023, years before a municipality existed). */
export interface SeriesPoint {
  year: number;
  pim: number;
  devengado: number;
  /** devengado ÷ PIM × 100, one decimal */
  pct: number | null;
  /** Municipalities summed (context series). */
  count?: number;
}

export interface ExecutionSeries {
  years: number[];
  /** Year → partial (cut-off before 31 Dec) for the years that have data. */
  partial: Record<number, boolean>;
  cutOff: Record<number, string>;
  own: Array<SeriesPoint | null>;
  department: Array<SeriesPoint | null>;
  national: Array<SeriesPoint | null>;
}

const point = (year: number, pim: number, devengado: number, count?: number): SeriesPoint => ({ year, pim, devengado, pct: executionPct(devengado, pim), ...(count === undefined ? {} : { count }) });

/**
 * Fourteen years of history: execution series of a municipality with its department's and the
 * nation's (same definition: Σ devengado ÷ Σ PIM), the department history next to the paper's
 * Table 1, and everything the municipality page's history block needs in one call.
 */
export function createHistoryService({ db, spending, municipalities, revenue }: { db: Db; spending: SpendingService; municipalities: MunicipalitiesService; revenue: RevenueService }) {
  /** Every year from 2012 to the latest with data (gaps included), and per-department and national sums (shared: read-only). */
  function sums() {
    return spending.memo('history-sums', async () => {
      const [rows, ys] = await Promise.all([q.executionSums(db), spending.years()]);
      const last = Math.max(HISTORY_FIRST_YEAR, ...ys.map((y) => y.year));
      const first = Math.min(HISTORY_FIRST_YEAR, ...ys.map((y) => y.year));
      const years = Array.from({ length: last - first + 1 }, (_, i) => first + i);
      const byDept = new Map<string, Map<number, SeriesPoint>>();
      const national = new Map<number, SeriesPoint>();
      for (const r of rows) {
        if (!byDept.has(r.department_code)) byDept.set(r.department_code, new Map());
        byDept.get(r.department_code)!.set(r.year, point(r.year, r.pim, r.devengado, r.count));
        const n = national.get(r.year) ?? point(r.year, 0, 0, 0);
        national.set(r.year, point(r.year, n.pim + r.pim, n.devengado + r.devengado, n.count! + r.count));
      }
      return {
        years,
        partial: Object.fromEntries(ys.map((y) => [y.year, y.partial])),
        cutOff: Object.fromEntries(ys.map((y) => [y.year, y.cut_off])),
        byDept,
        national,
      };
    });
  }

  /** A municipality's (or predecessor's) execution per year, null for missing years, with department and national context. */
  async function executionSeries(ubigeo: string, departmentCode = ubigeo.slice(0, 2), predecessor = false): Promise<ExecutionSeries> {
    const [s, own] = await Promise.all([
      sums(),
      // Best source per year (a municipality's from the country's ranked years, precomputed per data version).
      predecessor ? q.predecessorExecution(db, ubigeo) : spending.forMunicipality(ubigeo),
    ]);
    const ownBy = new Map(own.map((r) => [r.year, r]));
    const dept = s.byDept.get(departmentCode);
    return {
      years: s.years,
      partial: s.partial,
      cutOff: s.cutOff,
      own: s.years.map((y) => {
        const r = ownBy.get(y);
        return r ? point(y, r.pim, r.devengado) : null;
      }),
      department: s.years.map((y) => dept?.get(y) ?? null),
      national: s.years.map((y) => s.national.get(y) ?? null),
    };
  }

  /**
   * Execution % per department and year from the municipal data, next to the paper's Table 1
   * (printed value, and the difference in points) where the paper has the year.
   */
  async function departmentHistory() {
    const [s, paper, departments] = await Promise.all([sums(), q.historyByDepartment(db), municipalities.departments()]);
    const paperBy = new Map(paper.map((p) => [`${p.department_code}/${p.year}`, p.execution_pct]));
    const rows = departments.map((d) => ({
      code: d.code,
      name: d.name,
      years: s.years.map((y) => {
        const v = s.byDept.get(d.code)?.get(y) ?? null;
        const printed = paperBy.get(`${d.code}/${y}`) ?? null;
        return {
          year: y,
          pct: v?.pct ?? null,
          pim: v?.pim ?? null,
          devengado: v?.devengado ?? null,
          count: v?.count ?? null,
          paper: printed,
          diff: printed !== null && v?.pct != null ? Math.round((v.pct - printed) * 10) / 10 : null,
        };
      }),
    }));
    const national = s.years.map((y) => s.national.get(y) ?? null);
    const paperYears = [...new Set(paper.map((p) => p.year))].sort();
    const diffs = rows.flatMap((r) => r.years.map((y) => y.diff).filter((d): d is number => d !== null));
    return { years: s.years, partial: s.partial, cutOff: s.cutOff, rows, national, paperYears, maxDiff: diffs.length ? Math.max(...diffs.map(Math.abs)) : null, cells: diffs.length };
  }

  /**
   * Everything the municipality page's history block shows, in one call: the execution trend, the
   * revenue series, and the predecessor ↔ successor links (a predecessor's code gives its own years).
   */
  async function historyFor(
    ubigeo: string,
  ): Promise<{ execution: ExecutionSeries; revenue: Awaited<ReturnType<RevenueService['revenueSeries']>>; predecessors: Predecessor[]; predecessor: Predecessor | null }> {
    const predecessor = (await municipalities.predecessor(ubigeo)) ?? null;
    const department = predecessor?.department_code ?? ubigeo.slice(0, 2);
    const [execution, rev, predecessors] = await Promise.all([
      executionSeries(ubigeo, department, Boolean(predecessor)),
      revenue.revenueSeries(ubigeo, department),
      predecessor ? Promise.resolve([]) : municipalities.predecessorsOf(ubigeo),
    ]);
    return { execution, revenue: rev, predecessors, predecessor };
  }

  return { executionSeries, departmentHistory, historyFor, revenueSeries: (ubigeo: string) => revenue.revenueSeries(ubigeo, ubigeo.slice(0, 2)) };
}

export type HistoryService = ReturnType<typeof createHistoryService>;
export type MunicipalityHistory = Awaited<ReturnType<HistoryService['historyFor']>>;
