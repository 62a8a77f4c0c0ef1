import type { Db } from '../../db';
import { createDataMemo } from '../../lib/data-memo';
import { AMOUNT_COLUMNS, Amounts, executionPct } from '../../lib/amounts';
import { NotFoundError } from '../../lib/errors';
import * as q from './spending.queries';
import { municipalityName, populationBand, type MunicipalityYearFigures, type PopulationBand } from '../municipalities';
import type { ExecutionYear, Level, MunicipalityExecution, RankedRow } from './spending.types';

export const SORTABLE = ['rank', 'name', 'pim', 'devengado', 'execution_pct', 'population'] as const;
export type SortKey = (typeof SORTABLE)[number];

export interface RankingQuery {
  level: Level;
  year: number;
  department?: string;
  province?: string;
  type?: 'provincial' | 'distrital';
  band?: PopulationBand;
  sort?: SortKey;
  dir?: 'asc' | 'desc';
}

const zero = (): Amounts => Object.fromEntries(AMOUNT_COLUMNS.map((c) => [c, 0])) as Amounts;

/** Competition ranking by execution % (highest first) and quintiles (1 lowest … 5 highest). */
export function rankRows<T extends { execution_pct: number | null; rank: number | null; quintile: number | null }>(rows: T[]): T[] {
  const withPct = rows.filter((r) => r.execution_pct !== null).sort((a, b) => b.execution_pct! - a.execution_pct!);
  withPct.forEach((r, i) => {
    r.rank = i > 0 && withPct[i - 1].execution_pct === r.execution_pct ? withPct[i - 1].rank : i + 1;
  });
  const n = withPct.length;
  withPct.forEach((r, i) => {
    r.quintile = 5 - Math.floor((i * 5) / n);
  });
  // Ties share a quintile: the one of their first member.
  withPct.forEach((r, i) => {
    if (i > 0 && withPct[i - 1].execution_pct === r.execution_pct) r.quintile = withPct[i - 1].quintile;
  });
  for (const r of rows)
    if (r.execution_pct === null) {
      r.rank = null;
      r.quintile = null;
    }
  return rows;
}

function toRanked(m: MunicipalityExecution): RankedRow {
  // Every field written out (the amounts are AMOUNT_COLUMNS): one object shape for the 26 000 rows
  // the country's precompute builds, without an intermediate object per row.
  return {
    code: m.ubigeo,
    name: municipalityName(m),
    parent: `${m.province}, ${m.department}`,
    type: m.type,
    population: m.population,
    pia: m.pia,
    pim: m.pim,
    certificacion: m.certificacion,
    compromiso_anual: m.compromiso_anual,
    atencion_compromiso_mensual: m.atencion_compromiso_mensual,
    devengado: m.devengado,
    girado: m.girado,
    execution_pct: executionPct(m.devengado, m.pim),
    rank: null,
    quintile: null,
    source: m.source,
  };
}

/**
 * Sums municipality rows by a key (department or province). An aggregate row names its source
 * as what it is: `sum:` and the sources of the municipal rows it adds up (e.g. `sum:consulta_amigable`).
 */
function aggregate(rows: MunicipalityExecution[], key: (m: MunicipalityExecution) => [string, string, string?]): RankedRow[] {
  const groups = new Map<string, RankedRow>();
  const sources = new Map<string, Set<string>>();
  for (const m of rows) {
    const [code, name, parent] = key(m);
    let g = groups.get(code);
    if (!g) {
      g = { code, name, parent, population: 0, ...zero(), execution_pct: null, rank: null, quintile: null, count: 0 };
      groups.set(code, g);
    }
    for (const c of AMOUNT_COLUMNS) g[c] += m[c];
    g.population += m.population;
    g.count! += 1;
    if (!sources.has(code)) sources.set(code, new Set());
    sources.get(code)!.add(m.source);
  }
  for (const [code, g] of groups) {
    g.execution_pct = executionPct(g.devengado, g.pim);
    g.source = `sum:${[...sources.get(code)!].sort().join('+')}`;
  }
  return [...groups.values()];
}

function sortRows(rows: RankedRow[], sort: SortKey, dir: 'asc' | 'desc'): RankedRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const val = (r: RankedRow): number | string => {
    if (sort === 'name') return r.name;
    if (sort === 'rank') return r.rank ?? Number.MAX_SAFE_INTEGER;
    const v = r[sort];
    return v ?? -Infinity;
  };
  return [...rows].sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    const c = typeof va === 'string' ? va.localeCompare(String(vb), 'es') : va - (vb as number);
    return c * sign || a.code.localeCompare(b.code);
  });
}

/**
 * THE default year of the portal (municipality page, home, rankings, API, every year picker):
 * the most recent year whose data is complete (not `partial`, i.e. its cut-off is 31 December).
 * Partial years come after it, marked with their cut-off. Only when no year is complete is the
 * most recent partial year the default.
 */
/** A municipality's year: the figures the municipality page reads (its module's port), with the ranked row's fields and the typed peer band. */
export interface MunicipalityYear extends Omit<RankedRow, 'source'>, Omit<MunicipalityYearFigures, 'peer_band'> {
  peer_band: PopulationBand;
}

export function latestCompleteYear(years: Array<{ year: number; partial: boolean }>): number | null {
  const sorted = [...years].sort((a, b) => b.year - a.year);
  return (sorted.find((y) => !y.partial) ?? sorted[0])?.year ?? null;
}

export function createSpendingService({ db }: { db: Db }) {
  const memo = createDataMemo(db, q.dataVersion);
  // The years' rows have their own memo, so that the many ranking variants a crawler walks never evict them.
  const yearMemo = createDataMemo(db, q.dataVersion, 40);

  /** A municipality's rank within each group it belongs to (department, province, peers). */
  type GroupRank = { rank: number | null; count: number };
  type Ranks = { national: RankedRow; dept: GroupRank; province: GroupRank; peers: GroupRank & { band: PopulationBand; type: string } };

  /** Ranks every row within the groups given by `key` (a fresh copy per group: the national row is untouched). */
  function rankWithin(ranked: RankedRow[], key: (r: RankedRow) => string): Map<string, GroupRank> {
    type Ranked = { code: string; execution_pct: number | null; rank: number | null; quintile: number | null };
    const groups = new Map<string, Ranked[]>();
    for (const r of ranked) {
      const k = key(r);
      let group = groups.get(k);
      if (!group) groups.set(k, (group = []));
      // Only what ranking reads (not a copy of the whole row): the national row stays untouched.
      group.push({ code: r.code, execution_pct: r.execution_pct, rank: null, quintile: null });
    }
    const out = new Map<string, GroupRank>();
    for (const rows of groups.values()) {
      rankRows(rows);
      const count = rows.filter((r) => r.rank !== null).length;
      for (const r of rows) out.set(r.code, { rank: r.rank, count });
    }
    return out;
  }

  /** Every municipality's place, read once per data version for all the years' rows. */
  const places = () => memo('places', () => q.municipalityPlaces(db));

  /** Every municipality's totals for a year (shared: callers must not mutate). */
  function yearRows(year: number): Promise<MunicipalityExecution[]> {
    return yearMemo(`year:${year}`, async () => q.executionForYear(db, year, await places()));
  }

  /**
   * A year's municipalities ranked nationally and within their groups. Not kept: it is built only
   * while the whole country's years are precomputed (`byMunicipality`), which keeps what pages
   * read; keeping these as well held a second copy of every row and four objects per row.
   */
  function rankYear(munis: MunicipalityExecution[]): { byCode: Map<string, Ranks>; countNational: number } {
    const ranked = rankRows(munis.map(toRanked));
    const dept = rankWithin(ranked, (r) => r.code.slice(0, 2));
    const province = rankWithin(ranked, (r) => r.code.slice(0, 4));
    const peerKey = (r: RankedRow) => `${r.type}:${populationBand(r.population)}`;
    const peers = rankWithin(ranked, peerKey);
    const byCode = new Map<string, Ranks>();
    for (const r of ranked) {
      const peer = peers.get(r.code)!;
      byCode.set(r.code, {
        national: r,
        dept: dept.get(r.code)!,
        province: province.get(r.code)!,
        peers: { rank: peer.rank, count: peer.count, band: populationBand(r.population), type: String(r.type) },
      });
    }
    return { byCode, countNational: ranked.filter((r) => r.rank !== null).length };
  }

  function years(): Promise<ExecutionYear[]> {
    return memo('years', yearsUncached);
  }

  async function yearsUncached(): Promise<ExecutionYear[]> {
    const all = await q.listExecutionYears(db);
    // One entry per year: the preferred source's metadata when present.
    const byYear = new Map<number, ExecutionYear>();
    for (const y of all) {
      const prev = byYear.get(y.year);
      if (!prev || y.source === q.PREFERRED_SOURCE) byYear.set(y.year, y);
    }
    return [...byYear.values()].sort((a, b) => b.year - a.year);
  }

  /** The portal's one default year: the latest complete year (see latestCompleteYear). */
  async function defaultYear(): Promise<number | null> {
    return latestCompleteYear(await years());
  }

  async function requireYear(year: number): Promise<ExecutionYear> {
    const y = (await years()).find((e) => e.year === year);
    if (!y) throw new NotFoundError('spending:errors.year_not_found', { year });
    return y;
  }

  /** Ranked rows of one level for one year (all rows; the caller paginates). Shared between requests: read-only. */
  function ranking(query: RankingQuery): Promise<{ year: ExecutionYear; rows: RankedRow[]; total: RankedRow }> {
    const { level, year, department, province, type, band, sort, dir } = query;
    return memo(`ranking:${JSON.stringify([level, year, department, province, type, band, sort, dir])}`, () => rankingUncached(query));
  }

  async function rankingUncached(query: RankingQuery): Promise<{ year: ExecutionYear; rows: RankedRow[]; total: RankedRow }> {
    const year = await requireYear(query.year);
    let munis = await yearRows(query.year);
    let rows: RankedRow[];
    if (query.level === 'department') {
      rows = aggregate(munis, (m) => [m.department_code, m.department]);
    } else if (query.level === 'province') {
      if (query.department) munis = munis.filter((m) => m.department_code === query.department);
      rows = aggregate(munis, (m) => [m.province_code, m.province, m.department]);
    } else {
      if (query.department) munis = munis.filter((m) => m.department_code === query.department);
      if (query.province) munis = munis.filter((m) => m.province_code === query.province);
      if (query.type) munis = munis.filter((m) => m.type === query.type);
      if (query.band) munis = munis.filter((m) => populationBand(m.population) === query.band);
      rows = munis.map(toRanked);
    }
    rankRows(rows);
    const [total] = aggregate(munis, () => ['PE', 'Perú']);
    return {
      year,
      rows: sortRows(rows, query.sort ?? 'rank', query.dir ?? (query.sort === 'name' || !query.sort || query.sort === 'rank' ? 'asc' : 'desc')),
      total: total ?? { code: 'PE', name: 'Perú', population: 0, ...zero(), execution_pct: null, rank: null, quintile: null, count: 0 },
    };
  }

  /** One municipality's totals for every year, with its rank nationally and in its department. */
  /**
   * Every municipality's years (newest first) with its ranks nationally and in each group,
   * precomputed for the whole country per data version from the ranked years: a page reads its
   * municipality's rows from here, with no query and nothing built per request. Read-only.
   */
  function byMunicipality() {
    return yearMemo('by-municipality', async () => {
      const ys = await years();
      const rows = await Promise.all(ys.map((y) => yearRows(y.year)));
      const out = new Map<string, MunicipalityYear[]>();
      ys.forEach((meta, i) => {
        const year = rankYear(rows[i]);
        for (const [code, own] of year.byCode) {
          const national = own.national;
          let list = out.get(code);
          if (!list) out.set(code, (list = []));
          // Every field written out: one object shape for the 26 000 rows (a spread made each one slow to build).
          list.push({
            code: national.code,
            name: national.name,
            parent: national.parent,
            type: national.type,
            population: national.population,
            pia: national.pia,
            pim: national.pim,
            certificacion: national.certificacion,
            compromiso_anual: national.compromiso_anual,
            atencion_compromiso_mensual: national.atencion_compromiso_mensual,
            devengado: national.devengado,
            girado: national.girado,
            execution_pct: national.execution_pct,
            rank: national.rank,
            quintile: national.quintile,
            year: meta.year,
            cut_off: meta.cut_off ?? null,
            cut_off_approximate: meta.cut_off_approximate ?? false,
            label: meta.label ?? null,
            partial: meta.partial ?? false,
            source: national.source ?? meta.source,
            rank_national: national.rank,
            count_national: year.countNational,
            rank_department: own.dept.rank,
            count_department: own.dept.count,
            rank_province: own.province.rank,
            count_province: own.province.count,
            rank_peers: own.peers.rank,
            count_peers: own.peers.count,
            peer_band: own.peers.band,
            peer_type: own.peers.type,
          });
        }
      });
      return out;
    });
  }

  /** One municipality's totals for every year (newest first), with its ranks. Shared: read-only. */
  async function forMunicipality(ubigeo: string): Promise<readonly MunicipalityYear[]> {
    return (await byMunicipality()).get(ubigeo) ?? [];
  }

  /**
   * Precomputes the whole country's ranked years (every municipality's ranks, in every group, for
   * every year): what every municipality page reads. Called when the data version moves and at
   * start, so no visitor pays for it; returns how long it took.
   */
  async function warm(): Promise<number> {
    const t0 = performance.now();
    await byMunicipality();
    return performance.now() - t0;
  }

  /** Paper Table 1 (2012–2022) with 2024 (or the latest complete year) computed from municipal data. */
  async function history() {
    const [t1, t2, dy] = await Promise.all([q.historyByDepartment(db), q.historyCategoryShares(db), defaultYear()]);
    const paperYears = [...new Set(t1.map((r) => r.year))].sort();
    const computed = dy ? (await ranking({ level: 'department', year: dy })).rows : [];
    const codes = [...new Set(t1.map((r) => r.department_code))];
    const rows = codes.map((code) => {
      const values = Object.fromEntries(t1.filter((r) => r.department_code === code).map((r) => [r.year, r.execution_pct]));
      const avail = paperYears.map((y) => values[y]).filter((v): v is number => v !== undefined);
      return {
        code,
        values,
        paper_average: avail.length ? Math.round((avail.reduce((a, b) => a + b, 0) / avail.length) * 100) / 100 : null,
        computed: computed.find((r) => r.code === code)?.execution_pct ?? null,
      };
    });
    const categoryYears = [...new Set(t2.map((r) => r.year))].sort();
    const categories = [...new Set(t2.map((r) => r.category_type))].map((type) => ({
      type,
      values: Object.fromEntries(t2.filter((r) => r.category_type === type).map((r) => [r.year, r.share_pct])),
    }));
    return { paperYears, computedYear: dy, rows, categoryYears, categories };
  }

  /** The data version and when it changed (sitemap lastmod, share-image cache). */
  const lastImport = () => q.lastImport(db);
  return { years, defaultYear, requireYear, ranking, forMunicipality, warm, history, memo, lastImport };
}

export type SpendingService = ReturnType<typeof createSpendingService>;
