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

/** Sends a listing as JSON `{ data, meta }` or as a CSV download with the given columns. */
export function sendRows(
  res: Response,
  format: Format,
  rows: Record<string, unknown>[],
  columns: string[],
  filename: string,
  meta: Record<string, unknown> = {},
): void {
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
