import type { Request, Response } from 'express';
import type { ApiOperation } from '../lib/api';
import { openApiDocument } from './openapi';

/** Rows of a listing shown in an example answer; the rest is summarised. */
const EXAMPLE_ROWS = 2;

/** The example request of an operation: its path with the example parameters, and the query. */
export function exampleUrl(op: ApiOperation): string {
  const path = op.path.replace(/:([A-Za-z_]+)/g, (_, k: string) => encodeURIComponent(op.example.params?.[k] ?? ''));
  const qs = new URLSearchParams(op.example.query ?? {}).toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

/**
 * What the operation answers now to its example request, as indented JSON: the handler runs
 * with a response that keeps the body (no HTTP round trip), listings cut to their first rows.
 * Null when there is no such answer now (no data for the example, or a CSV-only operation).
 */
async function liveExample(op: ApiOperation): Promise<{ json: string; rows: number | null } | null> {
  if (op.csv?.only) return null;
  try {
    const params = op.params ? op.params.parse(op.example.params ?? {}) : {};
    const query = op.query ? op.query.parse(op.example.query ?? {}) : {};
    let body: unknown = undefined;
    const res = {
      json: (b: unknown) => ((body = b), res),
      send: (b: unknown) => ((body = typeof b === 'string' ? JSON.parse(b) : b), res),
      type: () => res,
      set: () => res,
      attachment: () => res,
      status: () => res,
    };
    await op.handle({ params: params, query: query, req: {} as Request, res: res as unknown as Response });
    if (body === undefined) return null;
    let rows: number | null = null;
    if (body && typeof body === 'object' && Array.isArray((body as { data?: unknown }).data)) {
      const data = (body as { data: unknown[] }).data;
      rows = data.length;
      body = { ...body, data: data.slice(0, EXAMPLE_ROWS) };
    }
    return { json: JSON.stringify(body, null, 2), rows };
  } catch {
    return null;
  }
}

interface Param {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: Record<string, unknown>;
}

/** Allowed values of a parameter in words: its enum, pattern or range, and its default. */
function allowed(schema: Record<string, unknown>): string {
  const parts: string[] = [];
  const s = (schema.anyOf as Array<Record<string, unknown>> | undefined)?.find((x) => x.enum || x.pattern) ?? schema;
  if (Array.isArray(s.enum)) parts.push(s.enum.join(' | '));
  else if (typeof s.pattern === 'string') parts.push(`/${s.pattern}/`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${String(schema.minimum ?? '')}–${String(schema.maximum ?? '')}`);
  if (typeof s.maxLength === 'number') parts.push(`≤ ${s.maxLength}`);
  return parts.join(' ');
}

/** GET /es/api, /en/api: every operation with its parameters, an example request and its answer now. */
export function apiDocsPage(operations: ApiOperation[]) {
  let described: { paths: Record<string, { get: { parameters: Param[] } }> } | null = null; // made once: the operations do not change
  return async (_req: Request, res: Response) => {
    const lng = res.locals.lng;
    const doc = (described ??= openApiDocument(operations, { publicUrl: res.locals.publicUrl }) as { paths: Record<string, { get: { parameters: Param[] } }> });
    const ops = await Promise.all(
      operations.map(async (op) => {
        const path = op.path.replace(/:([A-Za-z_]+)/g, '{$1}');
        const params = doc.paths[path].get.parameters.map((p) => ({ ...p, allowed: allowed(p.schema), default: p.schema.default }));
        return {
          id: op.id,
          tag: op.tag,
          path: `/api/v1${path}`,
          summary: op.summary[lng],
          description: op.description?.[lng],
          params,
          csv: op.csv ?? null,
          version: op.version ?? null,
          url: exampleUrl(op),
          example: await liveExample(op),
        };
      }),
    );
    const tags = [...new Set(ops.map((o) => o.tag))].map((tag) => ({ tag, ops: ops.filter((o) => o.tag === tag) }));
    res.render('api/docs', { title: res.locals.t('api:title'), tags, problems: ['bad_request', 'not_found', 'method_not_allowed', 'too_many_requests', 'server_error', 'unavailable'] });
  };
}
