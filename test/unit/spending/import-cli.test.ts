import { formatMefReport, formatParticipationReport, parseArgs, progressLine } from '../../../src/cli/import';
import type { MefGastoReport } from '../../../src/modules/spending';

const report = (over: Partial<MefGastoReport>): MefGastoReport => ({
  status: 'imported',
  file: 'g.csv',
  encoding: 'latin1',
  rows: 10,
  kept: 8,
  skipped: 2,
  facts: 5,
  municipalities: 1,
  ubigeos: ['150101'],
  years: [2024],
  errors: [],
  errorCount: 0,
  alreadyImported: false,
  missingColumns: [],
  seconds: 1,
  synthetic: false,
  ...over,
});

describe('import CLI for mef-gasto', () => {
  it('when called with mef-gasto and a file, then the arguments are accepted', () => {
    const a = parseArgs(['mef-gasto', 'x.csv', '--lang', 'en'], { INIT_CWD: '/data' });
    expect(a).toMatchObject({ kind: 'mef-gasto', file: '/data/x.csv', lang: 'en' });
  });

  it('when a participation CSV is named with its kind and municipality, then the arguments say so; a bad kind or ubigeo is a usage error', () => {
    expect(parseArgs(['participation', 'items', '150101', 'p.csv'], { INIT_CWD: '/data' })).toMatchObject({ kind: 'participation', entity: 'items', ubigeo: '150101', file: '/data/p.csv' });
    expect(parseArgs(['participation', 'hearings', '150101', 'p.csv'], {})).toBe('participation expects items or commitments');
    expect(parseArgs(['participation', 'items', '15', 'p.csv'], {})).toBe('participation expects a 6-digit ubigeo');
  });

  it('when a participation CSV is rejected from the command line, then each row is listed with its reason in the chosen language', () => {
    const r = { status: 'rejected' as const, created: 0, updated: 0, unchanged: 0, errors: [{ row: 3, column: 'id', value: '99', reason: 'participation:errors.csv_id' }] };
    expect(formatParticipationReport(r, 'es')).toContain('fila 3, columna «id», valor «99»: El id no corresponde a un registro de esta municipalidad.');
    expect(formatParticipationReport({ ...r, status: 'done', created: 2, errors: [] }, 'en')).toMatch(/2 created, 0 updated, 0 unchanged/);
  });

  it('when a file is rejected, then each error line gives row, column, value and the reason in the chosen language', () => {
    const r = report({ status: 'rejected', errorCount: 1, errors: [{ row: 7, column: 'MONTO_PIM', value: 'x', key: 'import:errors.mef_amount' }] });
    expect(formatMefReport(r, 'es')).toMatch(/fila 7, columna «MONTO_PIM», valor «x»: no es un monto válido/);
    expect(formatMefReport(r, 'en')).toMatch(/row 7, column “MONTO_PIM”, value “x”: is not a valid amount/);
  });

  it('when the text itself is refused (no column), then the error line gives the row and the reason only', () => {
    const r = report({ status: 'rejected', errorCount: 1, errors: [{ row: 40, column: '', value: '', key: 'import:errors.unreadable' }] });
    expect(formatMefReport(r, 'es')).toMatch(/\n {2}fila 40: El archivo no se puede leer como CSV: hay comillas sin cerrar/);
    expect(formatMefReport(r, 'en')).toMatch(/\n {2}row 40: The file cannot be read as CSV: a quote is not closed/);
    expect(formatMefReport(r, 'en')).not.toMatch(/column/);
  });

  it('when a file is imported, then the summary names the encoding', () => {
    expect(formatMefReport(report({}), 'en')).toMatch(/Encoding latin1/);
  });

  it('when progress is shown, then it has rows, rows/s and an ETA', () => {
    expect(progressLine('en', 50000, 50, 100, 2)).toMatch(/50,000 rows · 25,000 rows\/s · 50 % · ETA 2 s/);
  });
});
