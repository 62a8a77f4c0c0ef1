import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatRevenueReport } from '../../../src/cli/import';
import { referenceFile } from '../../../src/lib/reference-files';
import { importIngresos } from '../../../src/modules/revenue';
import { importConsultaAmigable } from '../../../src/modules/spending';
import { createTestDb, eachDialect, TestDb } from '../../helpers/db';

// Real rows of the bundled files (test databases start without the 2012–2022 history).
const revenueLines = fs.readFileSync(referenceFile('mef_ingresos_municipalidades_2012_2022.csv'), 'utf8').trim().split('\n');
const execLines = fs.readFileSync(referenceFile('mef_consulta_amigable_municipalidades_2012_2022.csv'), 'utf8').trim().split('\n');
const pick = (lines: string[], test: (cells: string[]) => boolean) => [lines[0], ...lines.slice(1).filter((l) => test(l.split(',')))];
// Loreto 2014 (with both predecessors), the negative canon (140203, 2022) and the devengado > PIM row (081210, 2021).
const revenueSample = pick(revenueLines, (c) => (c[0] === '2014' && c[1] === '16') || (c[0] === '2022' && c[3] === '140203'));
const execSample = pick(execLines, (c) => (c[0] === '2014' && c[1] === '16') || (c[0] === '2021' && c[5] === '081210'));

const tmp = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), 'ing-'));
const write = (name: string, lines: string[]) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
};
const count = async (t: TestDb, table: string) => Number((await t.db(table).count({ n: '*' }).first())!.n);

eachDialect('ingresos and 2012–2022 execution importers on %s', (dialect) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(dialect);
  });
  afterEach(async () => t.cleanup());

  it('when a revenue file of real rows is imported twice, then the first run writes every row and the second writes nothing', async () => {
    const file = write('ok.csv', revenueSample);
    const first = await importIngresos(t.db, file);
    expect(first).toMatchObject({ status: 'imported', rows: revenueSample.length - 1, inserted: revenueSample.length - 1, errorCount: 0 });
    const runs = await count(t, 'import_runs');
    const second = await importIngresos(t.db, file);
    expect(second).toMatchObject({ status: 'unchanged', inserted: 0, updated: 0, unchanged: revenueSample.length - 1 });
    expect(await count(t, 'import_runs')).toBe(runs);
    expect(await count(t, 'revenue_totals')).toBe(revenueSample.length - 1);
    const audit = await t.db('audit_log').where({ action: 'import.ingresos' }).count({ n: '*' }).first();
    expect(Number(audit!.n)).toBe(2);
  });

  it('when a revenue cell is negative, then the row is kept as published and reported as a warning with its line', async () => {
    const file = write('neg.csv', revenueSample);
    const report = await importIngresos(t.db, file);
    const line = revenueSample.findIndex((l) => l.includes(',140203,')) + 1;
    expect(report.warnings).toEqual([expect.objectContaining({ row: line, column: 'recaudado_canon', value: '-5853124', key: 'import:warnings.negative_amount' })]);
    const row = await t.db('revenue_totals').where({ ubigeo: '140203', year: 2022 }).first();
    expect(Number(row.canon)).toBe(-585312400);
    expect(formatRevenueReport(report, 'en')).toMatch(/Warning: row \d+, column "recaudado_canon", value "-5853124": negative amount/);
  });

  it('when one row of a revenue file is bad, then nothing is written and each error names its line, column and a localized reason', async () => {
    const bad = [...revenueSample];
    bad[3] = bad[3]
      .split(',')
      .map((c, i) => (i === 6 ? '12x4' : c))
      .join(','); // the total of line 4 is not a number
    bad.push(bad[5]); // a duplicate municipality-year on the last line
    bad.push('2014,16,1601,999999,300000,NOWHERE,100,,'); // an unknown ubigeo
    const report = await importIngresos(t.db, write('bad.csv', bad));
    expect(report.status).toBe('rejected');
    expect(await count(t, 'revenue_totals')).toBe(0);
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 4, column: 'recaudado_total', key: 'import:errors.signed_amount' }),
        expect.objectContaining({ row: bad.length - 1, column: 'ubigeo', key: 'import:errors.duplicate' }),
        expect.objectContaining({ row: bad.length, column: 'ubigeo', value: '999999', key: 'import:errors.ubigeo_unknown' }),
      ]),
    );
    expect(formatRevenueReport(report, 'es')).toMatch(/Archivo rechazado: 3 errores. No se escribió nada/);
  });

  it('when a file cannot be read as CSV (an unclosed quote), then both importers reject it with a localized reason and write nothing', async () => {
    const broken = [revenueSample[0], '2014,16,1601,"160101,300000,X,1,,'];
    const revenue = await importIngresos(t.db, write('broken-rev.csv', broken));
    expect(revenue).toMatchObject({ status: 'rejected', errors: [expect.objectContaining({ key: 'import:errors.unreadable' })] });
    const exec = await importConsultaAmigable(t.db, write('broken-exec.csv', [execSample[0], '2014,16,"LORETO,1601']));
    expect(exec).toMatchObject({ status: 'rejected', errors: [expect.objectContaining({ key: 'import:errors.unreadable' })] });
    expect(await count(t, 'revenue_totals')).toBe(0);
  });

  it('when the revenue file lacks a required column, then it is rejected naming the column', async () => {
    const report = await importIngresos(
      t.db,
      write(
        'cols.csv',
        revenueSample.map((l) => l.split(',').slice(0, 8).join(',')),
      ),
    );
    expect(report).toMatchObject({ status: 'rejected', missingColumns: ['recaudado_canon'] });
  });

  it('when 2012–2022 execution rows with predecessors are imported, then predecessors go to their own table, never to their successor, and re-importing changes nothing', async () => {
    const file = write('exec.csv', execSample);
    const report = await importConsultaAmigable(t.db, file);
    expect(report).toMatchObject({ status: 'imported', predecessorRows: 2, errorCount: 0 });
    expect((await t.db('predecessor_execution').select('ubigeo').orderBy('ubigeo')).map((r: { ubigeo: string }) => r.ubigeo)).toEqual(['160109', '160114']);
    const successor = await t.db('execution_totals').where({ ubigeo: '160801', year: 2014 }).first();
    const own = execSample.find((l) => l.includes(',160801,'))!.split(',');
    expect(Number(successor.devengado)).toBe(Number(own[13]) * 100);
    expect(await importConsultaAmigable(t.db, file)).toMatchObject({ status: 'unchanged', inserted: 0, updated: 0 });
  });

  it("when devengado exceeds the PIM and MEF's own avance % confirms it, then the row is kept with a warning; without the avance % it is refused", async () => {
    const report = await importConsultaAmigable(t.db, write('over.csv', execSample));
    const line = execSample.findIndex((l) => l.includes(',081210,')) + 1;
    expect(report.warnings).toEqual([expect.objectContaining({ row: line, column: 'devengado', key: 'import:warnings.devengado_over_pim' })]);
    const noAvance = execSample.map((l) => l.split(',').slice(0, 15).join(','));
    const refused = await importConsultaAmigable(t.db, write('over-no-avance.csv', noAvance));
    expect(refused.status).toBe('rejected');
    expect(refused.errors).toEqual([expect.objectContaining({ row: line, key: 'import:errors.devengado_over_pim' })]);
  });
});
