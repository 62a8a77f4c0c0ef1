import request from 'supertest';
import { importMefGasto } from '../../../src/modules/spending';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';
import { syntheticFile } from '../../helpers/mef-gasto';

/** The API's HTTP promises: its root, CORS for read-only use from any origin, and revalidation (ETag, Last-Modified → 304). */
eachDialect('the open-data API over HTTP on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when /api/v1 is asked, then 200 with name, version, licence and links to the OpenAPI file, the human documentation and the bulk download, each answering 200', async () => {
    const res = await request(t.app).get('/api/v1').expect(200);
    expect(res.body).toMatchObject({ name: expect.any(String), version: expect.stringMatching(/^1\.\d+\.\d+$/), licence: { url: 'https://opendatacommons.org/licenses/by/1-0/' } });
    const base = t.config.publicUrl.replace(/\/$/, '');
    const links = [res.body.links.openapi, res.body.links.documentation.es, res.body.links.documentation.en, res.body.links.bulk_download, res.body.links.bulk_download_page.es];
    for (const link of links) {
      expect(link.startsWith(base)).toBe(true);
      await request(t.app).get(link.slice(base.length)).expect(200);
    }
    const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body as { paths: Record<string, unknown> };
    expect(res.body.operations.length).toBe(Object.keys(doc.paths).length);
  });

  it('when a browser on another origin sends a CORS preflight, then 204 allows GET/HEAD/OPTIONS from any origin, without credentials', async () => {
    const res = await request(t.app)
      .options('/api/v1/execution?level=department')
      .set('Origin', 'https://notebook.example.org')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'If-None-Match');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toMatch(/If-None-Match/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('when another origin GETs the API (answer or error), then Access-Control-Allow-Origin is * and ETag is exposed; a page of the site gets no CORS header', async () => {
    const ok = await request(t.app).get('/api/v1/municipalities/150101').set('Origin', 'https://notebook.example.org').expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    expect(ok.headers['access-control-expose-headers']).toMatch(/ETag/);
    const err = await request(t.app).get('/api/v1/municipalities/999999').set('Origin', 'https://notebook.example.org').expect(404);
    expect(err.headers['access-control-allow-origin']).toBe('*');
    const page = await request(t.app).get('/es/').set('Origin', 'https://notebook.example.org').expect(200);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(t.app).options('/es/login').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when an execution answer is revalidated with its ETag or its Last-Modified, then 304 without a body; after a new import, 200 with a new ETag', async () => {
    const url = '/api/v1/execution?level=department&year=2024';
    const first = await request(t.app).get(url).expect(200);
    const etag = first.headers.etag;
    const lastModified = first.headers['last-modified'];
    expect(etag).toMatch(/^W\/".+-imports-\d+"$/);
    expect(new Date(lastModified).getTime()).not.toBeNaN();

    const byTag = await request(t.app).get(url).set('If-None-Match', etag);
    expect(byTag.status).toBe(304);
    expect(byTag.text ?? '').toBe('');
    expect(byTag.headers.etag).toBe(etag);
    await request(t.app).get(url).set('If-None-Match', 'W/"something-else"').expect(200);
    await request(t.app).get(url).set('If-Modified-Since', lastModified).expect(304);
    await request(t.app)
      .get(url)
      .set('If-Modified-Since', new Date(new Date(lastModified).getTime() - 3600_000).toUTCString())
      .expect(200);
    // If-None-Match wins over If-Modified-Since (RFC 9110).
    await request(t.app).get(url).set('If-None-Match', 'W/"other"').set('If-Modified-Since', lastModified).expect(200);

    const file = await syntheticFile({ rows: 200, year: 2024, ubigeos: ['150101'], name: 'etag' });
    expect((await importMefGasto(t.db, file, { allowSynthetic: true })).status).toBe('imported');
    const after = await request(t.app).get(url).set('If-None-Match', etag);
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
  });

  it('when a score answer is revalidated with its ETag, then 304 until the scores are recomputed', async () => {
    const url = '/api/v1/scores?year=2024&department=15';
    const first = await request(t.app).get(url).expect(200);
    expect(first.headers.etag).toMatch(/-scores-\d+"$/);
    await request(t.app).get(url).set('If-None-Match', first.headers.etag).expect(304);
    await t.db('data_versions').where({ name: 'scores' }).increment('version', 1);
    await request(t.app).get(url).set('If-None-Match', first.headers.etag).expect(200);
  });

  it('when an answer without a data version (participation) is revalidated with its ETag, then 304 (a hash of the body)', async () => {
    const url = '/api/v1/participatory-budget/items?ubigeo=150101';
    const first = await request(t.app).get(url).expect(200);
    expect(first.headers.etag).toBeTruthy();
    await request(t.app).get(url).set('If-None-Match', first.headers.etag).expect(304);
  });

  it('when a versioned request ends in an error, then the error carries neither the data version ETag nor Last-Modified, and is not stored', async () => {
    const res = await request(t.app).get('/api/v1/municipalities/150101/execution?year=2019').expect(404);
    expect(res.headers.etag ?? '').not.toMatch(/-imports-/);
    expect(res.headers['last-modified']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
