import request from 'supertest';
import { readReferenceCsv } from '../../../src/lib/reference-files';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

eachDialect('municipality directory on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when the reference data is loaded, then the API lists 25 departments, 196 provinces and 1 891 municipalities (196 provincial)', async () => {
    const res = await request(t.app).get('/api/v1/municipalities').expect(200);
    expect(res.body.data).toHaveLength(1891);
    expect(new Set(res.body.data.map((m: { department_code: string }) => m.department_code)).size).toBe(25);
    expect(new Set(res.body.data.map((m: { province_code: string }) => m.province_code)).size).toBe(196);
    expect(res.body.data.filter((m: { type: string }) => m.type === 'provincial')).toHaveLength(196);
  });

  it('when a municipality is requested, then its fields match the bundled INEI file', async () => {
    const source = readReferenceCsv('ubigeo_distritos.csv').find((r) => r.ubigeo === '150113')!;
    const res = await request(t.app).get('/api/v1/municipalities/150113').expect(200);
    expect(res.body).toMatchObject({
      ubigeo: '150113',
      district: source.district,
      type: 'distrital',
      province: 'Lima',
      population: Number(source.population_2025),
      sec_ejec: source.sec_ejec_mef,
    });
    expect(res.body.latitude).toBeCloseTo(Number(source.latitude), 5);
  });

  it('when filters are combined, then only matching municipalities are returned', async () => {
    const res = await request(t.app).get('/api/v1/municipalities?department=07&type=distrital').expect(200);
    expect(res.body.data).toHaveLength(6);
    expect(res.body.data.every((m: { department_code: string; type: string }) => m.department_code === '07' && m.type === 'distrital')).toBe(true);
  });

  it.each([
    ['jesus maria', 'Jesús María'],
    ['JESÚS maría', 'Jesús María'],
    ['ancon', 'Ancón'],
  ])('when searching "%s" without accents, then %s is found', async (q, expected) => {
    const res = await request(t.app)
      .get(`/api/v1/municipalities?q=${encodeURIComponent(q)}`)
      .expect(200);
    expect(res.body.data.map((m: { district: string }) => m.district)).toContain(expected);
  });

  it('when searching "Ancash" on the search page, then the department Áncash is found', async () => {
    const res = await request(t.app).get('/es/buscar?q=Ancash').expect(200);
    expect(res.text).toContain('href="/es/departamentos/02"');
    expect(res.text).toContain('Áncash');
  });

  it('when the ubigeo does not exist or is malformed, then the API answers 404 JSON', async () => {
    const res = await request(t.app).get('/api/v1/municipalities/999999').expect(404);
    expect(res.body.code).toBe('not_found');
    await request(t.app).get('/api/v1/municipalities/abc').expect(404);
  });

  it('when a filter is malformed, then the API answers 400 with a message', async () => {
    const res = await request(t.app).get('/api/v1/municipalities?department=1&type=city').expect(400);
    expect(res.body.invalid_params.map((d: { name: string }) => d.name).sort()).toEqual(['department', 'type']);
    expect(res.body.detail).toBeTruthy();
  });

  it('when a search contains SQL or LIKE wildcards, then it is treated as text', async () => {
    const res = await request(t.app)
      .get(`/api/v1/municipalities?q=${encodeURIComponent("' OR 1=1--")}`)
      .expect(200);
    expect(res.body.data.length).toBeLessThan(5);
    const pct = await request(t.app).get('/api/v1/municipalities?q=%25').expect(200);
    expect(pct.body.data).toHaveLength(1891); // '%' folds to nothing: no filter, not a wildcard error
  });

  it('when the list is requested as CSV, then a CSV with a header and 1 891 rows is sent', async () => {
    const res = await request(t.app).get('/api/v1/municipalities?format=csv').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.text.trim().split('\n');
    expect(lines[0].startsWith('ubigeo,name,district')).toBe(true);
    expect(lines).toHaveLength(1892);
  });
});
