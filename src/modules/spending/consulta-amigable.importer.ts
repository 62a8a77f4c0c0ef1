import { parse } from 'csv-parse';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Db } from '../../db';
import { AMOUNT_COLUMNS, AmountColumn, executionPct } from '../../lib/amounts';
import { readTextFile, sniffDelimiter, TextEncoding } from '../../lib/file-text';
import { foldForSearch } from '../../lib/text';
import { Actor, AuditService, CLI_ACTOR, createAuditService } from '../audit';

export const CONSULTA_AMIGABLE = 'consulta_amigable';

export interface RowError {
  row: number;
  column: string;
  value: string;
  key: string; // translation key in the import namespace
  params?: Record<string, string | number>;
}

export interface ImportReport {
  status: 'imported' | 'unchanged' | 'rejected';
  file: string;
  shape: 'clean' | 'raw' | 'unknown';
  encoding: TextEncoding;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  years: number[];
  errors: RowError[];
  errorCount: number;
  alreadyImported: boolean;
  missingColumns: string[];
}

export interface ImportOptions {
  /** Cut-off date per year, e.g. { 2025: '2025-03-08' }. Default: 31 Dec, or today for the running year. */
  cutOffs?: Record<number, string>;
  /** Years whose cut-off is only approximately known (published as cut_off_approximate). */
  approximateCutOffs?: number[];
  onProgress?: (rows: number) => void;
  today?: Date;
  maxErrors?: number;
  /** Who imports (audit log); default: the command line. */
  actor?: Actor;
  audit?: AuditService;
}

// Header names are compared folded (no accents, lower case, single spaces).
const CLEAN_COLUMNS = ['year', 'department_code', 'province_code', 'ubigeo', 'sec_ejec', 'municipality', ...AMOUNT_COLUMNS, 'avance_pct'];
const CLEAN: Record<string, string> = Object.fromEntries(CLEAN_COLUMNS.map((c) => [foldForSearch(c), c]));
const RAW: Record<string, string> = {
  ano: 'year',
  departamento: 'department',
  provincia: 'province',
  municipalidad: 'municipality',
  pia: 'pia',
  pim: 'pim',
  certificacion: 'certificacion',
  'compromiso anual': 'compromiso_anual',
  'atencion de compromiso mensual': 'atencion_compromiso_mensual',
  devengado: 'devengado',
  girado: 'girado',
  avance: 'avance_pct',
};
const OPTIONAL = new Set(['avance_pct', 'sec_ejec', 'municipality', 'department_code', 'province_code']);

const headerKey = (h: string) => foldForSearch(h);

/** Parses "62,334,134", "62334134", "1234.5" → céntimos; null when not a non-negative amount. */
export function parseAmount(raw: string): number | null {
  const s = raw.trim();
  let normal: string;
  if (/^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(s)) normal = s.replace(/,/g, '');
  else if (/^\d+(\.\d{1,2})?$/.test(s)) normal = s;
  else return null;
  const [ints, dec = ''] = normal.split('.');
  return Number(ints) * 100 + Number(dec.padEnd(2, '0'));
}

interface ParsedRow {
  line: number;
  year: number;
  ubigeo: string;
  amounts: Record<AmountColumn, number>;
}

type Shape = ImportReport['shape'];

/** Header map: which column holds which field, the file's shape and the required fields it lacks. */
export function mapHeader(record: string[]): { shape: Shape; map: Record<number, string>; columnOf: (field: string) => string; missing: string[] } {
  const keys = record.map(headerKey);
  const shape: Shape = keys.includes('ubigeo') ? 'clean' : keys.includes('municipalidad') ? 'raw' : 'unknown';
  const dict = shape === 'raw' ? RAW : CLEAN;
  const map: Record<number, string> = {};
  keys.forEach((k, i) => {
    const target = dict[k] ?? (shape === 'raw' ? RAW[k.replace(/ %$/, '')] : undefined);
    if (target) map[i] = target;
  });
  const present = new Set(Object.values(map));
  const needed = shape === 'raw' ? Object.values(RAW) : Object.values(CLEAN);
  const byField = new Map<string, string>();
  for (const [i, f] of Object.entries(map)) if (!byField.has(f)) byField.set(f, record[Number(i)]);
  return {
    shape,
    map,
    columnOf: (field) => byField.get(field) ?? field,
    missing: [...new Set(needed)].filter((c) => !present.has(c) && !OPTIONAL.has(c)),
  };
}

/** The municipality of a row: from the label "UBIGEO-SEC: NAME" (raw, checked against department and province) or the ubigeo column. */
function rowUbigeo(shape: Shape, v: Record<string, string>, line: number, col: (f: string) => string): { ubigeo: string } | { error: RowError } {
  if (shape !== 'raw') {
    const ubigeo = v.ubigeo ?? '';
    return /^\d{6}$/.test(ubigeo) ? { ubigeo } : { error: { row: line, column: col('ubigeo'), value: ubigeo, key: 'import:errors.ubigeo_format' } };
  }
  const m = /^(\d{6})-(\d+):/.exec(v.municipality ?? '');
  if (!m) return { error: { row: line, column: col('municipality'), value: v.municipality ?? '', key: 'import:errors.municipality_label' } };
  const ubigeo = m[1];
  const dep = /^(\d{2}):/.exec(v.department ?? '');
  if (!dep || dep[1] !== ubigeo.slice(0, 2)) return { error: { row: line, column: col('department'), value: v.department ?? '', key: 'import:errors.department_mismatch', params: { ubigeo } } };
  const prov = /^(\d{4}):/.exec(v.province ?? '');
  if (!prov || prov[1] !== ubigeo.slice(0, 4)) return { error: { row: line, column: col('province'), value: v.province ?? '', key: 'import:errors.province_mismatch', params: { ubigeo } } };
  return { ubigeo };
}

/** The amounts of a row in céntimos, checked against each other (devengado ≤ PIM, avance % = devengado ÷ PIM). */
function rowAmounts(v: Record<string, string>, line: number, col: (f: string) => string): { amounts: Record<AmountColumn, number> } | { error: RowError } {
  const amounts = {} as Record<AmountColumn, number>;
  for (const c of AMOUNT_COLUMNS) {
    const parsed = parseAmount(v[c] ?? '');
    if (parsed === null) return { error: { row: line, column: col(c), value: v[c] ?? '', key: 'import:errors.amount' } };
    amounts[c] = parsed;
  }
  if (amounts.devengado > amounts.pim && amounts.pim > 0 && amounts.devengado - amounts.pim > 100)
    return { error: { row: line, column: col('devengado'), value: v.devengado, key: 'import:errors.devengado_over_pim' } };
  if (v.avance_pct !== undefined && v.avance_pct !== '') {
    const given = Number(v.avance_pct.replace(',', '.'));
    const computed = executionPct(amounts.devengado, amounts.pim);
    if (!Number.isFinite(given) || (computed !== null && Math.abs(given - computed) > 0.15))
      return { error: { row: line, column: col('avance_pct'), value: v.avance_pct, key: 'import:errors.avance_mismatch', params: { computed: computed ?? '' } } };
  }
  return { amounts };
}

/**
 * Pure row validator: one record (already mapped to fields) → a row to store, or the first
 * error found. `seen` holds the line of each municipality-year already in the file.
 */
export function validateRow(
  shape: Shape,
  v: Record<string, string>,
  line: number,
  col: (f: string) => string,
  ubigeos: Set<string>,
  seen: Map<string, number>,
): { row: ParsedRow } | { error: RowError } {
  const year = Number(v.year);
  if (!/^\d{4}$/.test(v.year ?? '') || year < 2000 || year > 2100) return { error: { row: line, column: col('year'), value: v.year ?? '', key: 'import:errors.year' } };
  const u = rowUbigeo(shape, v, line, col);
  if ('error' in u) return u;
  const ubigeoColumn = col(shape === 'raw' ? 'municipality' : 'ubigeo');
  if (!ubigeos.has(u.ubigeo)) return { error: { row: line, column: ubigeoColumn, value: u.ubigeo, key: 'import:errors.ubigeo_unknown' } };
  const a = rowAmounts(v, line, col);
  if ('error' in a) return a;
  const key = `${u.ubigeo}/${year}`;
  if (seen.has(key)) return { error: { row: line, column: ubigeoColumn, value: u.ubigeo, key: 'import:errors.duplicate', params: { first: seen.get(key)! } } };
  seen.set(key, line);
  return { row: { line, year, ubigeo: u.ubigeo, amounts: a.amounts } };
}

/** Reads and validates the whole file; the report collects the errors (all or nothing: rows are only returned for writing when there are none). */
async function readRows(text: string, ubigeos: Set<string>, report: ImportReport, fail: (e: RowError) => void, onProgress?: (rows: number) => void): Promise<ParsedRow[]> {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  const parser = parse(text, { delimiter: sniffDelimiter(firstLine), relax_column_count: true, skip_empty_lines: true, info: true, trim: true });
  let header: ReturnType<typeof mapHeader> | null = null;
  const rows: ParsedRow[] = [];
  const seen = new Map<string, number>();
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = mapHeader(record);
      report.shape = header.shape;
      report.missingColumns = header.missing;
      if (header.missing.length) {
        fail({ row: info.lines, column: header.missing.join(', '), value: '', key: 'import:errors.missing_columns' });
        return [];
      }
      continue;
    }
    report.rows++;
    if (onProgress && report.rows % 1000 === 0) onProgress(report.rows);
    const v: Record<string, string> = {};
    record.forEach((cell, i) => {
      const target = header!.map[i];
      if (target) v[target] = cell;
    });
    const r = validateRow(header.shape, v, info.lines, header.columnOf, ubigeos, seen);
    if ('error' in r) fail(r.error);
    else rows.push(r.row);
  }
  onProgress?.(report.rows);
  if (!header) fail({ row: 1, column: '', value: '', key: 'import:errors.empty' });
  else if (report.errorCount === 0 && rows.length === 0) fail({ row: 2, column: '', value: '', key: 'import:errors.no_rows' });
  return report.errorCount ? [] : rows;
}

/** The cut-off, partial flag and label of each year (an explicit cut-off, else the stored one, else 31 Dec or today). */
async function yearRowsFor(db: Db, years: number[], opts: ImportOptions) {
  const today = (opts.today ?? new Date()).toISOString().slice(0, 10);
  const existingYears = await db('execution_years').where({ source: CONSULTA_AMIGABLE }).whereIn('year', years).select('year', 'cut_off');
  return years.map((year) => {
    const prev = existingYears.find((y: { year: number }) => Number(y.year) === year);
    const endOfYear = `${year}-12-31`;
    const explicit = opts.cutOffs?.[year];
    const cut = explicit ?? (prev ? String(prev.cut_off).slice(0, 10) : today < endOfYear ? today : endOfYear);
    // A running year without an explicit cut-off gets today's date: the real cut-off of the file is unknown.
    const approximate = Boolean(opts.approximateCutOffs?.includes(year)) || (explicit === undefined && !prev && cut < endOfYear);
    return {
      row: { source: CONSULTA_AMIGABLE, year, cut_off: cut, cut_off_approximate: approximate, partial: cut < endOfYear, label: 'MEF, Consulta Amigable' },
      changed: !prev || String(prev.cut_off).slice(0, 10) !== cut,
    };
  });
}

/** Compares with what is stored: counts inserted / updated / unchanged and returns the rows to write. */
async function diffWithStored(db: Db, rows: ParsedRow[], years: number[], report: ImportReport): Promise<Record<string, unknown>[]> {
  const existing = await db('execution_totals')
    .where({ source: CONSULTA_AMIGABLE })
    .whereIn('year', years)
    .select('ubigeo', 'year', ...AMOUNT_COLUMNS);
  const before = new Map<string, Record<string, unknown>>(existing.map((r: Record<string, unknown>) => [`${String(r.ubigeo)}/${Number(r.year)}`, r]));
  const toWrite: Record<string, unknown>[] = [];
  for (const r of rows) {
    const prev = before.get(`${r.ubigeo}/${r.year}`);
    if (!prev) report.inserted++;
    else if (AMOUNT_COLUMNS.some((c) => Number(prev[c]) !== r.amounts[c])) report.updated++;
    else {
      report.unchanged++;
      continue;
    }
    toWrite.push({ ubigeo: r.ubigeo, year: r.year, source: CONSULTA_AMIGABLE, ...r.amounts });
  }
  return toWrite;
}

/** Writer: years, totals and the run, in one transaction. */
async function writeRows(trx: Knex.Transaction, yearRows: Awaited<ReturnType<typeof yearRowsFor>>, toWrite: Record<string, unknown>[], report: ImportReport, sha256: string): Promise<void> {
  for (const y of yearRows) await trx('execution_years').insert(y.row).onConflict(['source', 'year']).merge(['cut_off', 'cut_off_approximate', 'partial', 'label']);
  for (let i = 0; i < toWrite.length; i += 500) {
    await trx('execution_totals')
      .insert(toWrite.slice(i, i + 500))
      .onConflict(['ubigeo', 'year', 'source'])
      .merge([...AMOUNT_COLUMNS]);
  }
  await trx('import_runs').insert({ kind: CONSULTA_AMIGABLE, file_name: report.file.slice(0, 255), sha256, row_count: report.rows, changed: toWrite.length, imported_at: new Date().toISOString() });
}

/**
 * Imports a Consulta Amigable export (clean CSV or raw export) all-or-nothing: any bad row
 * rejects the file and nothing is written; re-importing identical data writes nothing. Every
 * run, accepted or not, is in the audit log (the command line by default).
 */
export async function importConsultaAmigable(db: Db, file: string, opts: ImportOptions = {}): Promise<ImportReport> {
  const maxErrors = opts.maxErrors ?? 100;
  const actor = opts.actor ?? CLI_ACTOR;
  const audit = opts.audit ?? createAuditService();
  const { text, encoding, sha256 } = readTextFile(file);
  const report: ImportReport = {
    status: 'rejected',
    file: path.basename(file),
    shape: 'unknown',
    encoding,
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    years: [],
    errors: [],
    errorCount: 0,
    alreadyImported: false,
    missingColumns: [],
  };
  const fail = (e: RowError) => {
    report.errorCount++;
    if (report.errors.length < maxErrors) report.errors.push(e);
  };
  const auditOf = (written: Record<string, unknown>[]) => ({
    kind: 'consulta_amigable' as const,
    file: report.file,
    sha256,
    status: report.status,
    counts: { read: report.rows, inserted: report.inserted, updated: report.updated, unchanged: report.unchanged, rejected: report.errorCount },
    municipalities: [...new Set(written.map((r) => String(r.ubigeo)))].sort(),
    municipality: null,
    extra: { years: report.years, shape: report.shape },
  });

  const known = await db('municipalities').select('ubigeo');
  const rows = await readRows(text, new Set(known.map((r: { ubigeo: string }) => r.ubigeo)), report, fail, opts.onProgress);
  if (report.errorCount > 0) {
    await audit.recordImport(db, actor, auditOf([]));
    return report;
  }

  report.years = [...new Set(rows.map((r) => r.year))].sort();
  const yearRows = await yearRowsFor(db, report.years, opts);
  const toWrite = await diffWithStored(db, rows, report.years, report);
  report.alreadyImported = Boolean(await db('import_runs').where({ kind: CONSULTA_AMIGABLE, sha256 }).first('id'));
  if (toWrite.length === 0 && !yearRows.some((y) => y.changed)) {
    report.status = 'unchanged';
    await audit.recordImport(db, actor, auditOf([]));
    return report;
  }
  await db.transaction(async (trx) => {
    await writeRows(trx, yearRows, toWrite, report, sha256);
    report.status = 'imported';
    await audit.recordImport(trx, actor, auditOf(toWrite));
  });
  return report;
}
