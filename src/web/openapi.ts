import { z } from 'zod';
import type { ApiOperation } from '../lib/api';

/** The API's version inside v1: minor for additions, patch for fixes (README "Versioning"). */
export const API_VERSION = '1.0.0';
export const API_LICENSE = { name: 'Open Data Commons Attribution License 1.0 (ODC-BY-1.0)', url: 'https://opendatacommons.org/licenses/by/1-0/' };

type Json = Record<string, unknown>;

/** The one error shape of the API (RFC 9457 problem details), as zod describes it. */
export const Problem = z
  .object({
    type: z.string().describe('URI of the kind of problem: the documentation of the code (stable across languages)'),
    title: z.string().describe('short summary of the kind of problem, in the language asked'),
    status: z.number().int().describe('HTTP status code'),
    detail: z.string().describe('what went wrong with this request, in the language asked'),
    instance: z.string().describe('the path (and query) of the request'),
    code: z.enum(['bad_request', 'not_found', 'method_not_allowed', 'too_many_requests', 'server_error', 'unavailable', 'error']).describe('the kind of problem as a word'),
    invalid_params: z
      .array(z.object({ name: z.string().describe('the parameter'), reason: z.string().describe('why it was refused, in the language asked') }))
      .describe('the parameters refused (empty unless code is bad_request)'),
    error_id: z.string().describe('reference of this error in the server logs'),
  })
  .describe('RFC 9457 problem details (application/problem+json)');

/** A zod schema as a JSON Schema 2020-12 object (OpenAPI 3.1's dialect), without the $schema line. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  return hoistDescriptions(out) as Json;
}

/** `x.describe(…).nullable()` becomes `anyOf: [{ …, description }, { type: 'null' }]`: the description is moved up to the field. */
function hoistDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(hoistDescriptions);
  if (!node || typeof node !== 'object') return node;
  const out: Json = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, hoistDescriptions(v)]));
  const any = out.anyOf as Json[] | undefined;
  if (Array.isArray(any) && out.description === undefined) {
    const described = any.filter((s) => typeof s.description === 'string');
    if (described.length === 1) {
      out.description = described[0].description;
      delete described[0].description;
    }
  }
  return out;
}

/** Express `:name` → OpenAPI `{name}`. */
export const openApiPath = (p: string) => p.replace(/:([A-Za-z_]+)/g, '{$1}');

/** One parameter per property of a params or query object, with its default (what the schema makes of a missing value). */
function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query', example: Record<string, string> = {}): Json[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, prop]) => {
    const s = prop as z.ZodType;
    const js = jsonSchema(s, 'input');
    // A number written in the query (`.meta({ type: 'integer' })` in lib/schemas.ts): described as the integer it is read as.
    if (js.type === 'integer') {
      delete js.anyOf;
      delete js.pattern;
    }
    const missing = s.safeParse(undefined);
    if (missing.success && missing.data !== undefined && js.default === undefined) js.default = missing.data;
    const description = (js.description as string | undefined) ?? s.description;
    delete js.description;
    return {
      name,
      in: where,
      required: where === 'path' || !missing.success,
      ...(description ? { description } : {}),
      schema: js,
      ...(example[name] !== undefined ? { example: example[name] } : {}),
    };
  });
}

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/** The OpenAPI 3.1 description of the operations, generated from the schemas they are validated with. */
export function openApiDocument(operations: ApiOperation[], { publicUrl }: { publicUrl: string }): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const hasFormat = !!op.query && 'format' in op.query.shape;
    const content: Json = {};
    if (!op.csv?.only) content['application/json'] = { schema: jsonSchema(op.response, 'output') };
    if (op.csv) content['text/csv'] = { schema: { type: 'string', description: op.csv.columns.length ? `CSV (UTF-8, header row): ${op.csv.columns.join(', ')}` : 'CSV (UTF-8, header row)' } };
    const responses: Json = {
      '200': {
        description: op.csv?.only ? 'the file' : hasFormat ? 'JSON, or CSV with format=csv' : 'JSON',
        headers: {
          ETag: { schema: { type: 'string' }, description: op.version ? `from the data version (${op.version})` : 'a hash of the body' },
          ...(op.version ? { 'Last-Modified': { schema: { type: 'string' }, description: 'when the data last changed' } } : {}),
        },
        content,
      },
      '304': { description: 'not modified since the ETag (If-None-Match) or date (If-Modified-Since) sent' },
    };
    if (op.query) responses['400'] = problemResponse('a query parameter was refused (invalid_params says which and why)');
    if (op.params || op.notFound) responses['404'] = problemResponse('not found');
    responses['503'] = problemResponse('the database is not answering (Retry-After)');
    responses.default = problemResponse('any other error, in the same shape');
    paths[openApiPath(op.path)] = {
      ...(paths[openApiPath(op.path)] ?? {}),
      get: {
        operationId: op.id,
        tags: [op.tag],
        summary: op.summary.en,
        ...(op.description ? { description: `${op.description.en}\n\n(es) ${op.description.es}` } : {}),
        'x-summary-es': op.summary.es,
        parameters: [
          ...parameters(op.params, 'path', op.example.params),
          ...parameters(op.query, 'query', op.example.query),
          {
            name: 'lang',
            in: 'query',
            required: false,
            description: 'language of error messages (else Accept-Language; Spanish by default)',
            schema: { type: 'string', enum: ['es', 'en'] },
          },
        ],
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Resultados Abiertos — open-data API',
      version: API_VERSION,
      summary: 'Budget execution, results scores, satisfaction, participatory budget and accountability of the 1,891 municipalities of Peru.',
      description:
        'Read-only, no key. Money in soles (PEN), percentages 0–100, dates ISO 8601. JSON listings are `{ data, meta }`; `format=csv` gives the same rows as CSV. Errors are RFC 9457 problem details. Within v1 fields may be added, never renamed, removed or changed in type or unit.',
      license: API_LICENSE,
    },
    servers: [{ url: `${publicUrl.replace(/\/$/, '')}/api/v1` }],
    externalDocs: { description: 'Human documentation', url: `${publicUrl.replace(/\/$/, '')}/en/api` },
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: { schemas: { Problem: jsonSchema(Problem, 'output') } },
  };
}
