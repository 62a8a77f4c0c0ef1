import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import request from 'supertest';
import { createScoresService } from '../../../src/modules/scores';
import { createAuditService } from '../../../src/modules/audit';
import { createTestApp, TestApp } from '../../helpers/app';
import { csrfFrom, loginAdmin } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { distFile } from '../../helpers/dist';
import { areaIds, eventually, insertCommitment, insertHearing, insertItem, insertRatings, rate, resident } from './helpers';

const YEAR = 2024;
const DEPT = '01';
const r2 = (v: number) => Math.round(v * 100) / 100;
const S_ = (n: number, mean: number, mu: number) => (((n * mean + 10 * mu) / (n + 10) - 1) / 4) * 100;

eachDialect('results score on %s', (dialect) => {
  let t: TestApp;
  let X: string; // S, E, P, A
  let Y: string; // S, E
  let Z: string; // too few ratings: E only
  const xs = [5, 4, 4, 3, 5];
  const ys = [2, 3, 2, 1, 3, 2];
  const zs = [1, 1, 1];

  const service = () => createScoresService({ db: t.db, clock: () => t.now.ms, audit: createAuditService() });

  /** The expected components of X, computed here from the inserted inputs. */
  async function expectedX(weights = { s: 0.3, e: 0.25, r: 0.15, p: 0.15, a: 0.15 }) {
    const sum = (a: number[]) => a.reduce((p, c) => p + c, 0);
    const mu = (sum(xs) + sum(ys)) / (xs.length + ys.length); // Z is below the threshold: not in μ
    const s = r2(S_(xs.length, sum(xs) / xs.length, mu));
    const ex = await t.db('execution_totals').where({ ubigeo: X, year: YEAR }).orderByRaw("case when source = 'mef_gasto' then 0 else 1 end").first();
    // E is rounded as the execution % the portal shows (one decimal), so that E equals it.
    const e = Math.min(100, Math.round((Number(ex.devengado) / Number(ex.pim)) * 1000) / 10);
    const p = r2((100_000 * 50 + 300_000 * 100) / 400_000);
    const a = r2(50 * (2 / 2) + (50 * 1) / 3);
    const score = r2((weights.s * s + weights.e * e + weights.p * p + weights.a * a) / (weights.s + weights.e + weights.p + weights.a));
    const total = weights.s + weights.e + weights.r + weights.p + weights.a;
    return { s, e, p, a, score, coverage: Math.round(((weights.s + weights.e + weights.p + weights.a) / total) * 1000) / 1000, mu };
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const munis = await t.db('municipalities').where({ department_code: DEPT }).orderBy('ubigeo').limit(3);
    [X, Y, Z] = munis.map((m: { ubigeo: string }) => m.ubigeo);
    const [area] = await areaIds(t);
    await insertRatings(t, X, YEAR, 2, area, xs);
    await insertRatings(t, Y, YEAR, 3, area, ys);
    await insertRatings(t, Z, YEAR, 3, area, zs);
    await insertItem(t, { ubigeo: X, year: YEAR, total_cost: 100_000, planned_end: `${YEAR}-06-30`, status: 'en_ejecucion', progress_pct: 50 });
    await insertItem(t, { ubigeo: X, year: YEAR, total_cost: 300_000, planned_end: `${YEAR}-11-30`, status: 'culminado', progress_pct: 80 });
    await insertItem(t, { ubigeo: X, year: YEAR, total_cost: 900_000, planned_end: `${YEAR + 1}-03-31`, status: 'en_ejecucion', progress_pct: 0 });
    await insertItem(t, { ubigeo: X, year: YEAR, total_cost: 900_000, planned_end: `${YEAR}-03-31`, status: 'en_ejecucion', progress_pct: 0, is_example: true });
    const h1 = await insertHearing(t, X, `${YEAR}-05-20`);
    await insertHearing(t, X, `${YEAR}-09-15`);
    await insertHearing(t, X, `${YEAR}-02-01`, true); // example: never counts
    await insertCommitment(t, h1, X, `${YEAR}-08-31`, 'cumplido', `${YEAR}-08-01`);
    await insertCommitment(t, h1, X, `${YEAR}-08-31`, 'cumplido', `${YEAR}-10-01`); // late
    await insertCommitment(t, h1, X, `${YEAR}-10-31`, 'pendiente', null);
    await insertCommitment(t, h1, X, `${YEAR}-10-31`, 'cumplido', `${YEAR}-10-01`, true); // example
    await service().recompute({ year: YEAR });
  });
  afterAll(async () => t.cleanup());

  it('when scores are recomputed, then X has S, E, P, A as computed independently, and example rows count nowhere', async () => {
    const row = await t.db('scores').where({ ubigeo: X, year: YEAR }).first();
    const e = await expectedX();
    expect(Number(row.s)).toBeCloseTo(e.s, 2);
    expect(Number(row.e)).toBeCloseTo(e.e, 2);
    expect(row.r).toBeNull();
    expect(Number(row.p)).toBeCloseTo(e.p, 2);
    expect(Number(row.a)).toBeCloseTo(e.a, 2);
    expect(Number(row.score)).toBeCloseTo(e.score, 2);
    expect(Number(row.coverage)).toBeCloseTo(0.85, 3);
  });

  it('when a municipality has fewer than 5 residents rating, then S is null and its mean is not published', async () => {
    const z = await t.db('scores').where({ ubigeo: Z, year: YEAR }).first();
    expect(z.s).toBeNull();
    expect(z.mean_rating).toBeNull();
    const api = await request(t.app).get(`/api/v1/satisfaction?year=${YEAR}&department=${DEPT}`).expect(200);
    expect(api.body.data.map((r: { ubigeo: string }) => r.ubigeo).sort()).toEqual([X, Y].sort());
  });

  it('when a cell (area × quarter) has fewer than 5 residents, then it is left out of every larger figure, so nothing can be recovered by subtraction', async () => {
    const W = (await t.db('municipalities').where({ department_code: '02' }).orderBy('ubigeo').first()).ubigeo;
    const [a1, a2] = await areaIds(t);
    await insertRatings(t, W, YEAR, 1, a1, [4, 4, 4, 4, 4]);
    await insertRatings(t, W, YEAR, 2, a1, [1]); // alone in its cell
    await insertRatings(t, W, YEAR, 1, a2, [1, 1]); // two in another area
    await service().recompute({ year: YEAR, department: '02' });
    const row = await t.db('scores').where({ ubigeo: W, year: YEAR }).first();
    expect(row.n_ratings).toBe(5);
    expect(Number(row.mean_rating)).toBe(4);
    const api = await request(t.app).get(`/api/v1/municipalities/${W}/satisfaction?year=${YEAR}`).expect(200);
    expect(api.body.data.map((r: { n: number }) => r.n)).toEqual([5, 5, 5]); // the cell, the area-year, all areas: all the same 5 ratings
    const yearly = await request(t.app).get(`/api/v1/satisfaction?year=${YEAR}&department=02`).expect(200);
    expect(yearly.body.data).toEqual([expect.objectContaining({ ubigeo: W, n: 5, sum: 20 })]);
  });

  it('when the open data is downloaded as CSV, then the score of X is recomputed independently to the same value', async () => {
    const get = async (url: string) => parseCsv((await request(t.app).get(url).expect(200)).text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
    const scores = await get(`/api/v1/scores?year=${YEAR}&department=${DEPT}&format=csv`);
    const sat = await get(`/api/v1/satisfaction?year=${YEAR}&format=csv`);
    const exec = await get(`/api/v1/execution?year=${YEAR}&format=csv`);
    const weights = await get('/api/v1/scores/weights?format=csv');
    const w = weights[0];
    const mine = sat.find((r) => r.ubigeo === X)!;
    const dept = sat.filter((r) => r.department_code === mine.department_code);
    const mu = dept.reduce((a, r) => a + Number(r.sum), 0) / dept.reduce((a, r) => a + Number(r.n), 0);
    const s = r2(S_(Number(mine.n), Number(mine.sum) / Number(mine.n), mu));
    const ex = exec.find((r) => r.code === X)!;
    // E is rounded as the execution % the portal shows (one decimal), so that E equals it.
    const e = Math.min(100, Math.round((Number(ex.devengado) / Number(ex.pim)) * 1000) / 10);
    const published = scores.find((r) => r.ubigeo === X)!;
    // P and A come from the participatory-budget and accountability open data (issue 5): taken from the row here.
    const p = Number(published.p);
    const a = Number(published.a);
    const num = Number(w.w_s) * s + Number(w.w_e) * e + Number(w.w_p) * p + Number(w.w_a) * a;
    const den = Number(w.w_s) + Number(w.w_e) + Number(w.w_p) + Number(w.w_a);
    expect(Number(published.s)).toBeCloseTo(s, 2);
    expect(Number(published.e)).toBeCloseTo(e, 2);
    expect(Number(published.score)).toBeCloseTo(r2(num / den), 2);
    expect(published.r).toBe('');
    expect(Object.keys(published).slice(0, 10)).toEqual(['ubigeo', 'name', 'year', 'score', 'coverage', 's', 'e', 'r', 'p', 'a']);
  });

  it('when the ranking is shown, then partial scores are grouped by their components and never ranked together with others; coverage=full hides them', async () => {
    const page = await request(t.app).get(`/es/indice?year=${YEAR}&department=${DEPT}`).expect(200);
    expect(page.text).toContain('Cobertura parcial: S, E, P, A');
    expect(page.text).toContain('Cobertura parcial: S, E (');
    expect(page.text).toContain('Ninguna municipalidad tiene todavía los cinco componentes');
    const groups = page.text.split('<section aria-labelledby="group-');
    const xGroup = groups.find((g) => g.includes(`/es/municipalidades/${X}"`))!;
    expect(xGroup).toContain('S, E, P, A');
    expect(xGroup).not.toContain(`/es/municipalidades/${Y}"`);
    const full = await request(t.app).get(`/en/score?year=${YEAR}&coverage=full`).expect(200);
    expect(full.text).not.toContain('Partial coverage');
    for (const q of ['type=distrital', 'band=lt10k', 'band=gt200k', 'department=15']) await request(t.app).get(`/en/score?year=${YEAR}&${q}`).expect(200);
    expect((await request(t.app).get('/es/indice?band=x')).status).toBe(400);
    expect((await request(t.app).get('/api/v1/scores?coverage=half')).status).toBe(400);
  });

  it('when detailed MEF data gives budget-programme and APNOP spending, then R = 100·PP/(PP + APNOP) and the complete-coverage ranking lists it', async () => {
    const rollup = (code: string, devengado: number) => ({
      level: 'municipality',
      area: X,
      year: YEAR,
      dim: 'category',
      code,
      parent: '',
      pia: 0,
      pim: 0,
      certificacion: 0,
      compromiso_anual: 0,
      atencion_compromiso_mensual: 0,
      devengado,
      girado: 0,
    });
    await t.db('mef_gasto_rollups').insert([rollup('0101', 200_00), rollup('3000001', 100_00), rollup('9001', 500_00), rollup('9002', 100_00)]);
    await service().recompute({ year: YEAR });
    const row = await t.db('scores').where({ ubigeo: X, year: YEAR }).first();
    expect(Number(row.r)).toBe(r2((100 * 300) / (300 + 100))); // acciones centrales (9001) count in neither
    expect(Number(row.coverage)).toBe(1);
    const page = await request(t.app).get(`/es/indice?year=${YEAR}&coverage=full`).expect(200);
    expect(page.text).toContain('Cobertura completa (S, E, R, P, A)');
    expect(page.text).toContain(`/es/municipalidades/${X}"`);
    expect(page.text).not.toContain(`/es/municipalidades/${Y}"`);
    const cmp = await request(t.app).get(`/es/comparar?u=${X}&u=${Y}&year=${YEAR}`).expect(200);
    expect(cmp.text).toContain('Orientación a resultados');
    expect(cmp.text).toContain('75.0');
    const dp = await request(t.app).get('/api/v1/datasets/datapackage.json').expect(200);
    expect(dp.body.resources.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['scores', 'score-weights', 'satisfaction']));
    const bulk = parseCsv((await request(t.app).get('/api/v1/datasets/scores.csv').expect(200)).text, { columns: true }) as Array<Record<string, string>>;
    expect(Number(bulk.find((b) => b.ubigeo === X && b.year === String(YEAR))!.r)).toBe(75);
    const sat = parseCsv((await request(t.app).get('/api/v1/datasets/satisfaction.csv').expect(200)).text, { columns: true }) as Array<Record<string, string>>;
    expect(
      sat
        .filter((b) => b.year === String(YEAR) && b.ubigeo.startsWith(DEPT))
        .map((b) => b.ubigeo)
        .sort(),
    ).toEqual([X, Y].sort()); // Z is below 5 residents
    await t.db('mef_gasto_rollups').where({ area: X }).del();
    await service().recompute({ year: YEAR }); // back to no R
  });

  it('when the municipality page and the methodology are read, then the breakdown and the weights in force are shown in both languages', async () => {
    const show = await request(t.app).get(`/es/municipalidades/${X}`).expect(200);
    expect(show.text).toContain('Índice de resultados');
    const m = await request(t.app).get(`/en/score/methodology?ubigeo=${X}&year=${YEAR}`).expect(200);
    expect(m.text).toContain('Weights in force and history');
    expect(m.text).toContain('(in force)');
    const e = await expectedX();
    expect(m.text).toContain(`Score = ${e.score.toFixed(2)}`);
  });

  it('when an admin changes the weights, then the change is audited, shown in the history, and the scores follow the new weights; bad weights get 422', async () => {
    const admin = await loginAdmin(t, `admin-${dialect}@example.pe`);
    const form = await admin.get('/es/admin/pesos').expect(200);
    const bad = await admin
      .post('/es/admin/pesos')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), w_s: 'abc', w_e: '0.25', w_r: '0.15', w_p: '0.15', w_a: '0.15' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Cada peso es un número');
    const zero = await admin
      .post('/es/admin/pesos')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), w_s: '0', w_e: '0', w_r: '0', w_p: '0', w_a: '0' });
    expect(zero.status).toBe(422);
    const ok = await admin
      .post('/es/admin/pesos')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), w_s: '0.5', w_e: '0.2', w_r: '0.1', w_p: '0.1', w_a: '0.1', note: 'más peso a la satisfacción' });
    expect(ok.status).toBe(303);
    const row = await t.db('scores').where({ ubigeo: X, year: YEAR }).first();
    const e = await expectedX({ s: 0.5, e: 0.2, r: 0.1, p: 0.1, a: 0.1 });
    expect(Number(row.score)).toBeCloseTo(e.score, 2);
    expect(Number(row.coverage)).toBeCloseTo(e.coverage, 3);
    expect(await t.db('audit_log').where({ action: 'scores.weights.update' })).toHaveLength(1);
    const m = await request(t.app).get('/es/indice/metodologia').expect(200);
    expect(m.text).toContain('más peso a la satisfacción');
    expect(m.text).toContain('default');
  });

  it('when residents rate through the site, then S appears at the fifth resident and the score and ranking change at once', async () => {
    const ubigeo = '150110';
    const [, area] = await areaIds(t);
    const year = new Date(t.now.ms - 5 * 3600_000).getUTCFullYear();
    for (let i = 0; i < 4; i++) expect((await rate(t, (await resident(t)).agent, ubigeo, area, 4)).status).toBe(303);
    const before = await eventually(async () => {
      const row = await t.db('scores').where({ ubigeo, year }).first();
      expect(row).toBeDefined();
      return row;
    });
    expect(before.s).toBeNull();
    expect((await rate(t, (await resident(t)).agent, ubigeo, area, 5)).status).toBe(303);
    // Independently: 4 × 4 + 5 over 5 residents; the only published municipality of Lima for this year, so μ = x̄.
    const mean = (4 * 4 + 5) / 5;
    await eventually(async () => {
      const after = await t.db('scores').where({ ubigeo, year }).first();
      expect(Number(after.s)).toBeCloseTo(r2(((mean - 1) / 4) * 100), 2);
    });
    const ranking = await request(t.app).get(`/es/indice?year=${year}&department=15`).expect(200);
    expect(ranking.text).toContain(`/es/municipalidades/${ubigeo}"`);
  });
});

describe('npm run scores (the command)', () => {
  it('when run with recompute --year on an empty data dir, then it exits 0 and reports 1 891 municipalities; bad arguments exit 2', () => {
    const CLI = distFile('src/cli/scores.js');
    const dataDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? '/tmp', 'scores-cli-'));
    const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' }, encoding: 'utf8' });
    const ok = run(['recompute', '--year', '2024']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('2024: 1891 municipalities');
    expect(run(['recompute', '--year', '24']).status).toBe(2);
    expect(run(['other']).stderr).toContain('Usage: npm run scores');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
