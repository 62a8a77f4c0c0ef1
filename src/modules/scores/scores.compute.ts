import { executionPct } from '../../lib/amounts';
import { MIN_RESIDENTS, PRIOR_WEIGHT, shrink, toScale100 } from '../feedback';
import { HEARINGS_REQUIRED } from '../participation';

/** Component keys in display order. */
export const COMPONENTS = ['s', 'e', 'r', 'p', 'a', 'i'] as const;
/**
 * I (indicators on track, issue 17) is optional: its weight is 0 until an admin sets one, and
 * rankings group rows by the core components only, so that I alone never splits a ranking.
 */
export const CORE_COMPONENTS = ['s', 'e', 'r', 'p', 'a'] as const;
export type Component = (typeof COMPONENTS)[number];
export type Components = Record<Component, number | null>;
export type WeightSet = Record<Component, number>;

/** S: shrunk mean of the year's ratings, published groups only, mapped 1→0, 5→100. */
export function satisfactionComponent(n: number, mean: number, deptMean: number, m = PRIOR_WEIGHT): number {
  return toScale100(shrink(n, mean, deptMean, m));
}

/**
 * E: execution, capped at 100. Null without a positive PIM. Rounded exactly as the execution %
 * the portal shows (lib/amounts executionPct, one decimal), so that E equals the figure beside it.
 */
export const executionComponent = (devengado: number, pim: number): number | null => {
  const pct = pim > 0 ? executionPct(devengado, pim) : null;
  return pct == null ? null : Math.min(100, pct);
};

/** R: share of budget programmes in programmes + APNOP (devengado). Null when both are zero. */
export const resultsComponent = (pp: number, apnop: number): number | null => (pp + apnop > 0 ? (100 * pp) / (pp + apnop) : null);

/** P: cost-weighted mean progress (already Σ cost·progress and Σ cost). */
export const deliveryComponent = (weighted: number, cost: number): number | null => (cost > 0 ? weighted / cost : null);

/**
 * A: 50 × on-time hearings / 2 + 50 × commitments fulfilled on time / due. When no commitment
 * fell due, the hearings half carries the whole component (100 × on-time / 2).
 */
export function accountabilityComponent(onTime: number | null, due: number, fulfilled: number): number | null {
  if (onTime === null && due === 0) return null;
  const h = Math.min(HEARINGS_REQUIRED, onTime ?? 0) / HEARINGS_REQUIRED;
  return due > 0 ? 50 * h + (50 * fulfilled) / due : 100 * h;
}

/**
 * I: 100 × level-weighted targets met / level-weighted targets of the year (the weights and the
 * on-track rule are the results module's, fed through its port). Null when the year has no target.
 */
export const indicatorsComponent = (met: number, total: number): number | null => (total > 0 ? (100 * met) / total : null);

/** Weighted score over the components with data, and coverage = their share of the total weight. */
export function combine(c: Components, w: WeightSet): { score: number | null; coverage: number } {
  let num = 0;
  let den = 0;
  let total = 0;
  for (const k of COMPONENTS) {
    total += w[k];
    if (c[k] !== null && w[k] > 0) {
      num += w[k] * c[k];
      den += w[k];
    }
  }
  return { score: den > 0 ? num / den : null, coverage: total > 0 ? den / total : 0 };
}

export { MIN_RESIDENTS };
