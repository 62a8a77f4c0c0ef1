import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { importConsultaAmigable } from '../../../src/modules/spending';
import { PUBLIC_CACHE } from '../../../src/web/caching';
import { createUser, login } from '../../helpers/accounts';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

const RAW = path.join(__dirname, '..', '..', 'fixtures', 'mef_consulta_amigable_raw_sample.csv');
const tmp = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), 'cache-'));

const PUBLIC_URLS = [
  '/es/',
  '/en/execution?level=municipality',
  '/es/departamentos/15',
  '/es/municipalidades/150101',
  '/api/v1/execution?level=department',
  '/api/v1/execution?level=department&format=csv',
];

eachDialect('HTTP caching and compression on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when an anonymous reader asks for public pages and API responses with gzip, then they come compressed, with an ETag, public Cache-Control, Vary: Accept-Encoding and no cookie', async () => {
    for (const url of PUBLIC_URLS) {
      const res = await request(t.app).get(url).set('Accept-Encoding', 'gzip').expect(200);
      expect([url, res.headers['content-encoding']]).toEqual([url, 'gzip']);
      expect(res.headers['cache-control']).toBe(PUBLIC_CACHE);
      expect(res.headers.vary).toMatch(/Accept-Encoding/i);
      expect(res.headers.etag).toMatch(/^W\/"/);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('when a reader sends back the ETag it got, then the answer is 304 without a body', async () => {
    const first = await request(t.app).get('/es/departamentos/15').expect(200);
    const again = await request(t.app).get('/es/departamentos/15').set('If-None-Match', first.headers.etag).expect(304);
    expect(again.text ?? '').toBe('');
  });

  it('when a user is signed in, then public pages are no-store and never publicly cacheable', async () => {
    await createUser(t, 'cache-perf@example.pe');
    const { agent } = await login(t, 'cache-perf@example.pe');
    for (const url of ['/es/', '/es/ejecucion?level=municipality', '/es/cuenta']) {
      const res = await agent.get(url).set('Accept-Encoding', 'gzip').expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['cache-control']).not.toMatch(/public/);
    }
  });

  it('when a request carries a session cookie that loads no user, then the page is private, no-store', async () => {
    const res = await request(t.app).get('/es/').set('Cookie', 'ra.sid=s%3Aunknown.sig').expect(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('when a page links the stylesheet, then its URL carries a content hash and that URL may be kept for a year', async () => {
    const page = await request(t.app).get('/es/').expect(200);
    const href = /href="(\/static\/css\/site\.css\?v=[0-9a-f]{12})"/.exec(page.text)?.[1];
    expect(href).toBeDefined();
    const css = await request(t.app).get(href!).expect(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const plain = await request(t.app).get('/static/css/site.css').expect(200);
    expect(plain.headers['cache-control']).not.toMatch(/immutable/);
  });

  it('when a changed Consulta Amigable file is imported, then the memoised ranking shows the new figures at once', async () => {
    const url = '/api/v1/municipalities/010107/execution?year=2024';
    const before = (await request(t.app).get(url).expect(200)).body;
    const national = (await request(t.app).get('/api/v1/execution?level=municipality&year=2024').expect(200)).body;
    expect(before.rank_national).toBeGreaterThan(1);
    // Granada (21.9 %) now spends its whole PIM.
    const edited = fs.readFileSync(RAW, 'utf8').replace('"5,480,171","1,491,364","1,458,241","1,458,241","1,458,241",21.9', `${Array(5).fill('"6,670,478"').join(',')},100.0`);
    const file = path.join(tmp, `edited-${dialect}.csv`);
    fs.writeFileSync(file, edited);
    const report = await importConsultaAmigable(t.db, file);
    expect(report).toMatchObject({ status: 'imported', updated: 1 });
    const after = (await request(t.app).get(url).expect(200)).body;
    expect(after.execution_pct).toBe(100);
    expect(after.rank_national).toBe(1);
    const nationalAfter = (await request(t.app).get('/api/v1/execution?level=municipality&year=2024').expect(200)).body;
    expect(nationalAfter.data.find((r: { code: string }) => r.code === '010107').rank).toBe(1);
    expect(nationalAfter.data).not.toEqual(national.data);
  });
});
