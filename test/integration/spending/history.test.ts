import request from 'supertest';
import { readReferenceCsv } from '../../../src/lib/reference-files';
import { createHistoryService, createSpendingService } from '../../../src/modules/spending';
import { createMunicipalitiesService } from '../../../src/modules/municipalities';
import { createRevenueService } from '../../../src/modules/revenue';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

// Expected values come from the bundled CSV rows themselves (read here), never from the code under test.
const execRows = readReferenceCsv('mef_consulta_amigable_municipalidades_2012_2022.csv');
const revRows = readReferenceCsv('mef_ingresos_municipalidades_2012_2022.csv');
const paper = readReferenceCsv('paper_table1_execution_by_department.csv');
const round1 = (v: number) => Math.round(v * 10) / 10;

eachDialect('fourteen years of history on %s', (dialect) => {
  let t: TestApp;
  let history: ReturnType<typeof createHistoryService>;
  beforeAll(async () => {
    t = await createTestApp(dialect, { history: true });
    const spending = createSpendingService({ db: t.db });
    history = createHistoryService({ db: t.db, spending, municipalities: createMunicipalitiesService({ db: t.db }), revenue: createRevenueService({ db: t.db, memo: spending.memo }) });
  }, 60000);
  afterAll(async () => t?.cleanup());

  it('when the database is prepared, then every row of both 2012–2022 files is stored: directory rows as execution facts, the 7 predecessor rows apart', async () => {
    const n = async (table: string, where: Record<string, unknown> = {}) => Number((await t.db(table).where(where).whereBetween('year', [2012, 2022]).count({ n: '*' }).first())!.n);
    expect(await n('execution_totals', { source: 'consulta_amigable' })).toBe(execRows.length - 7);
    expect(await n('predecessor_execution')).toBe(7);
    expect(await n('revenue_totals')).toBe(revRows.length);
  });

  it('when the series of a municipality is read, then 2023 is null (a gap), never interpolated, and the years with data equal the CSV', async () => {
    const s = await history.executionSeries('150101');
    expect(s.years[0]).toBe(2012);
    const i2023 = s.years.indexOf(2023);
    expect(s.own[i2023]).toBeNull();
    expect(s.department[i2023]).toBeNull();
    expect(s.national[i2023]).toBeNull();
    const row = execRows.find((r) => r.ubigeo === '150101' && r.year === '2016')!;
    const p = s.own[s.years.indexOf(2016)]!;
    expect(p.pim).toBe(Number(row.pim) * 100);
    expect(p.pct).toBe(round1((Number(row.devengado) / Number(row.pim)) * 100));
  });

  it('when a municipality was created after 2012, then its years before creation are null', async () => {
    const s = await history.executionSeries('160801');
    const years = execRows.filter((r) => r.ubigeo === '160801').map((r) => Number(r.year));
    const first = Math.min(...years);
    expect(first).toBe(2014);
    expect(s.own[s.years.indexOf(2013)]).toBeNull();
    expect(s.own[s.years.indexOf(2014)]).not.toBeNull();
  });

  it("when a successor's series is read, then its predecessor's figures are not added to it, and both link to each other", async () => {
    const s = await history.executionSeries('160801');
    const own2014 = execRows.find((r) => r.ubigeo === '160801' && r.year === '2014')!;
    const pred2014 = execRows.find((r) => r.ubigeo === '160109' && r.year === '2014')!;
    expect(Number(pred2014.devengado)).toBeGreaterThan(0);
    expect(s.own[s.years.indexOf(2014)]!.devengado).toBe(Number(own2014.devengado) * 100);
    const h = await history.historyFor('160801');
    expect(h.predecessors.map((p) => p.ubigeo)).toEqual(['160109']);
    const p = await history.historyFor('160109');
    expect(p.predecessor?.successor_ubigeo).toBe('160801');
    expect(p.execution.own.filter(Boolean).map((x) => x!.year)).toEqual([2012, 2013, 2014, 2015]);
    const res = await request(t.app).get('/es/municipalidades/160109').expect(200);
    expect(res.text).toContain('href="/es/municipalidades/160801"');
    const succ = await request(t.app).get('/es/municipalidades/160801').expect(200);
    expect(succ.text).toContain('href="/es/municipalidades/160109"');
  });

  it("when Loreto's 2014 execution is summed, then it counts the predecessors (they were municipalities then) and equals the sum of the CSV rows", async () => {
    const rows = execRows.filter((r) => r.department_code === '16' && r.year === '2014');
    const expected = round1((rows.reduce((a, r) => a + Number(r.devengado), 0) / rows.reduce((a, r) => a + Number(r.pim), 0)) * 100);
    const s = await history.executionSeries('160801');
    expect(s.department[s.years.indexOf(2014)]!.pct).toBe(expected);
    expect(s.department[s.years.indexOf(2014)]!.count).toBe(rows.length);
  });

  it('when fiscal autonomy and canon dependence of a municipality are read, then they equal own taxes ÷ total and canon ÷ total of its CSV rows', async () => {
    const rows = revRows.filter((r) => r.ubigeo === '010101');
    const s = await history.revenueSeries('010101');
    for (const r of rows) {
      const y = s.own[s.years.indexOf(Number(r.year))]!;
      expect(y.autonomy_pct).toBe(round1((Number(r.recaudado_impuestos_municipales) / Number(r.recaudado_total)) * 100));
      expect(y.canon_pct).toBe(round1((Number(r.recaudado_canon) / Number(r.recaudado_total)) * 100));
    }
    // Department context: Σ own taxes ÷ Σ total over the department's rows of the year (empty cell = nothing added).
    const dept = revRows.filter((r) => r.department_code === '01' && r.year === '2018');
    const expected = round1((dept.reduce((a, r) => a + Number(r.recaudado_impuestos_municipales || 0), 0) / dept.reduce((a, r) => a + Number(r.recaudado_total), 0)) * 100);
    expect(s.department[s.years.indexOf(2018)]!.autonomy_pct).toBe(expected);
  });

  it('when a revenue cell is negative in the source, then it is kept as published and flagged', async () => {
    const neg = revRows.find((r) => r.ubigeo === '140203' && r.year === '2022')!;
    expect(Number(neg.recaudado_canon)).toBeLessThan(0);
    const s = await history.revenueSeries('140203');
    const y = s.own[s.years.indexOf(2022)]!;
    expect(y.canon).toBe(Number(neg.recaudado_canon) * 100);
    expect(y.notes).toContain('negative_canon');
  });

  it("when the department history is computed from the municipal figures, then it is within 0.4 points of the paper's Table 1 in every year the paper covers", async () => {
    const dh = await history.departmentHistory();
    let cells = 0;
    for (const p of paper) {
      const row = dh.rows.find((r) => r.code === p.ubigeo)!;
      for (const [k, v] of Object.entries(p)) {
        if (!/^\d{4}$/.test(k) || v === '') continue;
        const c = row.years.find((y) => y.year === Number(k))!;
        expect(Math.abs(c.pct! - Number(v))).toBeLessThanOrEqual(0.4 + 1e-9);
        expect(c.paper).toBe(Number(v));
        cells++;
      }
      // 2021: not in the paper, computed from the municipal data.
      expect(row.years.find((y) => y.year === 2021)!.pct).not.toBeNull();
    }
    expect(cells).toBe(250);
  });

  it('when the history API is asked for JSON and CSV, then both hold the same national rows, 2023 is absent, booleans are true/false and the approximate cut-off is marked', async () => {
    const json = await request(t.app).get('/api/v1/history/execution?level=national').expect(200);
    const years = json.body.data.map((r: { year: number }) => r.year);
    expect(years).not.toContain(2023);
    expect(years).toEqual(expect.arrayContaining([2012, 2021, 2022, 2024, 2025]));
    const r2025 = json.body.data.find((r: { year: number }) => r.year === 2025);
    expect(r2025).toMatchObject({ partial: true, cut_off_approximate: true, level: 'national' });
    expect(r2025.source).toMatch(/Consulta Amigable/);
    const n2012 = execRows.filter((r) => r.year === '2012');
    expect(json.body.data.find((r: { year: number }) => r.year === 2012).execution_pct).toBe(
      round1((n2012.reduce((a, r) => a + Number(r.devengado), 0) / n2012.reduce((a, r) => a + Number(r.pim), 0)) * 100),
    );
    const csv = await request(t.app).get('/api/v1/history/execution?format=csv&level=national').expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('level,code,name,year,pim,devengado,execution_pct,municipalities,paper_execution_pct,difference_pts,partial,cut_off,cut_off_approximate,source');
    expect(lines).toHaveLength(json.body.data.length + 1);
    expect(lines.find((l) => l.includes(',2025,'))).toMatch(/,true,2025-03-08,true,/);
    expect(lines.find((l) => l.includes(',2012,'))).toMatch(/,false,2012-12-31,false,/);
  });

  it('when the history page is opened in both languages, then it shows the national chart, 25 small multiples, the 2021 column and Table 1', async () => {
    for (const path of ['/es/historico', '/en/history']) {
      const res = await request(t.app).get(path).expect(200);
      expect(res.text.match(/class="chart line-chart trend trend-small"/g)).toHaveLength(25);
      expect(res.text).toMatch(/<th scope="col" class="num">2021<\/th>/);
      expect(res.text).toContain('/api/v1/history/execution?format=csv');
    }
  });
});
