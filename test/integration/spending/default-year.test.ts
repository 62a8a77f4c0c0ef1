import request from 'supertest';
import { BUNDLED_CUT_OFFS } from '../../../src/bootstrap';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

// The bundled data: 2024 complete (cut-off 31 Dec), 2025 partial (cut-off in March). Every default is 2024.
const COMPLETE = 2024;
const PARTIAL = 2025;

eachDialect('the latest complete year as the one default on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when the bundled data is loaded, then 2024 ends on 31 December and 2025 is cut off earlier (the premise of these tests)', () => {
    expect(BUNDLED_CUT_OFFS[COMPLETE]).toBe(`${COMPLETE}-12-31`);
    expect(BUNDLED_CUT_OFFS[PARTIAL] < `${PARTIAL}-12-31`).toBe(true);
  });

  it.each([
    ['/api/v1/execution', 'meta'],
    ['/api/v1/execution?level=department', 'meta'],
    ['/api/v1/scores', 'meta'],
  ])('when %s is asked without a year, then it answers the latest complete year', async (url) => {
    const res = await request(t.app).get(url).expect(200);
    expect(res.body.meta.year).toBe(COMPLETE);
    expect(res.body.data[0].year).toBe(COMPLETE);
  });

  it('when a municipality execution is asked without a year, then it is the latest complete year', async () => {
    const res = await request(t.app).get('/api/v1/municipalities/150122/execution').expect(200);
    expect(res.body.year).toBe(COMPLETE);
  });

  it.each([
    ['/es/ejecucion', `ranking de ejecución ${COMPLETE}`],
    ['/en/execution', `execution ranking ${COMPLETE}`],
    ['/es/indice', `Ranking ${COMPLETE}`],
    ['/es/departamentos/15', `Municipalidades de Lima ordenadas por avance de ejecución ${COMPLETE}`],
    ['/es/provincias/1501', `provincia de Lima por ejecución del gasto, ${COMPLETE}`],
  ])('when %s is opened without a year, then its table is of the latest complete year', async (url, caption) => {
    const res = await request(t.app).get(url).expect(200);
    const captions = [...res.text.matchAll(/<caption[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(captions.join('\n').toLowerCase()).toContain(caption.toLowerCase());
    expect(captions.join('\n')).not.toContain(String(PARTIAL));
  });

  it('when the home page is opened, then its headline year is the latest complete one and the partial year is marked with its cut-off', async () => {
    const res = await request(t.app).get('/es/').expect(200);
    const description = /<meta name="description" content="([^"]*)"/.exec(res.text)![1];
    expect(description).toContain(String(COMPLETE));
    expect(description).not.toContain(String(PARTIAL));
  });

  it('when a municipality page is opened, then its headline is the latest complete year and the partial year comes after it, marked', async () => {
    const res = await request(t.app).get('/es/municipalidades/150122').expect(200);
    const headline = /data-headline[^>]*>([\s\S]*?)<\/p>/.exec(res.text)![1];
    expect(headline).toContain(String(COMPLETE));
    expect(headline).not.toContain(String(PARTIAL));
    const complete = res.text.indexOf(`id="exec-${COMPLETE}"`);
    const partial = res.text.indexOf(`id="exec-${PARTIAL}"`);
    expect(complete).toBeGreaterThan(0);
    expect(partial).toBeGreaterThan(complete);
    expect(res.text.slice(partial, partial + 400)).toContain('badge-partial');
  });
});
