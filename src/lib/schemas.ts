import { z } from 'zod';
import { NotFoundError } from './errors';

/**
 * The zod pieces every module shares, each with one meaning. Messages are translation keys;
 * pass a module's own key where its form shows a more specific message.
 */

/** Blank ('' / missing / null) means "not given". */
export const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' || v === undefined || v === null ? undefined : v), s.optional());

/** INEI ubigeo: exactly six digits. */
export const ubigeo = (key = 'errors:validation.ubigeo') => z.string({ error: key }).regex(/^\d{6}$/, key);
export const Ubigeo = ubigeo();

/**
 * A database id: decimal digits only (no `0x5`, `5.0`, `1e3`, signs or spaces), 1 … 2³¹−1.
 * Numbers (from code, not forms) are accepted when they are such integers.
 */
export const id = (key = 'errors:validation.id') =>
  z
    .union([z.string(), z.number()], { error: key })
    .transform((v) => String(v))
    .refine((s) => /^[1-9]\d{0,9}$/.test(s) && Number(s) <= 2 ** 31 - 1, key)
    .transform(Number)
    .meta({ type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 }); // how OpenAPI describes it (web/openapi.ts)
export const Id = id();
/** A route's :id, or 404 when it is not a database id (a mistyped link is "not found", not a form error). */
export function idOr404(v: unknown): number {
  const r = Id.safeParse(v);
  if (!r.success) throw new NotFoundError();
  return r.data;
}

/** A whole number written in decimal digits, within [min, max]. */
export const wholeNumber = (min: number, max: number, key: string) =>
  z
    .union([z.string(), z.number()], { error: key })
    .transform((v) => String(v).trim())
    .refine((s) => /^-?\d{1,12}$/.test(s) && Number(s) >= min && Number(s) <= max, key)
    .transform(Number)
    .meta({ type: 'integer', minimum: min, maximum: max });

/** A year the portal can hold data for. */
export const year = (key = 'errors:validation.year') => wholeNumber(1990, 2100, key);

/** A year of the published figures (spending execution, scores, satisfaction): 2000 onwards. */
export const figuresYear = (key = 'errors:validation.year') => wholeNumber(2000, 2100, key);

/** An ISO calendar date (YYYY-MM-DD) that exists, between 1990-01-01 and 2100-12-31. */
export const isoDate = (key = 'errors:validation.date') =>
  z
    .string({ error: key })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, key)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return s >= '1990-01-01' && s <= '2100-12-31' && !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    }, key);

/**
 * Soles as the forms show them: digits with an optional decimal point and up to two decimals,
 * optionally grouped by thousands with commas ("1,234,567.50"); anything else ("1,2,3,4") is
 * refused. Becomes integer céntimos.
 */
export const soles = (key = 'errors:validation.amount') =>
  z
    .string({ error: key })
    .trim()
    .refine((s) => /^(\d{1,13}|\d{1,3}(,\d{3}){1,4})(\.\d{1,2})?$/.test(s), key)
    .transform((s) => Math.round(Number(s.replace(/,/g, '')) * 100));

/** Open-data format of a listing: json (default) or csv. */
export const format = (key = 'errors:validation.format') => z.preprocess((v) => (v === undefined || v === '' ? 'json' : v), z.enum(['json', 'csv'], { error: key }));
export const Format = format();
