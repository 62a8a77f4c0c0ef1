import request from 'supertest';
import { importMefGasto } from '../../../src/modules/spending';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';
import { syntheticFile } from '../../helpers/mef-gasto';

const BYS = ['function', 'category', 'source', 'rubro', 'generic', 'project', 'month'];

eachDialect('spending in depth pages and API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const year of [2023, 2024]) {
      const file = await syntheticFile({ rows: 2600, year, ubigeos: ['150101', '150132', '080101'], name: `pages-${year}` });
      const r = await importMefGasto(t.db, file, { allowSynthetic: true });
      expect(r.status).toBe('imported');
    }
  });
  afterAll(async () => t.cleanup());

  it.each(BYS)('when the API is asked for by=%s, then rows have code, name, pia, pim, devengado, execution_pct', async (by) => {
    const res = await request(t.app).get(`/api/v1/municipalities/150101/spending?year=2024&by=${by}`).expect(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    expect(res.body.meta).toMatchObject({ year: 2024, by, synthetic: true, partial: false });
    expect(Object.keys(res.body.data[0])).toEqual(['code', 'name', 'pia', 'pim', 'devengado', 'execution_pct']);
    const area = await request(t.app).get(`/api/v1/spending?level=department&code=15&year=2024&by=${by}`).expect(200);
    expect(area.body.data.length).toBeGreaterThan(0);
  });

  it('when every budget category of the code list was generated, then the national category breakdown has 9001, 9002 and programmes', async () => {
    const res = await request(t.app).get('/api/v1/spending?level=national&year=2024&by=category').expect(200);
    const codes = res.body.data.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['9001', '9002', '0001', '0030']));
    const csv = await request(t.app).get('/api/v1/spending?level=national&year=2024&by=rubro&format=csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\n')[0]).toBe('code,name,pia,pim,devengado,execution_pct');
    expect(csv.text).toMatch(/\n18,/);
  });

  it.each([
    ['/api/v1/municipalities/150101/spending?by=nope'],
    ['/api/v1/spending?level=planet'],
    ['/api/v1/spending?level=department'],
    ['/api/v1/spending?level=province&code=15'],
    ['/api/v1/spending?by=function;drop'],
  ])('when %s is requested, then the API answers 400 with a message', async (url) => {
    const res = await request(t.app).get(url).expect(400);
    expect(res.body.detail).toBeTruthy();
    expect(res.body.invalid_params.length).toBeGreaterThan(0);
  });

  it('when a name starts with a formula character, then the CSV download neutralises it', async () => {
    const row = await t.db('mef_gasto_rollups').where({ level: 'municipality', area: '150101', year: 2024, dim: 'project' }).first('code');
    await t.db('mef_codes').where({ list: 'project', code: row.code }).update({ name: '=HYPERLINK("http://x","click")' });
    const csv = await request(t.app).get('/api/v1/municipalities/150101/spending?year=2024&by=project&format=csv').expect(200);
    expect(csv.text).toContain(`"'=HYPERLINK(`);
    expect(csv.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it.each(
    BYS.flatMap((by) => [
      ['es', `/es/municipalidades/150101/gasto?year=2024&by=${by}`],
      ['en', `/en/municipalities/150101/spending?year=2024&by=${by}`],
    ]),
  )('when the %s page %s is rendered, then it has an accessible SVG chart, a captioned table and download links', async (lng, url) => {
    const res = await request(t.app).get(url).expect(200);
    expect(res.text).toContain(`<html lang="${lng}">`);
    expect(res.text).toMatch(/<svg[^>]+role="img"[^>]+aria-labelledby="[^"]+"/);
    expect(res.text).toMatch(/<title id="[^"]+">/);
    expect(res.text).toMatch(/<table[\s\S]*<caption[\s\S]*<th scope="col"/);
    expect(res.text).toContain('format=csv');
    expect(res.text).not.toMatch(/\sstyle="/);
  });

  it('when spending pages and the API are served, then no query reads the fact table (rollups only)', async () => {
    const sql: string[] = [];
    const listen = (q: { sql: string }) => sql.push(q.sql);
    t.db.on('query', listen);
    try {
      for (const by of BYS) {
        await request(t.app).get(`/es/municipalidades/150101/gasto?year=2024&by=${by}`).expect(200);
        await request(t.app).get(`/api/v1/spending?level=national&year=2024&by=${by}`).expect(200);
      }
      await request(t.app).get('/es/gasto/categorias').expect(200);
      await request(t.app).get('/en/compare?u=150101&u=150132').expect(200);
    } finally {
      t.db.removeListener('query', listen);
    }
    expect(sql.some((s) => s.includes('mef_gasto_rollups'))).toBe(true);
    expect(sql.filter((s) => s.includes('mef_gasto_facts'))).toEqual([]);
  });

  it('when a breakdown is read, then the database uses the rollup primary key, not a scan', async () => {
    const q = t.db('mef_gasto_rollups').where({ level: 'municipality', area: '150101', year: 2024, dim: 'function' }).select('code', 'pim').toSQL().toNative();
    if (dialect === 'sqlite') {
      const plan = (await t.db.raw(`explain query plan ${q.sql}`, q.bindings as never[])) as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH mef_gasto_rollups USING (INDEX|PRIMARY KEY)/);
    } else {
      const [plan] = (await t.db.raw(`explain ${q.sql}`, q.bindings as never[])) as unknown as [{ key: string; type: string }[]];
      expect(plan[0].key).toBe('PRIMARY');
      expect(plan[0].type).not.toBe('ALL');
    }
  });

  it('when the month curve is shown, then the previous year is drawn too', async () => {
    const res = await request(t.app).get('/en/municipalities/150101/spending?year=2024&by=month').expect(200);
    expect(res.text).toContain('stroke-dasharray');
    expect(res.text).toContain('Accumulated 2023 (% of PIM)');
  });

  it('when the rubro breakdown is shown, then canon y sobrecanon is visible and marked in text', async () => {
    const res = await request(t.app).get('/es/gasto?year=2024&by=rubro').expect(200);
    expect(res.text).toMatch(/Canon y sobrecanon[\s\S]{0,80}class="badge-canon"/);
  });

  it.each([
    ['/es/gasto?year=2024'],
    ['/en/spending?level=department&code=15&year=2024&by=category'],
    ['/es/gasto?level=province&code=1501&by=project'],
    ['/es/gasto/categorias'],
    ['/en/spending/categories'],
  ])('when the area page %s is rendered, then it answers 200 with chart and table', async (url) => {
    const res = await request(t.app).get(url).expect(200);
    expect(res.text).toContain('role="img"');
    expect(res.text).toContain('<caption');
    expect(res.text).not.toMatch(/\sstyle="/);
  });

  it('when the national category shares are requested, then they add up to 100 % per year', async () => {
    const res = await request(t.app).get('/api/v1/spending/category-shares').expect(200);
    expect(res.body.data.map((r: { year: number }) => r.year)).toEqual([2023, 2024]);
    for (const r of res.body.data) expect(r.programa_presupuestal + r.acciones_centrales + r.apnop).toBeCloseTo(100, 0);
  });

  it.each([
    ['es', '/es/mapa'],
    ['en', '/en/map?level=province'],
  ])('when the %s map is rendered, then every area is a linked evenodd path with a legend and a table alternative', async (_lng, url) => {
    const res = await request(t.app).get(url).expect(200);
    expect(res.text).toMatch(/<a href="\/(es|en)\/[^"]+" aria-label="[^"]+"><path d="M[^"]+" fill-rule="evenodd"/);
    expect(res.text).toMatch(/<svg[^>]+class="chart map"[^>]+role="group"[^>]+aria-labelledby="map-t map-d"/);
    expect(res.text).toContain('class="legend-items map-legend-items"');
    expect(res.text).toMatch(/<table[\s\S]*<caption/);
    expect((res.text.match(/fill-rule="evenodd"/g) ?? []).length).toBe(url.includes('province') ? 196 : 25);
    expect(res.text).not.toMatch(/\sstyle="/);
  });

  it('when 2 municipalities are compared, then totals, execution %, per-capita spending and category shares are shown', async () => {
    const res = await request(t.app).get('/en/compare?u=150101&u=150132&year=2024').expect(200);
    expect(res.text).toContain('Accrued spending per inhabitant');
    expect(res.text).toContain('Share: Budget programmes');
  });

  it.each([
    ['en', '/en/compare?u=150101&u=150132&u=150113&u=080101&u=010101', 'Choose between 2 and 4 municipalities.', '150101'],
    ['en', '/en/compare?u=15&u=150132', 'Each ubigeo must have 6 digits.', '150132'],
  ])('when the %s comparison has a wrong selection (%s), then it answers 422 with a localized message and keeps the input', async (_lng, url, message, kept) => {
    const res = await request(t.app).get(url).expect(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain(`value="${kept}"`);
  });

  it('when the open data page and datapackage are requested, then every dataset is described and downloadable', async () => {
    await request(t.app).get('/es/datos').expect(200);
    await request(t.app).get('/en/data').expect(200);
    const dp = await request(t.app).get('/api/v1/datasets/datapackage.json').expect(200);
    expect(dp.body.resources.length).toBeGreaterThanOrEqual(6);
    for (const r of dp.body.resources) {
      expect(r.schema.fields.length).toBeGreaterThan(0);
      expect(r.sources.length).toBeGreaterThan(0);
      const csv = await request(t.app).get(`/api/v1/datasets/${r.path}`).expect(200);
      expect(csv.text.split('\n')[0]).toBe(r.schema.fields.map((f: { name: string }) => f.name).join(','));
    }
    await request(t.app).get('/api/v1/datasets/nope.csv').expect(404);
  });
});
