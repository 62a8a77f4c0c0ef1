/** Peru keeps UTC−5 all year (no daylight saving): quarters follow Lima's calendar. */
const LIMA_OFFSET_MS = -5 * 3600_000;

export interface Quarter {
  year: number;
  quarter: number;
}

/** The calendar quarter (Lima time) of an instant. */
export function quarterOf(ms: number): Quarter {
  const d = new Date(ms + LIMA_OFFSET_MS);
  return { year: d.getUTCFullYear(), quarter: Math.floor(d.getUTCMonth() / 3) + 1 };
}

/** Two-sided 97.5 % quantiles of Student's t for 1–30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045,
  2.042,
];
export const t975 = (df: number): number => (df < 1 ? NaN : df <= 30 ? T975[df - 1] : df <= 60 ? 2.0 : df <= 120 ? 1.98 : 1.96);

/** Minimum number of distinct residents before an area's figures are published. */
export const MIN_RESIDENTS = 5;
/** Prior weight (pseudo-ratings) of the Bayesian shrinkage. */
export const PRIOR_WEIGHT = 10;

export interface Summary {
  n: number;
  mean: number;
  ci_low: number;
  ci_high: number;
}

/** Mean and 95 % t-interval (clamped to 1–5) from a count, a sum and a sum of squares. */
export function summarize(n: number, sum: number, sumSq: number): Summary {
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  const half = n > 1 ? t975(n - 1) * Math.sqrt(variance / n) : 0;
  return { n, mean, ci_low: Math.max(1, mean - half), ci_high: Math.min(5, mean + half) };
}

/** Bayesian-shrunk mean (n·x̄ + m·μ)/(n + m). */
export const shrink = (n: number, mean: number, prior: number, m = PRIOR_WEIGHT): number => (n * mean + m * prior) / (n + m);

/** A 1–5 rating mapped to 0–100 (1 → 0, 5 → 100). */
export const toScale100 = (rating: number): number => ((rating - 1) / 4) * 100;
