import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatReport } from '../../../src/cli/import';
import { readReferenceCsv } from '../../../src/lib/reference-files';
import { importConsultaAmigable } from '../../../src/modules/spending';
import { createTestDb, eachDialect, TestDb } from '../../helpers/db';

const RAW = path.join(__dirname, '..', '..', 'fixtures', 'mef_consulta_amigable_raw_sample.csv');
const rawText = fs.readFileSync(RAW, 'utf8');
const clean = readReferenceCsv('mef_consulta_amigable_municipalidades_2024_2025.csv');
const tmp = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), 'ca-'));
const write = (name: string, content: string | Buffer) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, content);
  return f;
};
const count = async (t: TestDb) => Number((await t.db('execution_totals').count({ n: '*' }).first())!.n);

eachDialect('Consulta Amigable importer on %s', (dialect) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(dialect);
  });
  afterEach(async () => t.cleanup());

  it('when the raw export (labels with codes, "62,334,134" amounts) is imported into an empty table, then its 40 rows equal the clean file', async () => {
    await t.db('execution_totals').del();
    const report = await importConsultaAmigable(t.db, RAW);
    expect(report).toMatchObject({ status: 'imported', shape: 'raw', rows: 40, inserted: 40, errorCount: 0 });
    const row = await t.db('execution_totals').where({ ubigeo: '070101', year: 2024 }).first();
    const expected = clean.find((r) => r.ubigeo === '070101' && r.year === '2024')!;
    expect(Number(row.pim)).toBe(Number(expected.pim) * 100);
    expect(Number(row.devengado)).toBe(Number(expected.devengado) * 100);
  });

  it('when the raw export holds the same figures as the bundled data, then nothing changes and it says so', async () => {
    const before = await count(t);
    const report = await importConsultaAmigable(t.db, RAW);
    expect(report).toMatchObject({ status: 'unchanged', inserted: 0, updated: 0, unchanged: 40 });
    expect(await count(t)).toBe(before);
    expect(formatReport(report, 'es')).toMatch(/no cambió nada/);
    expect(formatReport(report, 'en')).toMatch(/nothing changed/);
  });

  it('when the same file is imported twice, then the second run writes nothing and reports it was already imported', async () => {
    await t.db('execution_totals').del();
    const first = await importConsultaAmigable(t.db, RAW);
    expect(first.status).toBe('imported');
    const runs = Number((await t.db('import_runs').count({ n: '*' }).first())!.n);
    const second = await importConsultaAmigable(t.db, RAW);
    expect(second).toMatchObject({ status: 'unchanged', alreadyImported: true });
    expect(Number((await t.db('import_runs').count({ n: '*' }).first())!.n)).toBe(runs);
  });

  it('when an edited file changes one amount, then exactly that row is updated without duplicates', async () => {
    const edited = rawText.replace('"62,334,134"', '"62,334,999"');
    const before = await count(t);
    const report = await importConsultaAmigable(t.db, write('edited.csv', edited));
    expect(report).toMatchObject({ status: 'imported', updated: 1, inserted: 0, unchanged: 39 });
    expect(await count(t)).toBe(before);
    const row = await t.db('execution_totals').where({ ubigeo: '010101', year: 2024, source: 'consulta_amigable' }).first();
    expect(Number(row.pia)).toBe(62334999 * 100);
  });

  it('when a file has bad rows, then each is reported with row, column, value and reason, and nothing is written', async () => {
    const lines = rawText.trim().split('\n');
    lines[2] = lines[2].replace('"668,471"', '"66x,471"'); // row 3: bad PIA
    lines[5] = lines[5].replace(/^2024/, '20A4'); // row 6: bad year
    lines[6] = lines[6].replace(/010106-/, '010199-'); // row 7: unknown ubigeo
    const before = await t.db('execution_totals').orderBy(['ubigeo', 'year']).select();
    const report = await importConsultaAmigable(t.db, write('bad.csv', `${lines.join('\n')}\n`));
    expect(report.status).toBe('rejected');
    expect(report.errors).toEqual([
      expect.objectContaining({ row: 3, column: 'PIA', value: '66x,471', key: 'import:errors.amount' }),
      expect.objectContaining({ row: 6, column: 'Año', value: '20A4', key: 'import:errors.year' }),
      expect.objectContaining({ row: 7, column: 'Municipalidad', value: '010199', key: 'import:errors.ubigeo_unknown' }),
    ]);
    expect(await t.db('execution_totals').orderBy(['ubigeo', 'year']).select()).toEqual(before);
    const es = formatReport(report, 'es');
    expect(es).toMatch(/fila 3, columna «PIA», valor «66x,471»: no es un monto válido/);
    expect(formatReport(report, 'en')).toMatch(/row 6, column “Año”, value “20A4”: the year must have four digits/);
  });

  it('when the last row of a long file is bad, then the earlier good rows are not written either', async () => {
    await t.db('execution_totals').del();
    const lines = rawText.trim().split('\n');
    lines[lines.length - 1] = lines[lines.length - 1].replace(/,[\d.]+$/, ',99.9'); // avance % that does not match
    const report = await importConsultaAmigable(t.db, write('last-bad.csv', lines.join('\n')));
    expect(report.status).toBe('rejected');
    expect(report.errors[0]).toMatchObject({ row: 41, column: 'Avance %', key: 'import:errors.avance_mismatch' });
    expect(await count(t)).toBe(0);
  });

  it('when the file is Latin-1 encoded, then it is detected and the accented header is read', async () => {
    await t.db('execution_totals').del();
    const report = await importConsultaAmigable(t.db, write('latin1.csv', Buffer.from(rawText, 'latin1')));
    expect(report).toMatchObject({ status: 'imported', encoding: 'latin1', shape: 'raw', inserted: 40 });
  });

  it('when the file is UTF-8 with a BOM and ";" separators, then it is read correctly', async () => {
    await t.db('execution_totals').del();
    const semi = rawText.replace(/"([\d,]+)"/g, (_m, n: string) => n.replace(/,/g, '')).replace(/,/g, ';');
    const report = await importConsultaAmigable(t.db, write('bom.csv', `\ufeff${semi}`));
    expect(report).toMatchObject({ status: 'imported', encoding: 'utf-8-bom', inserted: 40 });
  });

  it('when required columns are missing or renamed, then the file is refused listing them, before anything is written', async () => {
    const renamed = rawText.replace('Devengado', 'Gastado').replace(',PIM,', ',Presupuesto,');
    const report = await importConsultaAmigable(t.db, write('renamed.csv', renamed));
    expect(report.status).toBe('rejected');
    expect(report.missingColumns.sort()).toEqual(['devengado', 'pim']);
    expect(report.rows).toBe(0);
  });

  it('when a municipality appears twice for a year, then the duplicate is reported', async () => {
    const lines = rawText.trim().split('\n');
    const report = await importConsultaAmigable(t.db, write('dup.csv', [...lines, lines[1]].join('\n')));
    expect(report.errors[0]).toMatchObject({ row: 42, key: 'import:errors.duplicate', params: { first: 2 } });
  });

  it('when the file is empty, then it is rejected with a clear reason', async () => {
    const report = await importConsultaAmigable(t.db, write('empty.csv', ''));
    expect(report).toMatchObject({ status: 'rejected', errors: [expect.objectContaining({ key: 'import:errors.empty' })] });
  });
});
