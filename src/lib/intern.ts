/**
 * One copy of each repeated string read from the database. A driver makes a new string for every
 * value of every row, so the precomputed summaries (issue 18) held 26 000 copies of
 * "mef_gasto", 25 000 of "distrital" and one copy of a department's name per municipality and
 * year: 11 MB of a 45 MB heap were duplicates. Meant for columns with few distinct values
 * (codes, names, types, sources); the table stops growing at `max` entries, after which strings
 * pass through unchanged.
 */
export function createInterner(max = 20_000): <T>(value: T) => T {
  const table = new Map<string, string>();
  return <T>(value: T): T => {
    if (typeof value !== 'string') return value;
    const kept = table.get(value);
    if (kept !== undefined) return kept as T;
    if (table.size < max) table.set(value, value);
    return value;
  };
}
