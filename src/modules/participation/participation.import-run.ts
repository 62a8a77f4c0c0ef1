import crypto from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Knex } from 'knex';
import type { Db } from '../../db';
import { AppError, ValidationError } from '../../lib/errors';
import type { Actor, AuditService, ImportAuditSummary } from '../audit';

/**
 * What the officials' bulk CSV imports share (participation items/commitments, results
 * objectives/indicators): reading the file, the report, the all-or-nothing write and the record
 * of each run. Each import keeps its own rows, checks and writer; messages come from its namespace.
 */

export interface RowError {
  row: number;
  column: string;
  value: string;
  reason: string;
}

export interface ImportReport {
  status: 'done' | 'rejected';
  created: number;
  updated: number;
  unchanged: number;
  errors: RowError[];
}

export const emptyReport = (): ImportReport => ({ status: 'done', created: 0, updated: 0, unchanged: 0, errors: [] });

/** The dependencies and limits of a bulk import; `perHour` imports per user, at most `maxRows` rows. */
export interface BulkImportDeps<S> {
  db: Db;
  service: S;
  audit: AuditService;
  clock?: () => number;
  perHour?: number;
  maxRows?: number;
}

export const withImportDefaults = <S>(deps: BulkImportDeps<S>) => ({ ...deps, clock: deps.clock ?? Date.now, perHour: deps.perHour ?? 10, maxRows: deps.maxRows ?? 5000 });

/** Undoes the export's formula neutralisation (a leading ' before = + - @). */
export const unneutralise = (v: string) => (/^'[=+\-@]/.test(v) ? v.slice(1) : v);

export class TooManyRowsError extends AppError {
  constructor(ns: string, max: number) {
    super(`${ns}:errors.csv_too_many_rows`, 413, { max });
  }
}

/**
 * The file's rows by header: 422 `<ns>:errors.csv_unreadable` when it does not parse, 413 past
 * `maxRows`, 422 `<ns>:errors.csv_columns` when it is empty, has a column not in `columns` or
 * lacks one of `required`.
 */
export function readCsvRows(text: string, { ns, maxRows, columns, required }: { ns: string; maxRows: number; columns: string[]; required: string[] }): Record<string, string>[] {
  let rows: Record<string, string>[];
  try {
    // One record past the cap is enough to know the file is too large (parsing stops there).
    rows = parseCsv(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: false, relax_column_count: false, to: maxRows + 1 });
  } catch {
    throw new ValidationError([{ field: 'file', key: `${ns}:errors.csv_unreadable` }], 422);
  }
  if (rows.length > maxRows) throw new TooManyRowsError(ns, maxRows);
  const header = rows.length ? Object.keys(rows[0]) : [];
  const unknown = header.filter((h) => !columns.includes(h));
  if (!rows.length || unknown.length || required.some((k) => !header.includes(k))) throw new ValidationError([{ field: 'file', key: `${ns}:errors.csv_columns` }], 422);
  return rows;
}

class RollbackSignal extends Error {}

/**
 * Writes the rows in one transaction, rolled back when any row of the file failed (so the report
 * lists every bad row); when all pass, `record` (the run and its audit entry) lands in the same
 * transaction. When any failed, the report turns `rejected` (no counts, errors by row) and `record`
 * runs on its own.
 */
export async function writeAllOrNothing(db: Db, report: ImportReport, write: (trx: Knex.Transaction) => Promise<void>, record: (q: Db) => Promise<void>): Promise<void> {
  await db
    .transaction(async (trx) => {
      await write(trx);
      if (report.errors.length) throw new RollbackSignal();
      await record(trx);
    })
    .catch((e: unknown) => {
      if (!(e instanceof RollbackSignal)) throw e;
    });
  if (report.errors.length) {
    report.errors.sort((a, b) => a.row - b.row);
    Object.assign(report, { status: 'rejected', created: 0, updated: 0, unchanged: 0 });
    await record(db);
  }
}

/**
 * Records one run: its row in `table` (rate limit, recent imports; `columns` adds the import's
 * own) and its audit entry (digest of the file, counts, municipality written).
 */
export async function recordImportRun(
  q: Db,
  audit: AuditService,
  run: {
    table: string;
    auditKind: ImportAuditSummary['kind'];
    actor: Actor;
    ubigeo: string;
    kind: string;
    fileName: string;
    text: string;
    rows: number;
    report: ImportReport;
    at: string;
    columns?: Record<string, unknown>;
  },
): Promise<void> {
  const { actor, ubigeo, report, rows } = run;
  await q(run.table).insert({ user_id: actor.userId, ubigeo, kind: run.kind, status: report.status, rows, ...run.columns, created_at: run.at });
  const wrote = report.created + report.updated > 0;
  await audit.recordImport(q, actor, {
    kind: run.auditKind,
    file: run.fileName.slice(0, 255),
    sha256: crypto.createHash('sha256').update(run.text, 'utf8').digest('hex'),
    status: report.status === 'rejected' ? 'rejected' : wrote ? 'imported' : 'unchanged',
    counts: { read: rows, inserted: report.created, updated: report.updated, unchanged: report.unchanged, rejected: new Set(report.errors.map((e) => e.row)).size },
    municipalities: wrote ? [ubigeo] : [],
    municipality: ubigeo,
  });
}
