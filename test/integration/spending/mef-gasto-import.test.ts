import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { createI18n } from '../../../src/i18n';
import { importMefGasto } from '../../../src/modules/spending';
import { SYNTHETIC_MARKER } from '../../../src/modules/spending/mef-gasto.rows';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';
import { compiledWorker, expectedTotals, syntheticFile, withCell } from '../../helpers/mef-gasto';

const counts = async (t: TestApp) => {
  const n = async (table: string) => Number((await t.db(table).count({ n: '*' }).first())?.n ?? 0);
  return { facts: await n('mef_gasto_facts'), rollups: await n('mef_gasto_rollups'), runs: await n('import_runs'), totals: await n('execution_totals') };
};

eachDialect('mef-gasto importer on %s', (dialect) => {
  let t: TestApp;
  let good: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    good = await syntheticFile({ rows: 3000, year: 2024, ubigeos: ['150101', '150132', '150113'], name: 'good' });
  });
  afterAll(async () => t.cleanup());

  it('when a good file is imported, then totals per municipality equal the sums of its municipal rows and regional rows are skipped', async () => {
    const report = await importMefGasto(t.db, good, { allowSynthetic: true });
    expect(report.status).toBe('imported');
    expect(report.encoding).toBe('utf-8');
    expect(report.rows).toBe(3000);
    expect(report.skipped).toBeGreaterThan(0);
    expect(report.kept + report.skipped).toBe(3000);
    expect(report.years).toEqual([2024]);
    expect(report.municipalities).toBe(3);
    const expected = expectedTotals(good);
    for (const [ubigeo, e] of expected) {
      const row = await t.db('execution_totals').where({ ubigeo, year: 2024, source: 'mef_gasto' }).first();
      expect(Number(row.devengado)).toBe(e.devengado);
      expect(Number(row.pim)).toBe(e.pim);
      expect(Number(row.pia)).toBe(e.pia);
    }
    // The rollups of every breakdown sum to the same total, at every level.
    for (const dim of ['function', 'category', 'source', 'rubro', 'generic', 'project', 'month']) {
      const s = await t.db('mef_gasto_rollups').where({ level: 'municipality', area: '150101', year: 2024, dim }).sum({ d: 'devengado' }).first();
      expect(Number(s?.d)).toBe(expected.get('150101')!.devengado);
    }
    const national = await t.db('mef_gasto_rollups').where({ level: 'national', area: 'PE', year: 2024, dim: 'function' }).sum({ d: 'devengado' }).first();
    expect(Number(national?.d)).toBe([...expected.values()].reduce((a, e) => a + e.devengado, 0));
    const year = await t.db('execution_years').where({ source: 'mef_gasto', year: 2024 }).first();
    expect(Boolean(Number(year.partial))).toBe(false);
  });

  it('when a synthetic generator file is imported without --allow-synthetic, then it is refused and nothing is written', async () => {
    const file = await syntheticFile({ rows: 200, year: 2019, ubigeos: ['150101'], name: 'refused' });
    const before = await counts(t);
    const report = await importMefGasto(t.db, file);
    expect(report.status).toBe('rejected');
    expect(report.errors).toEqual([expect.objectContaining({ row: 2, column: 'SECTOR_NOMBRE', key: 'import:errors.synthetic' })]);
    expect(await counts(t)).toEqual(before);
  });

  it('when a synthetic file was allowed, then its years are labelled synthetic on the pages', async () => {
    const page = await request(t.app).get('/es/municipalidades/150101/gasto?year=2024').expect(200);
    expect(page.text).toContain('DATOS SINTÉTICOS');
    const en = await request(t.app).get('/en/municipalities/150101').expect(200);
    expect(en.text).toContain('SYNTHETIC DATA');
  });

  it('when the same file is imported again, then nothing changes', async () => {
    const before = await counts(t);
    const report = await importMefGasto(t.db, good, { allowSynthetic: true });
    expect(report.status).toBe('unchanged');
    expect(report.alreadyImported).toBe(true);
    expect(await counts(t)).toEqual(before);
  });

  it.each([
    ['latin1', 'latin1'],
    ['utf-8-bom', 'utf-8-bom'],
  ] as const)('when the same content comes encoded as %s, then the encoding is detected and reported and nothing changes', async (encoding, reported) => {
    const file = await syntheticFile({ rows: 3000, year: 2024, ubigeos: ['150101', '150132', '150113'], encoding, name: encoding });
    expect(fs.readFileSync(file).equals(fs.readFileSync(good))).toBe(false);
    const before = await counts(t);
    const report = await importMefGasto(t.db, file, { allowSynthetic: true });
    expect(report.encoding).toBe(reported);
    expect(report.status).toBe('unchanged');
    expect(report.alreadyImported).toBe(false);
    expect(await counts(t)).toEqual(before);
  });

  it('when a Latin-1 file with accented names is imported, then the names are stored correctly', async () => {
    const file = await syntheticFile({ rows: 400, year: 2021, ubigeos: ['150113'], encoding: 'latin1', name: 'latin1-new' });
    const report = await importMefGasto(t.db, file, { allowSynthetic: true });
    expect(report.status).toBe('imported');
    expect(report.encoding).toBe('latin1');
    const names = await t.db('mef_codes').where({ list: 'project' }).where('name', 'like', '%JESÚS MARÍA%').select('name');
    expect(names.length).toBeGreaterThan(0);
  });

  it('when the file has Windows line endings, then it is read the same way', async () => {
    const file = await syntheticFile({ rows: 300, year: 2020, ubigeos: ['150132'], name: 'crlf' });
    const crlf = file.replace(/\.csv$/, '-crlf.csv');
    fs.writeFileSync(crlf, fs.readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    const report = await importMefGasto(t.db, crlf, { allowSynthetic: true });
    expect(report.status).toBe('imported');
    const row = await t.db('execution_totals').where({ ubigeo: '150132', year: 2020, source: 'mef_gasto' }).first();
    expect(Number(row.devengado)).toBe(expectedTotals(file).get('150132')!.devengado);
  });

  it('when a file is parsed by worker threads, then totals match the file and error rows are absolute', async () => {
    const workerScript = compiledWorker();
    const file = await syntheticFile({ rows: 4000, year: 2017, ubigeos: ['150101', '010101'], name: 'workers' });
    const bad = withCell(withCell(file, 4, 'MES_EJE', '13', 'a'), 3900, 'MONTO_GIRADO', 'n/a', 'b');
    const before = await counts(t);
    const rejected = await importMefGasto(t.db, bad, { allowSynthetic: true, workers: 3, workerScript });
    expect(rejected.status).toBe('rejected');
    expect(rejected.errors.map((e) => [e.row, e.column, e.value])).toEqual([
      [4, 'MES_EJE', '13'],
      [3900, 'MONTO_GIRADO', 'n/a'],
    ]);
    expect(await counts(t)).toEqual(before);
    const report = await importMefGasto(t.db, file, { allowSynthetic: true, workers: 3, workerScript });
    expect(report.status).toBe('imported');
    expect(report.rows).toBe(4000);
    for (const [ubigeo, e] of expectedTotals(file)) {
      const row = await t.db('execution_totals').where({ ubigeo, year: 2017, source: 'mef_gasto' }).first();
      expect(Number(row.devengado)).toBe(e.devengado);
      expect(Number(row.pim)).toBe(e.pim);
    }
    // Same content read inline: recognised as already imported.
    const again = await importMefGasto(t.db, withCell(file, 2, 'META_NOMBRE', 'OTRA META', 'c'), { allowSynthetic: true });
    expect(again.status).toBe('unchanged');
    fs.rmSync(path.dirname(workerScript), { recursive: true, force: true });
  });

  it('when a name is quoted with a comma, an escaped quote and a line end inside, then it is stored as written and the totals are right', async () => {
    const base = await syntheticFile({ rows: 1200, year: 2016, ubigeos: ['150101', '150132'], otherLevelsEvery: 0, name: 'quoted' });
    const name = 'MEJORAMIENTO "EL PUENTE", TRAMO\nNORTE';
    const file = withCell(base, 2, 'PRODUCTO_PROYECTO_NOMBRE', name, 'q');
    const code = (parse(fs.readFileSync(file), { columns: true }) as Record<string, string>[])[0].PRODUCTO_PROYECTO;
    const report = await importMefGasto(t.db, file, { allowSynthetic: true });
    expect(report.status).toBe('imported');
    expect(report.rows).toBe(1200);
    const stored = await t
      .db('mef_codes')
      .where({ list: 'project', code: code.padStart(20, '0') })
      .first();
    expect(stored?.name).toBe(name);
    for (const [ubigeo, e] of expectedTotals(file)) {
      const row = await t.db('execution_totals').where({ ubigeo, year: 2016, source: 'mef_gasto' }).first();
      expect(Number(row.devengado)).toBe(e.devengado);
    }
  });

  it.each([
    ['on this thread', 1],
    ['by worker threads', 3],
  ])('when a quote is never closed, then the file is refused %s at the row where it opens and nothing is written', async (_how, workers) => {
    const base = await syntheticFile({ rows: 3000, year: 2015, ubigeos: ['150101'], otherLevelsEvery: 0, name: `open-quote-${workers}` });
    // Every quote taken out (so that none closes the stray one), then one opened on row 40.
    const lines = fs
      .readFileSync(base, 'utf8')
      .replace(/"([^"]*)"/g, (_m, v: string) => v.replace(/,/g, ';'))
      .split('\n');
    lines[39] = lines[39].replace(/,([A-Z][A-Z ]+),/, ',"$1,');
    const file = base.replace(/\.csv$/, '-open.csv');
    fs.writeFileSync(file, lines.join('\n'));
    const before = await counts(t);
    const report = await importMefGasto(t.db, file, { allowSynthetic: true, workers, workerScript: workers > 1 ? compiledWorker() : undefined });
    expect(report.status).toBe('rejected');
    expect(report.errors).toEqual([expect.objectContaining({ row: 40, key: 'import:errors.unreadable' })]);
    expect(await counts(t)).toEqual(before);
    const i18n = createI18n();
    expect(i18n.t(report.errors[0].key, { lng: 'es' })).toMatch(/comillas sin cerrar/);
    expect(i18n.t(report.errors[0].key, { lng: 'en' })).toMatch(/quote is not closed/);
  });

  it('when columns are missing or renamed, then the file is refused before anything is written and the missing ones are listed', async () => {
    const text = fs.readFileSync(good, 'utf8').split('\n');
    text[0] = text[0].replace('MONTO_DEVENGADO', 'DEVENGADO').replace(',FUNCION,', ',FUNC,');
    const file = good.replace(/\.csv$/, '-renamed.csv');
    fs.writeFileSync(file, text.join('\n'));
    const before = await counts(t);
    const report = await importMefGasto(t.db, file, { allowSynthetic: true });
    expect(report.status).toBe('rejected');
    expect(report.missingColumns.sort()).toEqual(['FUNCION', 'MONTO_DEVENGADO']);
    expect(report.errors[0].params?.columns).toContain('MONTO_DEVENGADO');
    expect(await counts(t)).toEqual(before);
  });

  it('when rows are bad, then each is reported with row, column, value and a reason in es and en, and nothing is written', async () => {
    const base = await syntheticFile({ rows: 2000, year: 2022, ubigeos: ['150101'], otherLevelsEvery: 0, name: 'bad' });
    const bad = withCell(withCell(base, 5, 'MONTO_DEVENGADO', '12,5x', 'a'), 1500, 'FUNCION', 'X1', 'b');
    const before = await counts(t);
    const report = await importMefGasto(t.db, bad, { allowSynthetic: true });
    expect(report.status).toBe('rejected');
    expect(report.errors).toEqual([
      expect.objectContaining({ row: 5, column: 'MONTO_DEVENGADO', value: '12,5x', key: 'import:errors.mef_amount' }),
      expect.objectContaining({ row: 1500, column: 'FUNCION', value: 'X1', key: 'import:errors.code' }),
    ]);
    expect(await counts(t)).toEqual(before);
    expect(await t.db('execution_years').where({ source: 'mef_gasto', year: 2022 }).first()).toBeUndefined();
    const i18n = createI18n();
    expect(i18n.t(report.errors[0].key, { lng: 'es' })).toMatch(/monto válido/);
    expect(i18n.t(report.errors[0].key, { lng: 'en' })).toMatch(/valid amount/);
  });

  it('when a newer file of the same year is imported, then it replaces that year for the municipalities it contains only', async () => {
    const before132 = await t.db('execution_totals').where({ ubigeo: '150132', year: 2024, source: 'mef_gasto' }).first();
    const newer = await syntheticFile({ rows: 1300, year: 2024, ubigeos: ['150101'], scale: 1.1, seed: 99, lastMonth: 9, name: 'newer' });
    const report = await importMefGasto(t.db, newer, { allowSynthetic: true });
    expect(report.status).toBe('imported');
    const e = expectedTotals(newer).get('150101')!;
    const row = await t.db('execution_totals').where({ ubigeo: '150101', year: 2024, source: 'mef_gasto' }).first();
    expect(Number(row.devengado)).toBe(e.devengado);
    expect(Number(row.pim)).toBe(e.pim);
    const facts = await t.db('mef_gasto_facts').where({ ubigeo: '150101', year: 2024 }).sum({ d: 'devengado' }).first();
    expect(Number(facts?.d)).toBe(e.devengado);
    const after132 = await t.db('execution_totals').where({ ubigeo: '150132', year: 2024, source: 'mef_gasto' }).first();
    expect(Number(after132.devengado)).toBe(Number(before132.devengado));
    // The national rollup is rebuilt from every municipality of the year.
    const national = await t.db('mef_gasto_rollups').where({ level: 'national', year: 2024, dim: 'generic' }).sum({ d: 'devengado' }).first();
    const all = await t.db('execution_totals').where({ year: 2024, source: 'mef_gasto' }).sum({ d: 'devengado' }).first();
    expect(Number(national?.d)).toBe(Number(all?.d));
  });

  it('when detailed data exists for a municipality-year, then it takes precedence over Consulta Amigable and says so', async () => {
    const mef = await t.db('execution_totals').where({ ubigeo: '150132', year: 2024, source: 'mef_gasto' }).first();
    const res = await request(t.app).get('/api/v1/municipalities/150132/execution?year=2024').expect(200);
    expect(res.body.source).toBe('mef_gasto');
    expect(res.body.devengado).toBeCloseTo(Number(mef.devengado) / 100, 2);
    const other = await request(t.app).get('/api/v1/municipalities/010101/execution?year=2024').expect(200);
    expect(other.body.source).toBe('consulta_amigable');
    // A file without the generator's marker is taken as real MEF data and labelled as such.
    const marked = await syntheticFile({ rows: 300, year: 2018, ubigeos: ['150132'], name: 'unmarked' });
    const unmarked = marked.replace(/\.csv$/, '-real.csv');
    fs.writeFileSync(unmarked, fs.readFileSync(marked, 'utf8').split(SYNTHETIC_MARKER).join(''));
    expect((await importMefGasto(t.db, unmarked)).status).toBe('imported');
    const page = await request(t.app).get('/es/municipalidades/150132').expect(200);
    expect(page.text).toContain('MEF, datos abiertos de Presupuesto y Ejecución de Gasto');
    expect(page.text).toContain('DATOS SINTÉTICOS del generador de pruebas');
  });
});
