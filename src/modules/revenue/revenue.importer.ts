import path from 'node:path';
import { bulkUpsert, type Db } from '../../db';
import { csvRecords } from '../../lib/csv';
import { rowFileReport, type RowFileReport, type RowIssue } from '../../lib/import-report';
import { readTextFile, sniffDelimiter } from '../../lib/file-text';
import { foldForSearch } from '../../lib/text';
import { Actor, AuditService, CLI_ACTOR, createAuditService } from '../audit';
import { REVENUE_COLUMNS, RevenueColumn } from './revenue.types';

export const INGRESOS = 'ingresos';

export type RevenueRowIssue = RowIssue;

export type RevenueImportReport = RowFileReport;

export interface RevenueImportOptions {
  maxErrors?: number;
  actor?: Actor;
  audit?: AuditService;
}

/** File column → stored column. Empty rubro cells mean "none recorded" (NULL); the total is required. */
const FILE_COLUMNS: Record<string, RevenueColumn> = { recaudado_total: 'total', recaudado_impuestos_municipales: 'own_taxes', recaudado_canon: 'canon' };
const REQUIRED = ['year', 'ubigeo', ...Object.keys(FILE_COLUMNS)];

/** "12345", "-2624", "1234.5" → céntimos (negative allowed: MEF adjustments); null when not a number. */
export function parseSignedAmount(raw: string): number | null {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(raw.trim());
  if (!m) return null;
  const v = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}

export interface RevenueRow {
  ubigeo: string;
  year: number;
  department_code: string;
  total: number;
  own_taxes: number | null;
  canon: number | null;
}

/**
 * Pure row validator: a record (file column → cell) → a row to store, or the first error.
 * `places` maps every known ubigeo (directory and predecessors) to its department.
 */
export function validateRevenueRow(
  v: Record<string, string>,
  line: number,
  places: Map<string, string>,
  seen: Map<string, number>,
): { row: RevenueRow; warnings: RevenueRowIssue[] } | { error: RevenueRowIssue } {
  const year = Number(v.year);
  if (!/^\d{4}$/.test(v.year ?? '') || year < 2000 || year > 2100) return { error: { row: line, column: 'year', value: v.year ?? '', key: 'import:errors.year' } };
  const ubigeo = v.ubigeo ?? '';
  if (!/^\d{6}$/.test(ubigeo)) return { error: { row: line, column: 'ubigeo', value: ubigeo, key: 'import:errors.ubigeo_format' } };
  const department = places.get(ubigeo);
  if (!department) return { error: { row: line, column: 'ubigeo', value: ubigeo, key: 'import:errors.ubigeo_unknown' } };
  const amounts = {} as Record<RevenueColumn, number | null>;
  const warnings: RevenueRowIssue[] = [];
  for (const [column, field] of Object.entries(FILE_COLUMNS)) {
    const cell = v[column] ?? '';
    if (cell === '' && field !== 'total') {
      amounts[field] = null;
      continue;
    }
    const parsed = parseSignedAmount(cell);
    if (parsed === null) return { error: { row: line, column, value: cell, key: 'import:errors.signed_amount' } };
    if (parsed < 0 && field === 'total') return { error: { row: line, column, value: cell, key: 'import:errors.negative_total' } };
    if (parsed < 0) warnings.push({ row: line, column, value: cell, key: 'import:warnings.negative_amount' });
    amounts[field] = parsed;
  }
  if ((amounts.own_taxes ?? 0) + (amounts.canon ?? 0) > amounts.total!)
    return { error: { row: line, column: 'recaudado_total', value: v.recaudado_total, key: 'import:errors.revenue_parts_over_total' } };
  const key = `${ubigeo}/${year}`;
  if (seen.has(key)) return { error: { row: line, column: 'ubigeo', value: ubigeo, key: 'import:errors.duplicate', params: { first: seen.get(key)! } } };
  seen.set(key, line);
  return { row: { ubigeo, year, department_code: department, total: amounts.total!, own_taxes: amounts.own_taxes, canon: amounts.canon }, warnings };
}

/**
 * Imports the MEF revenue file (collected revenue per municipality and year) all-or-nothing: any
 * bad row rejects the file and nothing is written; re-importing identical data writes nothing;
 * every run is in the audit log.
 */
export async function importIngresos(db: Db, file: string, opts: RevenueImportOptions = {}): Promise<RevenueImportReport> {
  const maxErrors = opts.maxErrors ?? 100;
  const actor = opts.actor ?? CLI_ACTOR;
  const audit = opts.audit ?? createAuditService();
  const { text, encoding, sha256 } = readTextFile(file);
  const { report, fail } = rowFileReport(path.basename(file), encoding, maxErrors);
  const auditOf = (written: RevenueRow[]) => ({
    kind: 'ingresos' as const,
    file: report.file,
    sha256,
    status: report.status,
    counts: { read: report.rows, inserted: report.inserted, updated: report.updated, unchanged: report.unchanged, rejected: report.errorCount },
    municipalities: [...new Set(written.map((r) => r.ubigeo))].sort(),
    municipality: null,
    extra: { years: report.years, warnings: report.warnings.length },
  });
  const rejected = async () => {
    await audit.recordImport(db, actor, auditOf([]));
    return report;
  };

  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  const [municipalities, predecessors] = await Promise.all([db('municipalities').select('ubigeo', 'department_code'), db('municipality_predecessors').select('ubigeo', 'department_code')]);
  const places = new Map<string, string>([...municipalities, ...predecessors].map((r: { ubigeo: string; department_code: string }) => [r.ubigeo, r.department_code]));
  const seen = new Map<string, number>();
  const rows: RevenueRow[] = [];
  let header: string[] | null = null;
  try {
    for (const { record, line } of csvRecords(text, sniffDelimiter(firstLine))) {
      if (!header) {
        header = record.map((h) => foldForSearch(h).replace(/ /g, '_'));
        report.missingColumns = REQUIRED.filter((c) => !header!.includes(c));
        if (report.missingColumns.length) {
          fail({ row: line, column: report.missingColumns.join(', '), value: '', key: 'import:errors.missing_columns' });
          return await rejected();
        }
        continue;
      }
      report.rows++;
      const v: Record<string, string> = {};
      for (let j = 0; j < header.length; j++) v[header[j]] = record[j] ?? '';
      const r = validateRevenueRow(v, line, places, seen);
      if ('error' in r) fail(r.error);
      else {
        rows.push(r.row);
        if (r.warnings.length) report.warnings.push(...r.warnings);
      }
    }
  } catch {
    fail({ row: 1, column: '', value: '', key: 'import:errors.unreadable' });
    return rejected();
  }
  if (!header) {
    fail({ row: 1, column: '', value: '', key: 'import:errors.empty' });
    return rejected();
  }
  if (report.errorCount === 0 && rows.length === 0) fail({ row: 2, column: '', value: '', key: 'import:errors.no_rows' });
  if (report.errorCount) return rejected();

  report.years = [...new Set(rows.map((r) => r.year))].sort();
  const stored = await db('revenue_totals')
    .whereIn('year', report.years)
    .select('ubigeo', 'year', ...REVENUE_COLUMNS);
  const before = new Map(stored.map((r: Record<string, unknown>) => [`${String(r.ubigeo)}/${Number(r.year)}`, r]));
  const same = (a: unknown, b: number | null) => (a === null || a === undefined ? b === null : b !== null && Number(a) === b);
  const toWrite = rows.filter((r) => {
    const prev = before.get(`${r.ubigeo}/${r.year}`);
    if (!prev) report.inserted++;
    else if (REVENUE_COLUMNS.some((c) => !same(prev[c], r[c]))) report.updated++;
    else {
      report.unchanged++;
      return false;
    }
    return true;
  });
  if (toWrite.length === 0) {
    report.status = 'unchanged';
    await audit.recordImport(db, actor, auditOf([]));
    return report;
  }
  await db.transaction(async (trx) => {
    await bulkUpsert(
      trx,
      'revenue_totals',
      ['ubigeo', 'year', 'department_code', ...REVENUE_COLUMNS],
      toWrite as unknown as Record<string, unknown>[],
      ['ubigeo', 'year'],
      ['department_code', ...REVENUE_COLUMNS],
    );
    await trx('import_runs').insert({ kind: INGRESOS, file_name: report.file.slice(0, 255), sha256, row_count: report.rows, changed: toWrite.length, imported_at: new Date().toISOString() });
    report.status = 'imported';
    await audit.recordImport(trx, actor, auditOf(toWrite));
  });
  return report;
}
