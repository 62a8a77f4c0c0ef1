import type { Db } from '../../db';
import { createDataMemo } from '../../lib/data-memo';
import { ValidationError } from '../../lib/errors';
import type { Actor, AuditService } from '../audit';
import * as q from './scores.queries';
import {
  accountabilityComponent,
  combine,
  COMPONENTS,
  CORE_COMPONENTS,
  Components,
  deliveryComponent,
  indicatorsComponent,
  executionComponent,
  MIN_RESIDENTS,
  resultsComponent,
  satisfactionComponent,
  WeightSet,
} from './scores.compute';

const round2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
const round4 = (v: number | null) => (v === null ? null : Math.round(v * 10000) / 10000);

export interface ScoresDeps {
  db: Db;
  clock: () => number;
  audit: AuditService;
  /** R inputs (PP and APNOP devengado per municipality); the detailed MEF rollups by default. */
  resultsInputs?: (db: Db, year: number, department?: string) => Promise<Array<{ ubigeo: string; pp: number; apnop: number }>>;
  /**
   * I inputs (level-weighted met and total targets per municipality): the results module's port
   * (`indicatorInputs`), so that scores never reads results' tables. None by default.
   */
  indicatorInputs?: (db: Db, year: number, department?: string) => Promise<Array<{ ubigeo: string; met: number; total: number }>>;
  /** Where a failed background recompute is reported. */
  onError?: (err: unknown) => void;
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}

/**
 * The year a score page or API shows by default: the portal's latest complete year when it has
 * scores, else the latest scored year before it (never a partial year ahead of it), else that year.
 */
export function scoreDefaultYear(scoreYears: number[], latestComplete: number): number {
  if (scoreYears.includes(latestComplete)) return latestComplete;
  return scoreYears.filter((y) => y < latestComplete).sort((a, b) => b - a)[0] ?? latestComplete;
}

export function createScoresService({ db, clock, audit, resultsInputs = q.resultsInputs, indicatorInputs = async () => [], onError = () => undefined }: ScoresDeps) {
  const weightSet = (w: q.Weights): WeightSet => ({ s: w.w_s, e: w.w_e, r: w.w_r, p: w.w_p, a: w.w_a, i: w.w_i });
  const memo = createDataMemo(db, q.scoresVersion, 64);

  /**
   * Recomputes the score of every municipality (or those of one department) for a year with a
   * handful of grouped queries and one batched upsert: no per-municipality queries.
   */
  async function recompute({ year, department }: { year: number; department?: string }): Promise<number> {
    const [munis, sat, exec, deliv, hear, comm, res, weights, ind] = await Promise.all([
      q.municipalities(db, department),
      q.satisfactionInputs(db, year, department, MIN_RESIDENTS),
      q.executionInputs(db, year, department),
      q.deliveryInputs(db, year, department),
      q.hearingInputs(db, year, department),
      q.commitmentInputs(db, year, department),
      resultsInputs(db, year, department),
      q.currentWeights(db),
      indicatorInputs(db, year, department),
    ]);
    const deptOf = new Map(munis.map((m) => [m.ubigeo, m.department_code]));
    const perMuni = new Map<string, { ubigeo: string; n: number; s1: number }>();
    for (const c of sat) {
      if (!deptOf.has(c.ubigeo)) continue;
      const g = perMuni.get(c.ubigeo) ?? { ubigeo: c.ubigeo, n: 0, s1: 0 };
      g.n += c.n;
      g.s1 += c.s1;
      perMuni.set(c.ubigeo, g);
    }
    const published = [...perMuni.values()];
    const deptSum = new Map<string, { n: number; s1: number }>();
    for (const r of published) {
      const code = deptOf.get(r.ubigeo)!;
      const d = deptSum.get(code) ?? { n: 0, s1: 0 };
      d.n += r.n;
      d.s1 += r.s1;
      deptSum.set(code, d);
    }
    const by = <T extends { ubigeo: string }>(rows: T[]) => new Map(rows.map((r) => [r.ubigeo, r]));
    const satBy = by(published);
    const execBy = by(exec);
    const delivBy = by(deliv);
    const hearBy = by(hear);
    const commBy = by(comm);
    const resBy = by(res);
    const indBy = by(ind);
    const w = weightSet(weights);
    const now = new Date(clock()).toISOString();
    const rows: q.ScoreRow[] = munis.map((m) => {
      const s = satBy.get(m.ubigeo);
      const d = deptSum.get(m.department_code);
      const mean = s ? s.s1 / s.n : null;
      const deptMean = s && d ? d.s1 / d.n : null;
      const ex = execBy.get(m.ubigeo);
      const dv = delivBy.get(m.ubigeo);
      const h = hearBy.get(m.ubigeo);
      const c = commBy.get(m.ubigeo);
      const r = resBy.get(m.ubigeo);
      const comp: Components = {
        s: s ? satisfactionComponent(s.n, mean!, deptMean!) : null,
        e: ex ? executionComponent(ex.devengado, ex.pim) : null,
        r: r ? resultsComponent(r.pp, r.apnop) : null,
        p: dv ? deliveryComponent(dv.weighted, dv.cost) : null,
        a: accountabilityComponent(h ? h.onTime : null, c?.due ?? 0, c?.fulfilled ?? 0),
        i: indBy.has(m.ubigeo) ? indicatorsComponent(indBy.get(m.ubigeo)!.met, indBy.get(m.ubigeo)!.total) : null,
      };
      const rounded = Object.fromEntries(COMPONENTS.map((k) => [k, round2(comp[k])])) as Components;
      // The score is computed from the rounded (published) components so that anyone can reproduce it exactly.
      const { score, coverage } = combine(rounded, w);
      return {
        ubigeo: m.ubigeo,
        year,
        ...rounded,
        score: round2(score),
        coverage: Math.round(coverage * 1000) / 1000,
        n_ratings: s?.n ?? 0,
        mean_rating: round4(mean),
        dept_mean: round4(deptMean),
        weights_id: weights.id,
        computed_at: now,
      };
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await db.transaction((trx) => q.upsertScores(trx, rows));
        break;
      } catch (err) {
        if (attempt >= 4 || !isRetryable(err)) throw err;
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
      }
    }
    return rows.length;
  }

  // Background recomputes after ratings: department-years are queued and drained one at a time,
  // so a burst of ratings in a department costs one recompute, not one per rating.
  const pending = new Set<string>();
  let draining: Promise<void> | null = null;
  async function drain(): Promise<void> {
    while (pending.size) {
      const key = pending.values().next().value as string;
      pending.delete(key);
      const [year, department] = key.split(':');
      try {
        await recompute({ year: Number(year), department });
      } catch (err) {
        onError(err);
      }
    }
    draining = null;
  }

  return {
    recompute,

    /**
     * After a rating changes: queues its department-year (μ moves for the whole department) and
     * returns at once; the returned promise settles when the queue is drained.
     */
    schedule(ubigeo: string, year: number): Promise<void> {
      // INEI ubigeos start with their department's code.
      pending.add(`${year}:${ubigeo.slice(0, 2)}`);
      draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drain);
      return draining;
    },

    /** Settles when no background recompute is queued or running. */
    idle: (): Promise<void> => draining ?? Promise.resolve(),

    /** Every year with inputs, or the one asked for. */
    async recomputeAll(year?: number): Promise<Array<{ year: number; rows: number }>> {
      const years = year ? [year] : await q.inputYears(db);
      const out = [];
      for (const y of years) out.push({ year: y, rows: await recompute({ year: y }) });
      return out;
    },

    weights: () => q.currentWeights(db),
    weightHistory: () => q.weightHistory(db),

    /** An admin sets new weights (logged); every year's scores are recomputed. */
    async setWeights(actor: Actor, w: WeightSet, note: string | null): Promise<void> {
      const sum = COMPONENTS.reduce((a, k) => a + w[k], 0);
      if (sum <= 0) throw new ValidationError([{ field: 'w_s', key: 'scores:errors.weights_zero' }], 422);
      await db.transaction(async (trx) => {
        const before = await q.currentWeights(trx);
        const row = { w_s: w.s, w_e: w.e, w_r: w.r, w_p: w.p, w_a: w.a, w_i: w.i, valid_from: new Date(clock()).toISOString(), set_by: actor.email, note };
        const id = await q.insertWeights(trx, row);
        await audit.record(trx, actor, { action: 'scores.weights.update', entityType: 'score_weights', entityId: String(id), municipality: null, before: weightSet(before), after: w });
      });
      for (const y of await q.scoreYearsAll(db)) await recompute({ year: y });
    },

    // Read-only for callers: shared between requests until the scores version moves.
    years: () => memo('years', () => q.scoreYears(db)),
    /** The scores data version (every recompute moves it): the API's ETag of score answers. */
    version: () => q.scoresVersion(db),
    list: (f: q.ScoreFilter) => memo(`list:${JSON.stringify([f.year, f.department ?? null, f.type ?? null, f.band ?? null, f.ubigeo ?? null])}`, () => q.listScores(db, f)),
    /** A municipality's scores, newest year first: from every municipality's, read once per scores version. */
    forMunicipality: async (ubigeo: string): Promise<Array<Record<string, unknown>>> => (await memo('by-ubigeo', () => q.scoresByUbigeo(db))).get(ubigeo) ?? [],
    forMunicipalities: (ubigeos: string[], year: number) => q.scoresFor(db, ubigeos, year),
  };
}

export type ScoresService = ReturnType<typeof createScoresService>;

/**
 * Rankings that never mix partial and complete scores: rows are grouped by the set of
 * components they have (complete first, then by coverage), and ranked within their group only
 * (competition ranking: ties share a rank).
 */
export function groupRanking<T extends { score: number | null; coverage: number } & Components>(
  rows: T[],
): Array<{ components: string[]; coverage: number; complete: boolean; rows: Array<T & { rank: number }> }> {
  const groups = new Map<string, Array<T & { rank: number }>>();
  for (const r of rows) {
    if (r.score === null) continue;
    const key = CORE_COMPONENTS.filter((k) => r[k] !== null).join('');
    const g = groups.get(key) ?? [];
    g.push({ ...r, rank: 0 }); // a copy: the rows may be shared (memoised)
    groups.set(key, g);
  }
  const out = [...groups.entries()].map(([key, g]) => {
    g.sort((a, b) => b.score! - a.score! || a.coverage - b.coverage);
    g.forEach((r, i) => {
      r.rank = i > 0 && g[i - 1].score === r.score ? g[i - 1].rank : i + 1;
    });
    const coverage = Math.max(...g.map((r) => r.coverage));
    return { components: key.split(''), coverage, complete: key.length === CORE_COMPONENTS.length, rows: g };
  });
  return out.sort((a, b) => b.coverage - a.coverage || b.rows.length - a.rows.length);
}
