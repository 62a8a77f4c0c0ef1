/** Stored revenue columns (céntimos): all revenue collected, own municipal taxes (rubro 08), canon (rubro 18). */
export const REVENUE_COLUMNS = ['total', 'own_taxes', 'canon'] as const;
export type RevenueColumn = (typeof REVENUE_COLUMNS)[number];

/** One year of a revenue series; shares are percentages (one decimal), null when not computable. */
export interface RevenueYear {
  year: number;
  total: number | null;
  own_taxes: number | null;
  canon: number | null;
  /** own taxes ÷ total × 100 */
  autonomy_pct: number | null;
  /** canon ÷ total × 100 */
  canon_pct: number | null;
  /** Cells outside the usual range, kept as published: 'negative_own_taxes' | 'negative_canon' | 'zero_total' | 'no_own_taxes' */
  notes: string[];
}

export interface RevenueContextYear {
  year: number;
  total: number;
  own_taxes: number;
  canon: number;
  autonomy_pct: number | null;
  canon_pct: number | null;
  /** Units summed (municipalities and, in their years, predecessors). */
  count: number;
}
