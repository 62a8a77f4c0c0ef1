import path from 'node:path';
import type { Knex } from 'knex';
import { bulkUpsert, type Db } from '../../db';
import { AMOUNT_COLUMNS, AmountColumn, executionPct } from '../../lib/amounts';
import { csvRecords } from '../../lib/csv';
import { rowFileReport, type RowFileReport, type RowIssue } from '../../lib/import-report';
import { readTextFile, sniffDelimiter } from '../../lib/file-text';
import { foldForSearch } from '../../lib/text';
import { Actor, AuditService, CLI_ACTOR, createAuditService } from '../audit';

export const CONSULTA_AMIGABLE = 'consulta_amigable';

export type RowError = RowIssue;

export interface ImportReport extends RowFileReport {
  shape: 'clean' | 'raw' | 'unknown';
  /** Rows of predecessor municipalities (not in the directory; stored apart, linked to their successor). */
  predecessorRows: number;
  alreadyImported: boolean;
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
  if (/^\d{1,15}$/.test(s)) return Number(s) * 100;
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
  /** A predecessor municipality (municipality_predecessors), stored in predecessor_execution. */
  predecessor?: boolean;
  warning?: RowError;
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

/**
 * The amounts of a row in céntimos, checked against each other (avance % = devengado ÷ PIM;
 * devengado ≤ PIM unless MEF's own avance % confirms the excess: then the row is kept as
 * published, with a warning).
 */
function rowAmounts(v: Record<string, string>, line: number, col: (f: string) => string): { amounts: Record<AmountColumn, number>; warning?: RowError } | { error: RowError } {
  const amounts = {} as Record<AmountColumn, number>;
  for (const c of AMOUNT_COLUMNS) {
    const parsed = parseAmount(v[c] ?? '');
    if (parsed === null) return { error: { row: line, column: col(c), value: v[c] ?? '', key: 'import:errors.amount' } };
    amounts[c] = parsed;
  }
  const hasAvance = v.avance_pct !== undefined && v.avance_pct !== '';
  const computed = executionPct(amounts.devengado, amounts.pim);
  if (hasAvance) {
    const given = Number(v.avance_pct.replace(',', '.'));
    if (!Number.isFinite(given) || (computed !== null && Math.abs(given - computed) > 0.15))
      return { error: { row: line, column: col('avance_pct'), value: v.avance_pct, key: 'import:errors.avance_mismatch', params: { computed: computed ?? '' } } };
  }
  if (amounts.devengado > amounts.pim && amounts.pim > 0 && amounts.devengado - amounts.pim > 100) {
    const issue = { row: line, column: col('devengado'), value: v.devengado, key: 'import:errors.devengado_over_pim' };
    if (!hasAvance) return { error: issue };
    return { amounts, warning: { ...issue, key: 'import:warnings.devengado_over_pim', params: { pct: computed ?? '' } } };
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
  predecessors: ReadonlySet<string> = new Set(),
): { row: ParsedRow } | { error: RowError } {
  const year = Number(v.year);
  if (!/^\d{4}$/.test(v.year ?? '') || year < 2000 || year > 2100) return { error: { row: line, column: col('year'), value: v.year ?? '', key: 'import:errors.year' } };
  const u = rowUbigeo(shape, v, line, col);
  if ('error' in u) return u;
  const ubigeoColumn = col(shape === 'raw' ? 'municipality' : 'ubigeo');
  const predecessor = predecessors.has(u.ubigeo);
  if (!predecessor && !ubigeos.has(u.ubigeo)) return { error: { row: line, column: ubigeoColumn, value: u.ubigeo, key: 'import:errors.ubigeo_unknown' } };
  const a = rowAmounts(v, line, col);
  if ('error' in a) return a;
  const key = `${u.ubigeo}/${year}`;
  if (seen.has(key)) return { error: { row: line, column: ubigeoColumn, value: u.ubigeo, key: 'import:errors.duplicate', params: { first: seen.get(key)! } } };
  seen.set(key, line);
  return { row: { line, year, ubigeo: u.ubigeo, amounts: a.amounts, ...(predecessor ? { predecessor } : {}), ...(a.warning ? { warning: a.warning } : {}) } };
}

/** Reads and validates the whole file; the report collects the errors (all or nothing: rows are only returned for writing when there are none). */
async function readRows(
  text: string,
  ubigeos: Set<string>,
  predecessors: ReadonlySet<string>,
  report: ImportReport,
  fail: (e: RowError) => void,
  onProgress?: (rows: number) => void,
): Promise<ParsedRow[]> {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  let header: ReturnType<typeof mapHeader> | null = null;
  const rows: ParsedRow[] = [];
  const seen = new Map<string, number>();
  try {
    for (const { record, line } of csvRecords(text, sniffDelimiter(firstLine))) {
      if (!header) {
        header = mapHeader(record);
        report.shape = header.shape;
        report.missingColumns = header.missing;
        if (header.missing.length) {
          fail({ row: line, column: header.missing.join(', '), value: '', key: 'import:errors.missing_columns' });
          return [];
        }
        continue;
      }
      report.rows++;
      if (onProgress && report.rows % 1000 === 0) onProgress(report.rows);
      const v: Record<string, string> = {};
      for (let i = 0; i < record.length; i++) {
        const target = header.map[i];
        if (target) v[target] = record[i];
      }
      const r = validateRow(header.shape, v, line, header.columnOf, ubigeos, seen, predecessors);
      if ('error' in r) fail(r.error);
      else {
        rows.push(r.row);
        if (r.row.warning) report.warnings.push(r.row.warning);
        if (r.row.predecessor) report.predecessorRows++;
      }
    }
  } catch {
    // csv-parse refuses the text (e.g. an unclosed quote): nothing is written.
    fail({ row: 1, column: '', value: '', key: 'import:errors.unreadable' });
    return [];
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

/** Compares with what is stored: counts inserted / updated / unchanged and returns the rows to write (predecessors' rows flagged). */
async function diffWithStored(db: Db, rows: ParsedRow[], years: number[], report: ImportReport): Promise<Array<Record<string, unknown> & { predecessor?: boolean }>> {
  const stored = (table: string): Promise<Record<string, unknown>[]> =>
    db(table)
      .where({ source: CONSULTA_AMIGABLE })
      .whereIn('year', years)
      .select('ubigeo', 'year', ...AMOUNT_COLUMNS);
  const before = new Map<string, Record<string, unknown>>();
  for (const r of await stored('execution_totals')) before.set(`${String(r.ubigeo)}/${Number(r.year)}`, r);
  if (rows.some((r) => r.predecessor)) for (const r of await stored('predecessor_execution')) before.set(`${String(r.ubigeo)}/${Number(r.year)}`, r);
  const toWrite: Array<Record<string, unknown> & { predecessor?: boolean }> = [];
  for (const r of rows) {
    const prev = before.get(`${r.ubigeo}/${r.year}`);
    if (!prev) report.inserted++;
    else if (AMOUNT_COLUMNS.some((c) => Number(prev[c]) !== r.amounts[c])) report.updated++;
    else {
      report.unchanged++;
      continue;
    }
    toWrite.push({ ubigeo: r.ubigeo, year: r.year, source: CONSULTA_AMIGABLE, ...r.amounts, ...(r.predecessor ? { predecessor: true } : {}) });
  }
  return toWrite;
}

/** Writer: years, totals (predecessors' rows into predecessor_execution) and the run, in one transaction. */
async function writeRows(
  trx: Knex.Transaction,
  yearRows: Awaited<ReturnType<typeof yearRowsFor>>,
  toWrite: Array<Record<string, unknown> & { predecessor?: boolean }>,
  report: ImportReport,
  sha256: string,
): Promise<void> {
  for (const y of yearRows) await trx('execution_years').insert(y.row).onConflict(['source', 'year']).merge(['cut_off', 'cut_off_approximate', 'partial', 'label']);
  // Bulk upserts (prepared statement on SQLite, 1 000-row INSERTs on MySQL): the first start loads 24 000 rows.
  const columns = ['ubigeo', 'year', 'source', ...AMOUNT_COLUMNS];
  await bulkUpsert(
    trx,
    'execution_totals',
    columns,
    toWrite.filter((r) => !r.predecessor),
    ['ubigeo', 'year', 'source'],
    AMOUNT_COLUMNS,
  );
  await bulkUpsert(
    trx,
    'predecessor_execution',
    columns,
    toWrite.filter((r) => r.predecessor),
    ['ubigeo', 'year', 'source'],
    AMOUNT_COLUMNS,
  );
  await trx('import_runs').insert({
    kind: CONSULTA_AMIGABLE,
    file_name: report.file.slice(0, 255),
    sha256,
    row_count: report.rows,
    changed: toWrite.length,
    imported_at: new Date().toISOString(),
    years: report.years.join(','),
  });
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
  const collected = rowFileReport(path.basename(file), encoding, maxErrors);
  const extra: Pick<ImportReport, 'shape' | 'predecessorRows' | 'alreadyImported'> = { shape: 'unknown', predecessorRows: 0, alreadyImported: false };
  const report: ImportReport = Object.assign(collected.report, extra);
  const fail = collected.fail;
  const auditOf = (written: Record<string, unknown>[]) => ({
    kind: 'consulta_amigable' as const,
    file: report.file,
    sha256,
    status: report.status,
    counts: { read: report.rows, inserted: report.inserted, updated: report.updated, unchanged: report.unchanged, rejected: report.errorCount },
    municipalities: [...new Set(written.map((r) => String(r.ubigeo)))].sort(),
    municipality: null,
    extra: { years: report.years, shape: report.shape, warnings: report.warnings.length, predecessor_rows: report.predecessorRows },
  });

  const [known, predecessors] = await Promise.all([db('municipalities').select('ubigeo'), db('municipality_predecessors').select('ubigeo')]);
  const rows = await readRows(text, new Set(known.map((r: { ubigeo: string }) => r.ubigeo)), new Set(predecessors.map((r: { ubigeo: string }) => r.ubigeo)), report, fail, opts.onProgress);
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
