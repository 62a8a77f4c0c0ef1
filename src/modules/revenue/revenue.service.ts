import type { Db } from '../../db';
import * as q from './revenue.queries';
import type { StoredRevenue } from './revenue.queries';
import type { RevenueContextYear, RevenueYear } from './revenue.types';

/** part ÷ whole × 100, one decimal (null when the whole is not positive). */
export function sharePct(part: number | null, whole: number | null): number | null {
  if (part === null || whole === null || whole <= 0) return null;
  return Math.round((part / whole) * 1000) / 10;
}

type Memo = <T>(key: string, load: () => Promise<T>) => Promise<T>;

function contextRow(year: number, s: { total: number; own_taxes: number; canon: number; count: number }): RevenueContextYear {
  return { year, ...s, autonomy_pct: sharePct(s.own_taxes, s.total), canon_pct: sharePct(s.canon, s.total) };
}

/**
 * Revenue collected per municipality and year, fiscal autonomy (own taxes ÷ total) and canon
 * dependence (canon ÷ total). Department and national context: sum of numerators ÷ sum of
 * denominators over the units of that year. `memo` is the spending data memo (same version:
 * the last import run).
 */
export function createRevenueService({ db, memo }: { db: Db; memo: Memo }) {
  /** Department and national sums per year (shared between requests: read-only). */
  function context(): Promise<{ years: number[]; national: Map<number, RevenueContextYear>; departments: Map<string, Map<number, RevenueContextYear>> }> {
    return memo('revenue-context', async () => {
      const sums = await q.revenueSums(db);
      const national = new Map<number, RevenueContextYear>();
      const departments = new Map<string, Map<number, RevenueContextYear>>();
      for (const s of sums) {
        const n = national.get(s.year) ?? contextRow(s.year, { total: 0, own_taxes: 0, canon: 0, count: 0 });
        n.total += s.total;
        n.own_taxes += s.own_taxes;
        n.canon += s.canon;
        n.count += s.count;
        national.set(s.year, n);
        if (!departments.has(s.department_code)) departments.set(s.department_code, new Map());
        departments.get(s.department_code)!.set(s.year, contextRow(s.year, s));
      }
      for (const [year, n] of national) national.set(year, contextRow(year, n));
      return { years: [...national.keys()].sort(), national, departments };
    });
  }

  /** A municipality's (or predecessor's) revenue per year of the revenue data (null where it has none), with its department's and the nation's. */
  /** Every unit's stored rows, by code and year (precomputed per data version: no query per page). */
  function byUnit(): Promise<Map<string, Map<number, StoredRevenue>>> {
    return memo('revenue-by-unit', async () => {
      const out = new Map<string, Map<number, StoredRevenue>>();
      for (const r of await q.revenueAll(db)) {
        let m = out.get(r.ubigeo);
        if (!m) out.set(r.ubigeo, (m = new Map()));
        m.set(r.year, r);
      }
      return out;
    });
  }

  async function revenueSeries(ubigeo: string, departmentCode: string) {
    const [all, ctx] = await Promise.all([byUnit(), context()]);
    const byYear = all.get(ubigeo) ?? new Map<number, StoredRevenue>();
    const dept = ctx.departments.get(departmentCode) ?? new Map<number, RevenueContextYear>();
    const years: Array<RevenueYear | null> = [];
    for (const year of ctx.years) {
      const r = byYear.get(year);
      if (!r) {
        years.push(null);
        continue;
      }
      const notes: string[] = [];
      if (r.own_taxes === null) notes.push('no_own_taxes');
      if ((r.own_taxes ?? 0) < 0) notes.push('negative_own_taxes');
      if ((r.canon ?? 0) < 0) notes.push('negative_canon');
      if (r.total <= 0) notes.push('zero_total');
      // Written out rather than `{ ...r, … }`: a spread of the memoised rows made objects that
      // outlived the young generation, about 8 KB of each municipality page (measured).
      years.push({
        year: r.year,
        total: r.total,
        own_taxes: r.own_taxes,
        canon: r.canon,
        autonomy_pct: sharePct(r.own_taxes, r.total),
        canon_pct: sharePct(r.canon, r.total),
        notes,
      });
    }
    return {
      years: ctx.years,
      own: years,
      department: ctx.years.map((y) => dept.get(y) ?? null),
      national: ctx.years.map((y) => ctx.national.get(y) ?? null),
    };
  }

  return { revenueSeries, context, warm: () => Promise.all([byUnit(), context()]) };
}

export type RevenueService = ReturnType<typeof createRevenueService>;
export type RevenueSeries = Awaited<ReturnType<RevenueService['revenueSeries']>>;
