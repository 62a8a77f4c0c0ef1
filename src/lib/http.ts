import type { Response } from 'express';
import { z } from 'zod';
import { toCsv } from './csv';
import { ValidationError } from './errors';

/** Parses input with a zod schema; issues become translation keys (400 unless told otherwise). */
export function parse<T extends z.ZodType>(schema: T, input: unknown, status = 400): z.infer<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ValidationError(
    r.error.issues.map((i) => ({
      field: i.path.join('.') || '_',
      key: i.message.includes(':') ? i.message : 'errors:validation.invalid',
    })),
    status,
  );
}

export type Format = 'json' | 'csv';

/** JSON listings come a page at a time: `limit` rows (default 100, at most 2 000) from `offset`. CSV is always the whole list (a file). */
export const PAGE_LIMIT = { default: 100, max: 2000 };
const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' || v === undefined ? undefined : v), s.optional());
export const PagingParams = {
  limit: optional(
    z
      .string({ error: 'errors:validation.limit' })
      .regex(/^\d{1,4}$/, 'errors:validation.limit')
      .transform(Number)
      .pipe(z.number().min(1, 'errors:validation.limit').max(PAGE_LIMIT.max, 'errors:validation.limit'))
      .meta({ type: 'integer', minimum: 1, maximum: PAGE_LIMIT.max, description: `rows per JSON page (default ${PAGE_LIMIT.default}); CSV is always the whole listing` }),
  ),
  offset: optional(
    z
      .string({ error: 'errors:validation.offset' })
      .regex(/^\d{1,7}$/, 'errors:validation.offset')
      .transform(Number)
      .meta({ type: 'integer', minimum: 0, description: 'rows skipped before the page (default 0)' }),
  ),
};

/**
 * One page of a JSON listing, with `paging` for the meta block (total, limit, offset and the
 * URLs of the next and previous pages: `path` with the listing's own filters); CSV gets every row.
 */
export function pageOf<T>(
  rows: T[],
  format: Format,
  q: { limit?: number; offset?: number },
  path: string,
  filters: Record<string, string | number | undefined>,
): { rows: T[]; paging?: Record<string, unknown> } {
  if (format === 'csv') return { rows };
  const limit = q.limit ?? PAGE_LIMIT.default;
  const offset = q.offset ?? 0;
  const at = (o: number) => {
    const params = new URLSearchParams(
      Object.entries(filters)
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]): [string, string] => [k, String(v)]),
    );
    params.set('limit', String(limit));
    params.set('offset', String(o));
    return `${path}?${params.toString()}`;
  };
  return {
    rows: rows.slice(offset, offset + limit),
    paging: { total: rows.length, limit, offset, next: offset + limit < rows.length ? at(offset + limit) : null, previous: offset > 0 ? at(Math.max(0, offset - limit)) : null },
  };
}

/** Sends a listing as JSON `{ data, meta }` or as a CSV download with the given columns. */
export function sendRows(res: Response, format: Format, rows: Record<string, unknown>[], columns: string[], filename: string, meta: Record<string, unknown> = {}): void {
  sendSerialized(res, format, serializeRows(format, rows, columns, meta), filename);
}

/** The body sendRows sends, as a string (so that a caller may memoise it). */
export function serializeRows(format: Format, rows: Record<string, unknown>[], columns: string[], meta: Record<string, unknown> = {}): string {
  if (format === 'csv') return toCsv(rows, columns);
  return JSON.stringify({ data: rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))), meta });
}

/** Sends a body made by serializeRows with the headers sendRows would set. */
export function sendSerialized(res: Response, format: Format, body: string, filename: string): void {
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8');
    res.attachment(`${filename}.csv`);
  } else {
    res.type('application/json; charset=utf-8');
  }
  res.send(body);
}
