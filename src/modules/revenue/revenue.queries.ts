import type { Db } from '../../db';

export interface StoredRevenue {
  ubigeo: string;
  year: number;
  total: number;
  own_taxes: number | null;
  canon: number | null;
}

const nullable = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Every stored row (municipalities and predecessors), by year: what the per-municipality series are drawn from. */
export async function revenueAll(db: Db): Promise<StoredRevenue[]> {
  const rows = await db('revenue_totals').select('ubigeo', 'year', 'total', 'own_taxes', 'canon').orderBy(['ubigeo', 'year']);
  return rows.map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), year: Number(r.year), total: Number(r.total), own_taxes: nullable(r.own_taxes), canon: nullable(r.canon) }));
}

/**
 * Sums per year and department over every stored row (municipalities and, in their years,
 * predecessors). An empty rubro cell ("none recorded") adds nothing to its numerator; the row's
 * total still counts in the denominator.
 */
export async function revenueSums(db: Db): Promise<Array<{ year: number; department_code: string; total: number; own_taxes: number; canon: number; count: number }>> {
  const rows = await db('revenue_totals')
    .select('year', 'department_code')
    .sum({ total: 'total' })
    .sum({ own_taxes: 'own_taxes' })
    .sum({ canon: 'canon' })
    .count({ count: '*' })
    .groupBy('year', 'department_code')
    .orderBy(['year', 'department_code']);
  return rows.map((r: Record<string, unknown>) => ({
    year: Number(r.year),
    department_code: String(r.department_code),
    total: Number(r.total ?? 0),
    own_taxes: Number(r.own_taxes ?? 0),
    canon: Number(r.canon ?? 0),
    count: Number(r.count),
  }));
}
