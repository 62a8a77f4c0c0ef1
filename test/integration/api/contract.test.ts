import { execFileSync } from 'node:child_process';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import request from 'supertest';
import { importMefGasto } from '../../../src/modules/spending';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';
import { syntheticFile } from '../../helpers/mef-gasto';
import { areaIds, insertRatings } from '../scores/helpers';

/*
 * The API keeps the promise its OpenAPI description makes: the description passes a
 * third-party OpenAPI 3.1 validator, and every documented operation, called with its documented
 * example parameters, answers JSON that its documented schema accepts (ajv, JSON Schema 2020-12,
 * OpenAPI 3.1's dialect). A field renamed, removed, retyped or added without being described
 * fails here. Errors are validated against the Problem schema the same way.
 */

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  example?: string;
  schema: Record<string, unknown>;
}
interface Operation {
  operationId: string;
  parameters: Parameter[];
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
type Doc = { openapi: string; paths: Record<string, { get: Operation }>; components: { schemas: Record<string, Record<string, unknown>> } };

/** @seriousme/openapi-schema-validator is ESM only: it runs in a child node process on the document. */
function validateOpenApi(doc: unknown): { valid: boolean; errors?: unknown } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const v = new Validator();
    const res = await v.validate(JSON.parse(text));
    process.stdout.write(JSON.stringify({ valid: res.valid, errors: res.errors, version: v.version }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(doc), cwd: process.cwd() });
  return JSON.parse(out.toString()) as { valid: boolean; errors?: unknown };
}

/** The example request of a documented operation, built from the description alone. */
function exampleUrl(path: string, op: Operation, extra: Record<string, string> = {}): string {
  let url = `/api/v1${path}`;
  const q = new URLSearchParams();
  for (const p of op.parameters) {
    if (p.in === 'path') {
      expect(p.example).toBeDefined();
      url = url.replace(`{${p.name}}`, encodeURIComponent(p.example!));
    } else if (p.example !== undefined) q.set(p.name, p.example);
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `${url}?${s}` : url;
}

const fetchDoc = async (t: TestApp) => (await request(t.app).get('/api/v1/openapi.json').expect(200)).body as Doc;

describe('the OpenAPI description', () => {
  let t: TestApp;
  let doc: Doc;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    doc = await fetchDoc(t);
  });
  afterAll(async () => t.cleanup());

  it('when /api/v1/openapi.json is validated by @seriousme/openapi-schema-validator, then it is a valid OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    const res = validateOpenApi(doc);
    expect(res.errors ?? null).toBeNull();
    expect(res.valid).toBe(true);
  });

  it('when the validator is given a broken document, then it refuses it (the check above can fail)', () => {
    const broken = JSON.parse(JSON.stringify(doc)) as Doc & { info?: unknown };
    delete broken.info;
    expect(validateOpenApi(broken).valid).toBe(false);
  });

  it('when the description is read, then every public endpoint of the README is in it with its CSV variant and errors', () => {
    const paths = Object.keys(doc.paths).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        '/municipalities',
        '/municipalities/{ubigeo}',
        '/municipalities/{ubigeo}/execution',
        '/execution',
        '/municipalities/{ubigeo}/spending',
        '/spending',
        '/spending/category-shares',
        '/scores',
        '/scores/weights',
        '/municipalities/{ubigeo}/satisfaction',
        '/satisfaction',
        '/participatory-budget/items',
        '/participatory-budget/items/{id}',
        '/accountability/commitments',
        '/accountability/commitments/{id}',
        '/accountability/hearings',
        '/accountability/hearings/{id}',
        '/datasets/datapackage.json',
        '/datasets/{file}',
      ]),
    );
    const execution = doc.paths['/execution'].get;
    expect(Object.keys(execution.responses['200'].content!)).toEqual(['application/json', 'text/csv']);
    expect(execution.responses['400'].content!['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    const level = execution.parameters.find((p) => p.name === 'level')!;
    expect(level.schema).toMatchObject({ enum: ['department', 'province', 'municipality'], default: 'municipality' });
    const limit = execution.parameters.find((p) => p.name === 'limit')!;
    expect(limit.required).toBe(false);
    // Units are in the descriptions: soles, percentages 0–100, ISO dates.
    const row = (execution.responses['200'].content!['application/json'].schema as { properties: { data: { items: { properties: Record<string, { description?: string }> } } } }).properties.data.items
      .properties;
    expect(row.devengado.description).toMatch(/soles/);
    expect(row.execution_pct.description).toMatch(/0 to 100/);
    expect(row.cut_off.description).toMatch(/ISO 8601/);
  });
});

eachDialect('every documented operation answers what its schema says, on %s', (dialect) => {
  let t: TestApp;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (key: string, schema: Record<string, unknown>) => {
    if (!validators.has(key)) validators.set(key, ajv.compile({ ...schema, components: doc.components }));
    return validators.get(key)!;
  };
  const problem = () => validatorOf('Problem', { $ref: '#/components/schemas/Problem' });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    // Detailed MEF spending for the spending operations' examples (synthetic, as in the spending tests).
    const file = await syntheticFile({ rows: 800, year: 2024, ubigeos: ['150101', '150132'], name: 'contract' });
    expect((await importMefGasto(t.db, file, { allowSynthetic: true })).status).toBe('imported');
    // Six residents' ratings of 150101 (a published cell), so the satisfaction examples have rows to validate.
    await insertRatings(t, '150101', 2026, 1, (await areaIds(t))[0], [4, 5, 3, 4, 5, 2]);
    doc = await fetchDoc(t);
  });
  afterAll(async () => t.cleanup());

  const operations = () => Object.entries(doc.paths).map(([path, item]) => ({ path, op: item.get }));

  it('when each operation is called with its example parameters, then it answers 200 and the JSON body matches its schema', async () => {
    const checked: string[] = [];
    for (const { path, op } of operations()) {
      const url = exampleUrl(path, op);
      const res = await request(t.app).get(url);
      expect({ url, status: res.status, body: res.status === 200 ? null : (res.body as unknown) }).toEqual({ url, status: 200, body: null });
      const content = op.responses['200'].content!;
      if (content['application/json']) {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const validate = validatorOf(op.operationId, content['application/json'].schema);
        const ok = validate(res.body);
        expect({ url, errors: ok ? null : validate.errors }).toEqual({ url, errors: null });
        // Every example listing has rows, so that the rows' schema is checked too.
        if (Array.isArray(res.body.data)) expect({ url, rows: res.body.data.length > 0 }).toEqual({ url, rows: true });
      } else {
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
      }
      checked.push(op.operationId);
    }
    expect(checked.length).toBe(Object.keys(doc.paths).length);
  });

  it('when an operation with a CSV variant is asked for format=csv, then it answers CSV whose header is the documented columns', async () => {
    for (const { path, op } of operations()) {
      const csv = op.responses['200'].content!['text/csv'];
      if (!csv || !op.parameters.some((p) => p.name === 'format')) continue;
      const url = exampleUrl(path, op, { format: 'csv' });
      const res = await request(t.app).get(url).buffer(true);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const columns = /: (.*)$/.exec(String((csv.schema as { description: string }).description))![1];
      const header = res.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
      expect({ url, header }).toEqual({ url, header: columns.split(', ').join(',') });
    }
  });

  it('when a response gains a field its schema does not describe, then the validation fails (drift is caught)', async () => {
    const op = doc.paths['/municipalities/{ubigeo}'].get;
    const res = await request(t.app).get(exampleUrl('/municipalities/{ubigeo}', op)).expect(200);
    const validate = validatorOf(op.operationId, op.responses['200'].content!['application/json'].schema);
    expect(validate(res.body)).toBe(true);
    expect(validate({ ...res.body, renamed_population: 1 })).toBe(false);
    const { population: _dropped, ...without } = res.body as Record<string, unknown>;
    expect(validate(without)).toBe(false);
    expect(validate({ ...res.body, population: String(res.body.population) })).toBe(false);
  });

  it('when every operation with query parameters is given format=xml, then each answers a 400 problem naming format, localised by lang', async () => {
    for (const { path, op } of operations()) {
      if (!op.parameters.some((p) => p.name === 'format')) continue;
      for (const lang of ['es', 'en']) {
        const url = exampleUrl(path, op, { format: 'xml', lang });
        const res = await request(t.app).get(url);
        expect({ url, status: res.status }).toEqual({ url, status: 400 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect({ url, errors: problem()(res.body) ? null : problem().errors }).toEqual({ url, errors: null });
        expect(res.body.invalid_params.map((p: { name: string }) => p.name)).toEqual(['format']);
        expect(res.headers['content-language']).toBe(lang);
      }
    }
  });

  it.each([
    ['an unknown municipality', '/api/v1/municipalities/999999', 404],
    ['a malformed ubigeo', '/api/v1/municipalities/15x101/execution', 404],
    ['an unknown record', '/api/v1/participatory-budget/items/999999', 404],
    ['an unknown path', '/api/v1/no-such-thing', 404],
    ['an unknown dataset', '/api/v1/datasets/passwords.csv', 404],
    ['a year without data', '/api/v1/municipalities/150101/execution?year=2019', 404],
    ['two invalid filters', '/api/v1/municipalities?department=x&type=y', 400],
  ])('when the API is asked for %s, then the answer is a problem document with that status', async (_what, url, status) => {
    const res = await request(t.app).get(url);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect({ errors: problem()(res.body) ? null : problem().errors }).toEqual({ errors: null });
    expect(res.body.status).toBe(status);
    expect(res.body.instance).toBe(url);
  });

  it('when the same error is asked in Spanish and in English (Accept-Language or lang), then title and detail are translated and type stays the same', async () => {
    const es = await request(t.app).get('/api/v1/municipalities?type=x').set('Accept-Language', 'es-PE,es;q=0.9');
    const en = await request(t.app).get('/api/v1/municipalities?type=x').set('Accept-Language', 'en-GB,en;q=0.9');
    const byLang = await request(t.app).get('/api/v1/municipalities?type=x&lang=en').set('Accept-Language', 'es');
    expect(es.body.title).toBe('Solicitud no válida');
    expect(en.body.title).toBe('Invalid request');
    expect(byLang.body.title).toBe('Invalid request');
    expect(es.body.invalid_params[0].reason).not.toBe(en.body.invalid_params[0].reason);
    expect(es.body.type).toBe(en.body.type);
    expect(es.body.type).toBe('/en/api#problem-bad_request');
  });

  it('when a write is sent to a read-only API path, then 405 with Allow, as a problem document', async () => {
    const res = await request(t.app).post('/api/v1/municipalities').send({});
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect({ errors: problem()(res.body) ? null : problem().errors }).toEqual({ errors: null });
    expect(res.body.code).toBe('method_not_allowed');
  });
});
