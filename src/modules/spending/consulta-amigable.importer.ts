import { parse } from 'csv-parse';
import path from 'node:path';
import type { Db } from '../../db';
import { AMOUNT_COLUMNS, AmountColumn, executionPct } from '../../lib/amounts';
import { readTextFile, sniffDelimiter, TextEncoding } from '../../lib/file-text';
import { foldForSearch } from '../../lib/text';

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
  onProgress?: (rows: number) => void;
  today?: Date;
  maxErrors?: number;
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

/**
 * Imports a Consulta Amigable export (clean CSV or raw export) all-or-nothing: any bad row
 * rejects the file and nothing is written; re-importing identical data writes nothing.
 */
export async function importConsultaAmigable(db: Db, file: string, opts: ImportOptions = {}): Promise<ImportReport> {
  const maxErrors = opts.maxErrors ?? 100;
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

  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  const delimiter = sniffDelimiter(firstLine);
  const known = await db('municipalities').select('ubigeo');
  const ubigeos = new Set(known.map((r: { ubigeo: string }) => r.ubigeo));

  const parser = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, info: true, trim: true });
  let map: Record<string, string> | null = null;
  let columns: string[] = [];
  const rows: ParsedRow[] = [];
  const seen = new Map<string, number>();

  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const line = info.lines;
    if (!map) {
      const keys = record.map(headerKey);
      const shape = keys.includes('ubigeo') ? 'clean' : keys.includes('municipalidad') ? 'raw' : 'unknown';
      const dict = shape === 'raw' ? RAW : CLEAN;
      columns = record;
      map = {};
      keys.forEach((k, i) => {
        const target = dict[k] ?? (shape === 'raw' ? RAW[k.replace(/ %$/, '')] : undefined);
        if (target) map![i] = target;
      });
      const present = new Set(Object.values(map));
      const needed = shape === 'raw' ? Object.values(RAW) : Object.values(CLEAN);
      report.shape = shape;
      report.missingColumns = [...new Set(needed)].filter((c) => !present.has(c) && !OPTIONAL.has(c));
      if (report.missingColumns.length) {
        fail({ row: line, column: report.missingColumns.join(', '), value: '', key: 'import:errors.missing_columns' });
        return report;
      }
      continue;
    }
    report.rows++;
    if (opts.onProgress && report.rows % 1000 === 0) opts.onProgress(report.rows);
    const v: Record<string, string> = {};
    record.forEach((cell, i) => {
      const target = map![i];
      if (target) v[target] = cell;
    });
    const col = (target: string) => columns[Number(Object.keys(map!).find((i) => map![i] === target))] ?? target;

    const year = Number(v.year);
    if (!/^\d{4}$/.test(v.year ?? '') || year < 2000 || year > 2100) {
      fail({ row: line, column: col('year'), value: v.year ?? '', key: 'import:errors.year' });
      continue;
    }

    let ubigeo: string;
    if (report.shape === 'raw') {
      const m = /^(\d{6})-(\d+):/.exec(v.municipality ?? '');
      if (!m) {
        fail({ row: line, column: col('municipality'), value: v.municipality ?? '', key: 'import:errors.municipality_label' });
        continue;
      }
      ubigeo = m[1];
      const dep = /^(\d{2}):/.exec(v.department ?? '');
      const prov = /^(\d{4}):/.exec(v.province ?? '');
      if (!dep || dep[1] !== ubigeo.slice(0, 2)) {
        fail({ row: line, column: col('department'), value: v.department ?? '', key: 'import:errors.department_mismatch', params: { ubigeo } });
        continue;
      }
      if (!prov || prov[1] !== ubigeo.slice(0, 4)) {
        fail({ row: line, column: col('province'), value: v.province ?? '', key: 'import:errors.province_mismatch', params: { ubigeo } });
        continue;
      }
    } else {
      ubigeo = v.ubigeo ?? '';
      if (!/^\d{6}$/.test(ubigeo)) {
        fail({ row: line, column: col('ubigeo'), value: ubigeo, key: 'import:errors.ubigeo_format' });
        continue;
      }
    }
    if (!ubigeos.has(ubigeo)) {
      fail({ row: line, column: col(report.shape === 'raw' ? 'municipality' : 'ubigeo'), value: ubigeo, key: 'import:errors.ubigeo_unknown' });
      continue;
    }

    const amounts = {} as Record<AmountColumn, number>;
    let ok = true;
    for (const c of AMOUNT_COLUMNS) {
      const parsed = parseAmount(v[c] ?? '');
      if (parsed === null) {
        fail({ row: line, column: col(c), value: v[c] ?? '', key: 'import:errors.amount' });
        ok = false;
        break;
      }
      amounts[c] = parsed;
    }
    if (!ok) continue;
    if (amounts.devengado > amounts.pim && amounts.pim > 0 && amounts.devengado - amounts.pim > 100) {
      fail({ row: line, column: col('devengado'), value: v.devengado, key: 'import:errors.devengado_over_pim' });
      continue;
    }
    if (v.avance_pct !== undefined && v.avance_pct !== '') {
      const given = Number(v.avance_pct.replace(',', '.'));
      const computed = executionPct(amounts.devengado, amounts.pim);
      if (!Number.isFinite(given) || (computed !== null && Math.abs(given - computed) > 0.15)) {
        fail({ row: line, column: col('avance_pct'), value: v.avance_pct, key: 'import:errors.avance_mismatch', params: { computed: computed ?? '' } });
        continue;
      }
    }
    const key = `${ubigeo}/${year}`;
    if (seen.has(key)) {
      fail({ row: line, column: col(report.shape === 'raw' ? 'municipality' : 'ubigeo'), value: ubigeo, key: 'import:errors.duplicate', params: { first: seen.get(key)! } });
      continue;
    }
    seen.set(key, line);
    rows.push({ line, year, ubigeo, amounts });
  }
  opts.onProgress?.(report.rows);

  if (!map) {
    fail({ row: 1, column: '', value: '', key: 'import:errors.empty' });
    return report;
  }
  if (report.errorCount > 0) return report;
  if (rows.length === 0) {
    fail({ row: 2, column: '', value: '', key: 'import:errors.no_rows' });
    return report;
  }

  const years = [...new Set(rows.map((r) => r.year))].sort();
  report.years = years;
  const today = opts.today ?? new Date();
  const existingYears = await db('execution_years').where({ source: CONSULTA_AMIGABLE }).whereIn('year', years).select('year', 'cut_off');
  const yearRows = years.map((year) => {
    const prev = existingYears.find((y: { year: number }) => Number(y.year) === year);
    const endOfYear = `${year}-12-31`;
    const todayIso = today.toISOString().slice(0, 10);
    const cut = opts.cutOffs?.[year] ?? (prev ? String(prev.cut_off).slice(0, 10) : todayIso < endOfYear ? todayIso : endOfYear);
    return {
      source: CONSULTA_AMIGABLE,
      year,
      cut_off: cut,
      partial: cut < endOfYear,
      label: 'MEF, Consulta Amigable',
      changed: !prev || String(prev.cut_off).slice(0, 10) !== cut,
    };
  });

  const existing = await db('execution_totals')
    .where({ source: CONSULTA_AMIGABLE })
    .whereIn('year', years)
    .select('ubigeo', 'year', ...AMOUNT_COLUMNS);
  const before = new Map<string, Record<string, unknown>>(existing.map((r: Record<string, unknown>) => [`${r.ubigeo}/${Number(r.year)}`, r]));
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
  const previousRun = await db('import_runs').where({ kind: CONSULTA_AMIGABLE, sha256 }).first('id');
  report.alreadyImported = Boolean(previousRun);

  if (toWrite.length === 0 && !yearRows.some((y) => y.changed)) {
    report.status = 'unchanged';
    return report;
  }
  await db.transaction(async (trx) => {
    for (const y of yearRows) {
      const { changed: _changed, ...row } = y;
      await trx('execution_years').insert(row).onConflict(['source', 'year']).merge(['cut_off', 'partial', 'label']);
    }
    for (let i = 0; i < toWrite.length; i += 500) {
      await trx('execution_totals')
        .insert(toWrite.slice(i, i + 500))
        .onConflict(['ubigeo', 'year', 'source'])
        .merge([...AMOUNT_COLUMNS]);
    }
    await trx('import_runs').insert({
      kind: CONSULTA_AMIGABLE,
      file_name: report.file.slice(0, 255),
      sha256,
      row_count: report.rows,
      changed: toWrite.length,
      imported_at: new Date(),
    });
  });
  report.status = 'imported';
  return report;
}
