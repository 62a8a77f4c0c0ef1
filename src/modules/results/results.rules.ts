/**
 * The rules of the results chain, each in one place: the catalogues, the on-track flag and the
 * level weights of the score's I component (the scores module gets the inputs through a port).
 */

/** The hierarchy of objectives (the paper: processes, products, intermediate and final results). */
export const LEVELS = ['process', 'product', 'intermediate_result', 'final_result'] as const;
export type Level = (typeof LEVELS)[number];
/** The types of indicators (effectiveness, efficiency, quality, economy). */
export const TYPES = ['effectiveness', 'efficiency', 'quality', 'economy'] as const;
export type IndicatorType = (typeof TYPES)[number];
/** up: more is better (coverage); down: less is better (anaemia, response time). */
export const DIRECTIONS = ['up', 'down'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const LINK_TYPES = ['pb_item', 'commitment'] as const;
export type LinkType = (typeof LINK_TYPES)[number];

/**
 * Weight of a met target in the score's I component, by level: a final result weighs four times
 * a process, since it is what the chain exists for.
 */
export const LEVEL_WEIGHTS: Record<Level, number> = { process: 1, product: 2, intermediate_result: 3, final_result: 4 };

/**
 * On track: the year's actual reaches the year's target, judged against the **baseline target**
 * (the first published one, so lowering a target later never turns a miss into a hit), in the
 * indicator's direction. Null when the year has no target or no actual yet.
 */
export function onTrack(v: { baseline_target: number | null; actual: number | null }, direction: Direction): boolean | null {
  if (v.baseline_target == null || v.actual == null) return null;
  return direction === 'down' ? v.actual <= v.baseline_target : v.actual >= v.baseline_target;
}

/**
 * I for one municipality and year: 100 × Σ weight(level) × met / Σ weight(level) over every real
 * indicator with a baseline target that year; a target with no actual counts as not met. Null
 * when the year has no target.
 */
export function indicatorsOnTrack(rows: Array<{ level: Level; direction: Direction; baseline_target: number | null; actual: number | null }>): { met: number; total: number } {
  let met = 0;
  let total = 0;
  for (const r of rows) {
    if (r.baseline_target == null) continue;
    const w = LEVEL_WEIGHTS[r.level] ?? 0;
    total += w;
    if (onTrack(r, r.direction)) met += w;
  }
  return { met, total };
}
