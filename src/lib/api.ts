import type { Request, Response } from 'express';
import { z } from 'zod';

/**
 * One operation of the open-data API (`/api/v1/…`): the single description that both the router
 * (web/api.ts parses the path and query with these schemas before calling `handle`) and the
 * OpenAPI generator (web/openapi.ts) read, so what is documented is what is validated. A module
 * lists its operations in its `*.api.ts`; adding an endpoint is adding one of these.
 */
export interface ApiOperation {
  /** OpenAPI operationId, unique (camelCase). */
  id: string;
  /** Express-style path under /api/v1, e.g. `/municipalities/:ubigeo`. */
  path: string;
  /** Groups operations in the description and the human documentation. */
  tag: string;
  summary: { es: string; en: string };
  description?: { es: string; en: string };
  /** Path parameters; a value they refuse is a 404 (`notFoundKey`), as the resource cannot exist. */
  params?: z.ZodObject;
  notFoundKey?: string;
  /** Query parameters (an object schema whose messages are translation keys); a value they refuse is a 400. */
  query?: z.ZodObject;
  /** The JSON body of a 200; descriptions carry the units (soles, percentages 0–100, ISO dates). */
  response: z.ZodType;
  /** `format=csv` answers the same rows as a CSV download with these columns (null: no CSV variant). */
  csv?: { columns: readonly string[]; only?: boolean } | null;
  /** The answer can be 404 besides a malformed path (an unknown municipality, a year without data). */
  notFound?: boolean;
  /** Parameters that give a real answer on the bundled data: the human documentation and the contract test call them. */
  example: { params?: Record<string, string>; query?: Record<string, string> };
  /** The data version behind ETag/Last-Modified (web/api.ts); without one the ETag is a hash of the body. */
  version?: DataVersionName;
  handle: (input: { params: Record<string, unknown>; query: Record<string, unknown>; req: Request; res: Response }) => unknown;
}

/** The data versions a response can be revalidated by: `imports` (the last import run), `scores` (every recompute moves it). */
export type DataVersionName = 'imports' | 'scores';

/**
 * Declares an operation with typed inputs: `handle` receives what `params` and `query` output.
 * The object is otherwise returned as is.
 */
export function operation<P extends z.ZodObject = z.ZodObject<Record<never, never>>, Q extends z.ZodObject = z.ZodObject<Record<never, never>>>(
  op: Omit<ApiOperation, 'params' | 'query' | 'handle'> & {
    params?: P;
    query?: Q;
    handle: (input: { params: z.output<P>; query: z.output<Q>; req: Request; res: Response }) => unknown;
  },
): ApiOperation {
  return op as unknown as ApiOperation;
}

/** Pieces of response schemas, each with its unit in the description. */
export const api = {
  soles: (what: string) => z.number().describe(`${what}, in soles (PEN), with up to two decimals`),
  pct: (what: string) => z.number().describe(`${what}, a percentage from 0 to 100 (may pass 100 when spending exceeds the budget)`),
  isoDate: (what: string) =>
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .describe(`${what}: an ISO 8601 calendar date (YYYY-MM-DD)`),
  isoTime: (what: string) => z.string().describe(`${what}: an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:mm:ss.sssZ)`),
  ubigeo: () =>
    z
      .string()
      .regex(/^\d{6}$/)
      .describe('INEI ubigeo of the municipality (6 digits)'),
  /** `{ data: [row…], meta }`, the shape of every JSON listing. */
  listing: (row: z.ZodType, meta: z.ZodObject) => z.object({ data: z.array(row).describe('the rows, with the same fields as the CSV columns'), meta }),
  /** `meta.paging` of the paged listings. */
  paging: () =>
    z
      .object({
        total: z.number().int().describe('rows in the whole listing'),
        limit: z.number().int().describe('rows per page (1–2000, default 100)'),
        offset: z.number().int().describe('rows skipped before this page'),
        next: z.string().nullable().describe('path of the next page, null on the last'),
        previous: z.string().nullable().describe('path of the previous page, null on the first'),
      })
      .describe('where this page falls in the listing (JSON only: CSV is always the whole listing)'),
};
