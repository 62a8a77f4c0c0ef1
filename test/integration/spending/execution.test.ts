import request from 'supertest';
import { readReferenceCsv } from '../../../src/lib/reference-files';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

// Expected figures are computed here from the bundled MEF file itself, independently of the app.
const mef = readReferenceCsv('mef_consulta_amigable_municipalidades_2024_2025.csv');
const sum = (year: string, col: string, pred: (r: Record<string, string>) => boolean = () => true) => mef.filter((r) => r.year === year && pred(r)).reduce((a, r) => a + Number(r[col]), 0);

eachDialect('execution totals on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when a municipality year is requested, then the amounts equal the MEF file and execution_pct = devengado / PIM', async () => {
    const row = mef.find((r) => r.year === '2024' && r.ubigeo === '150101')!;
    const res = await request(t.app).get('/api/v1/municipalities/150101/execution?year=2024').expect(200);
    expect(res.body).toMatchObject({
      ubigeo: '150101',
      year: 2024,
      pia: Number(row.pia),
      pim: Number(row.pim),
      certificacion: Number(row.certificacion),
      compromiso_anual: Number(row.compromiso_anual),
      devengado: Number(row.devengado),
      girado: Number(row.girado),
      execution_pct: Number(row.avance_pct),
      source: 'consulta_amigable',
      cut_off: '2024-12-31',
      partial: false,
    });
  });

  it('when 2025 is requested, then it is flagged as a partial year with its cut-off', async () => {
    const res = await request(t.app).get('/api/v1/municipalities/150101/execution?year=2025').expect(200);
    expect(res.body.partial).toBe(true);
    expect(res.body.cut_off).toBe('2025-03-08');
  });

  it('when no year is given, then the latest complete year (2024) is used', async () => {
    const res = await request(t.app).get('/api/v1/municipalities/010101/execution').expect(200);
    expect(res.body.year).toBe(2024);
  });

  it.each(['20x4', '1999', '2024;drop'])('when year is "%s", then 400 JSON, never 500', async (y) => {
    const res = await request(t.app).get(`/api/v1/municipalities/150101/execution?year=${encodeURIComponent(y)}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/json/);
  });

  it('when year is empty, then it is treated as absent and the latest complete year (2024) is answered', async () => {
    const res = await request(t.app).get('/api/v1/municipalities/150101/execution?year=').expect(200);
    expect(res.body.year).toBe(2024);
  });

  it('when a year has no data, then 404 JSON', async () => {
    await request(t.app).get('/api/v1/municipalities/150101/execution?year=2019').expect(404);
  });

  it('when departments are listed for 2024, then each sums its municipalities and national execution is 76.1 %', async () => {
    const res = await request(t.app).get('/api/v1/execution?level=department&year=2024').expect(200);
    expect(res.body.data).toHaveLength(25);
    const lima = res.body.data.find((r: { code: string }) => r.code === '15');
    expect(lima.pim).toBe(sum('2024', 'pim', (r) => r.department_code === '15'));
    expect(lima.devengado).toBe(sum('2024', 'devengado', (r) => r.department_code === '15'));
    const national = (sum('2024', 'devengado') / sum('2024', 'pim')) * 100;
    expect(res.body.meta.total.execution_pct).toBeCloseTo(national, 1);
    expect(res.body.meta.total.execution_pct).toBe(76.1);
    const pcts = res.body.data.map((r: { execution_pct: number }) => r.execution_pct);
    expect(pcts).toEqual([...pcts].sort((a, b) => b - a));
    expect(res.body.data[0].rank).toBe(1);
  });

  it('when provinces and municipalities are listed, then 196 and 1 891 rows come back', async () => {
    const p = await request(t.app).get('/api/v1/execution?level=province&year=2024&limit=2000').expect(200);
    expect(p.body.data).toHaveLength(196);
    const m = await request(t.app).get('/api/v1/execution?level=municipality&year=2024&format=csv').expect(200);
    expect(m.text.trim().split('\n')).toHaveLength(1892);
  });

  it('when a JSON listing is longer than a page, then it comes 100 rows at a time and following `next` gives every row once, in rank order', async () => {
    const seen: string[] = [];
    const ranks: number[] = [];
    let next: string | null = '/api/v1/execution?level=municipality&year=2024&department=';
    let pages = 0;
    while (next) {
      const res: request.Response = await request(t.app).get(next).expect(200);
      expect(res.body.data.length).toBeLessThanOrEqual(100);
      expect(res.body.meta.count).toBe(1891);
      expect(res.body.meta.paging.total).toBe(1891);
      seen.push(...res.body.data.map((r: { code: string }) => r.code));
      ranks.push(...res.body.data.map((r: { rank: number | null }) => r.rank ?? Infinity));
      next = res.body.meta.paging.next;
      pages++;
    }
    expect(pages).toBe(19);
    expect(new Set(seen).size).toBe(1891);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const last = await request(t.app).get('/api/v1/execution?level=municipality&year=2024&limit=50&offset=1850').expect(200);
    expect(last.body.data).toHaveLength(41);
    expect(last.body.meta.paging.previous).toBe('/api/v1/execution?level=municipality&year=2024&limit=50&offset=1800');
    expect(last.body.meta.paging.next).toBeNull();
  });

  it('when limit or offset is not a usable number, then 400 says which and why, in the language asked for', async () => {
    const es = await request(t.app).get('/api/v1/execution?limit=0').expect(400);
    expect(es.body.invalid_params[0].reason).toContain('entre 1 y 2000');
    const en = await request(t.app).get('/api/v1/scores?offset=-3').set('Accept-Language', 'en').expect(400);
    expect(JSON.stringify(en.body)).toContain('“offset” must be a whole number from 0.');
  });

  it('when level is invalid, then 400 with a localized message', async () => {
    const res = await request(t.app).get('/api/v1/execution?level=country').expect(400);
    expect(res.body.invalid_params[0].reason).toMatch(/department, province o municipality/);
  });

  it('when the municipality page is shown, then it has both years, the partial label and its ranks', async () => {
    const res = await request(t.app).get('/es/municipalidades/150101').expect(200);
    expect(res.text).toContain('<html lang="es">');
    expect(res.text).toContain('año parcial');
    expect(res.text).toMatch(/Puesto \d[\d,]* de 1,891 en el país/);
    expect(res.text).toMatch(/puesto \d+ de 171 en Lima/);
    const en = await request(t.app).get('/en/municipalities/150101').expect(200);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toMatch(/Rank \d[\d,]* of 1,891 nationally/);
  });

  it('when the municipality page is shown, then it gives devengado per resident from the 2025 population', async () => {
    const row = mef.find((r) => r.year === '2024' && r.ubigeo === '150101')!;
    const pop = Number(readReferenceCsv('ubigeo_distritos.csv').find((r) => r.ubigeo === '150101')!.population_2025);
    const perCapita = Math.round(Number(row.devengado) / pop).toLocaleString('en-US');
    const res = await request(t.app).get('/en/municipalities/150101').expect(200);
    expect(res.text).toContain(`Per resident of the district (2025 population): S/ ${perCapita} accrued`);
    const provincePop = Number(readReferenceCsv('ubigeo_provincias.csv').find((r) => r.province_code === '1501')!.population_2025);
    expect(res.text).toContain(`per resident of the province (${provincePop.toLocaleString('en-US')} people), S/ ${Math.round(Number(row.devengado) / provincePop).toLocaleString('en-US')} accrued`);
  });

  it('when the bundled data is loaded on first start, then every municipality has a 2024 score from execution alone (coverage 0.25)', async () => {
    const res = await request(t.app).get('/api/v1/scores?year=2024&limit=2000').expect(200);
    expect(res.body.data).toHaveLength(1891);
    const row = mef.find((r) => r.year === '2024' && r.ubigeo === '150101')!;
    const lima = res.body.data.find((r: { ubigeo: string }) => r.ubigeo === '150101');
    expect(lima.coverage).toBe(0.25);
    expect(lima.e).toBeCloseTo(Math.min(100, (Number(row.devengado) / Number(row.pim)) * 100), 1);
    expect(lima.score).toBe(lima.e);
    const page = await request(t.app).get('/en/municipalities/150101').expect(200);
    expect(page.text).toMatch(/<tr><th scope="row"[^>]*>2025 <span class="badge-partial">partial year<\/span><\/th>/);
    expect(page.text).toContain('In a partial year, E measures execution only up to the cut-off date');
  });

  it('when the national ranking page is paged, then 100 municipalities per page are shown with heat cues', async () => {
    const res = await request(t.app).get('/en/execution?level=municipality&year=2024&page=2').expect(200);
    const rows = res.text.match(/<tr>\s*<td class="num"[^>]*>/g) ?? [];
    expect(rows).toHaveLength(100);
    expect(res.text).toContain('class="heat-cue"');
    expect(res.text).toContain('aria-current="page" href="/en/execution?year=2024&amp;level=municipality&amp;page=2"');
  });

  it('when the sort column is not allow-listed, then 400, never SQL', async () => {
    for (const sort of ['id;DROP TABLE x', '(select sleep(5))', 'pim desc']) {
      await request(t.app)
        .get(`/es/ejecucion?sort=${encodeURIComponent(sort)}`)
        .expect(400);
    }
    await request(t.app).get('/es/ejecucion?sort=pim&dir=desc').expect(200);
  });

  it('when the history page is shown, then the paper series and the computed 2024 column are there with sources', async () => {
    const res = await request(t.app).get('/es/historico').expect(200);
    expect(res.text).toMatch(/<caption id="computed-caption">[^<]*calculada con los datos municipales/);
    expect(res.text).toContain('<th scope="col" class="num">2024</th>');
    expect(res.text).toContain('Consulta Amigable del Ministerio de Economía y Finanzas');
    // Amazonas 2012 as printed in the paper
    expect(res.text).toContain('71.4');
  });
});
