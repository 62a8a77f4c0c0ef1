import { stringify } from 'csv-stringify/sync';

/** Cells starting with = + - @ (or tab/CR) are prefixed with ' so spreadsheets do not run them. */
export function neutraliseCell(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** Booleans are written as true / false in every published CSV (the Frictionless default), never 1 / empty. */
export const CSV_CAST = { boolean: (v: boolean) => (v ? 'true' : 'false') };

/** Serialises rows to CSV (UTF-8 with header) with formula neutralisation. */
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => neutraliseCell(r[c] ?? ''))),
    { header: true, columns, bom: false, cast: CSV_CAST },
  );
}
