import type { Knex } from 'knex';
import type { Db } from '../../db';
import { ValidationError } from '../../lib/errors';
import { createImportGuard } from './participation.import-guard';
import { emptyReport, readCsvRows, recordImportRun, unneutralise, withImportDefaults, writeAllOrNothing } from './participation.import-run';
import type { BulkImportDeps, ImportReport, RowError } from './participation.import-run';
import type { Actor } from '../audit';
import { CommitmentForm, CommitmentInput, ItemForm, ItemInput } from './participation.schemas';
import type { ParticipationService } from './participation.service';
import * as q from './participation.queries';

/** The CSV export columns; the bulk upload takes the same file back. */
export const ITEM_CSV_COLUMNS = ['id', 'ubigeo', 'municipality', 'department', ...Object.keys(ItemForm.shape), 'overdue', 'is_example'];
export const COMMITMENT_CSV_COLUMNS = [
  'id',
  'ubigeo',
  'municipality',
  'department',
  'hearing_id',
  'text_es',
  'text_en',
  'responsible_office',
  'due_on',
  'status',
  'fulfilled_on',
  'overdue',
  'is_example',
];
/** Columns the export computes; the upload ignores them. */
/** Columns the export adds from the public record (baselines, withdrawal); the upload ignores them too. */
export const ITEM_RECORD_COLUMNS = ['baseline_planned_end', 'baseline_total_cost', 'withdrawn_at', 'withdrawn_reason'];
export const COMMITMENT_RECORD_COLUMNS = ['baseline_due_on'];
const COMPUTED = new Set(['municipality', 'department', 'overdue', 'is_example', ...ITEM_RECORD_COLUMNS, ...COMMITMENT_RECORD_COLUMNS]);
/** Optional column: the public reason of the row's change (required when it moves a published date or amount, or goes back). */
const REASON_COLUMN = 'change_reason';

export type { ImportReport, RowError } from './participation.import-run';

const LOCK_STALE_MS = 10 * 60_000;
/**
 * Validation and writing go in batches of at most SLICE_MS of work; between two batches the
 * event loop takes a turn (setImmediate), so other requests are served while a large file is
 * imported. Time-sliced rather than a fixed row count: a row's cost varies by database and kind.
 */
const SLICE_MS = 40;
function createSlicer() {
  let since = Date.now();
  /** True when it took a turn (a moment to report progress). */
  return async (): Promise<boolean> => {
    if (Date.now() - since < SLICE_MS) return false;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = Date.now();
    return true;
  };
}

type Kind = 'items' | 'commitments';
/** Rows validated so far and row errors found so far. */
type Progress = (rows: number, errors: number) => void;
const lockKey = (ubigeo: string) => `participation:${ubigeo}`;

/** A row that passed validation: what the writer needs. */
interface CheckedRow {
  rowNo: number;
  cells: Record<string, string>;
  id: number | null;
  hearingId: number;
  input: ItemInput | CommitmentInput;
}

/** Header map: the CSV's records by column name; refuses unknown columns, a missing key column and more than `maxRows` rows. */
function readRows(text: string, kind: Kind, maxRows: number): Record<string, string>[] {
  const columns = [...(kind === 'items' ? [...ITEM_CSV_COLUMNS, ...ITEM_RECORD_COLUMNS] : [...COMMITMENT_CSV_COLUMNS, ...COMMITMENT_RECORD_COLUMNS]), REASON_COLUMN];
  return readCsvRows(text, { ns: 'participation', maxRows, columns, required: [kind === 'items' ? 'title_es' : 'text_es'] });
}

/** Pure row validator: the row's own cells only (no database); errors name row, column, value and reason. */
export function checkRow(kind: Kind, ubigeo: string, raw: Record<string, string>, rowNo: number): { row: CheckedRow; errors: [] } | { row: null; errors: RowError[] } {
  const cells = Object.fromEntries(
    Object.entries(raw)
      .filter(([k]) => !COMPUTED.has(k))
      .map(([k, v]) => [k, unneutralise(String(v ?? ''))]),
  );
  const err = (column: string, reason: string): RowError => ({ row: rowNo, column, value: String(cells[column] ?? '').slice(0, 100), reason });
  if (cells.ubigeo && cells.ubigeo !== ubigeo) return { row: null, errors: [err('ubigeo', 'participation:errors.csv_other_municipality')] };
  const id = cells.id ? Number(cells.id) : null;
  if (cells.id && !(Number.isInteger(id) && id! > 0)) return { row: null, errors: [err('id', 'participation:errors.csv_id')] };
  const parsed = (kind === 'items' ? ItemForm : CommitmentForm).safeParse(cells);
  if (!parsed.success) return { row: null, errors: parsed.error.issues.map((issue) => err(String(issue.path[0] ?? '_'), issue.message.includes(':') ? issue.message : 'errors:validation.invalid')) };
  return { row: { rowNo, cells, id, hearingId: Number(cells.hearing_id), input: parsed.data }, errors: [] };
}

type Outcome = 'created' | 'updated' | 'unchanged' | RowError[];

/** Writer: creates or updates one validated row inside the import's transaction. */
function createRowWriter(trx: Knex.Transaction, service: ParticipationService, actor: Actor, ubigeo: string) {
  const idError = (r: CheckedRow, column: string, reason: string): RowError[] => [{ row: r.rowNo, column, value: String(r.cells[column] ?? '').slice(0, 100), reason }];

  async function item(r: CheckedRow): Promise<Outcome> {
    const input = r.input as ItemInput;
    const existing = r.id
      ? await q.findItem(trx, r.id, service.today())
      : await trx('pb_items')
          .where({ ubigeo, year: input.year, priority: input.priority })
          .first()
          .then((x) => (x ? q.findItem(trx, Number(x.id), service.today()) : null));
    if (r.id && (!existing || existing.ubigeo !== ubigeo)) return idError(r, 'id', 'participation:errors.csv_id');
    if (existing) return (await service.changeItem(trx, actor, ubigeo, existing, input, r.cells[REASON_COLUMN] || null)) ? 'updated' : 'unchanged';
    await service.insertItem(trx, actor, ubigeo, input);
    return 'created';
  }

  async function commitment(r: CheckedRow): Promise<Outcome> {
    const input = r.input as CommitmentInput;
    const existing = r.id
      ? await q.findCommitment(trx, r.id, service.today())
      : await trx('commitments')
          .where({ ubigeo, hearing_id: r.hearingId || 0, text_es: input.text_es })
          .first()
          .then((x) => (x ? q.findCommitment(trx, Number(x.id), service.today()) : null));
    if (r.id && (!existing || existing.ubigeo !== ubigeo)) return idError(r, 'id', 'participation:errors.csv_id');
    if (existing) return (await service.changeCommitment(trx, actor, ubigeo, existing, input, r.cells[REASON_COLUMN] || null)) ? 'updated' : 'unchanged';
    if (!Number.isInteger(r.hearingId) || r.hearingId <= 0) return idError(r, 'hearing_id', 'participation:errors.csv_hearing');
    const h = await q.findHearing(trx, r.hearingId);
    if (!h || h.ubigeo !== ubigeo) return idError(r, 'hearing_id', 'participation:errors.csv_hearing');
    await service.insertCommitment(trx, actor, ubigeo, r.hearingId, input);
    return 'created';
  }

  return async (kind: Kind, r: CheckedRow): Promise<Outcome> => {
    try {
      return await (kind === 'items' ? item(r) : commitment(r));
    } catch (e) {
      if (e instanceof ValidationError) return e.issues.flatMap((is) => idError(r, is.field, is.key));
      throw e;
    }
  };
}

/**
 * Bulk create/update of a municipality's items or commitments from a CSV: all or nothing, a
 * row-level report, at most `maxRows` rows (413 beyond), one import per municipality at a time
 * (409), `perHour` imports per user (429). Validation and writing go in batches with a turn of
 * the event loop between them, so a large file never freezes the portal. Every run is audited.
 */
export function createBulkImport(deps: BulkImportDeps<ParticipationService>) {
  const { db, service, audit, clock, perHour, maxRows } = withImportDefaults(deps);
  const { checkRate, acquire, release } = createImportGuard({ db, clock, perHour, staleMs: LOCK_STALE_MS });

  /** Validates every row (in batches); the rows that pass go to the writer, whose errors join the same report. */
  async function validate(kind: Kind, ubigeo: string, rows: Record<string, string>[], report: ImportReport, onProgress?: Progress): Promise<CheckedRow[]> {
    const checked: CheckedRow[] = [];
    const slice = createSlicer();
    for (let i = 0; i < rows.length; i++) {
      if (await slice()) onProgress?.(i, report.errors.length);
      const r = checkRow(kind, ubigeo, rows[i], i + 2); // the header is row 1
      if (r.row) checked.push(r.row);
      else report.errors.push(...r.errors);
    }
    return checked;
  }

  /** Writes the valid rows (in batches) in the import's transaction; a row's errors join the report. */
  async function write(trx: Knex.Transaction, actor: Actor, ubigeo: string, kind: Kind, rows: CheckedRow[], report: ImportReport): Promise<void> {
    const writeRow = createRowWriter(trx, service, actor, ubigeo);
    const slice = createSlicer();
    for (let i = 0; i < rows.length; i++) {
      await slice();
      const outcome = await writeRow(kind, rows[i]);
      if (Array.isArray(outcome)) report.errors.push(...outcome);
      else report[outcome]++;
    }
  }

  /**
   * Before a web upload is queued: the user's hourly limit, a readable file with known columns
   * and at most `maxRows` rows, and the municipality's lock, which the queued job releases. The row count.
   */
  async function admit(actor: Actor, ubigeo: string, kind: Kind, text: string): Promise<number> {
    await checkRate(actor.userId);
    const rows = readRows(text, kind, maxRows).length;
    await acquire(lockKey(ubigeo));
    return rows;
  }

  /**
   * Imports the file. `admitted`: `admit` ran (the lock is held for this run, and released at the
   * end by the caller, the job); otherwise the checks and the lock are taken here.
   */
  async function run(
    actor: Actor,
    ubigeo: string,
    kind: Kind,
    text: string,
    fileName = `${kind}.csv`,
    { admitted = false, onProgress }: { admitted?: boolean; onProgress?: Progress } = {},
  ): Promise<ImportReport> {
    if (!admitted) await checkRate(actor.userId);
    const rows = readRows(text, kind, maxRows);
    const key = lockKey(ubigeo);
    if (!admitted) await acquire(key);
    const report = emptyReport();
    const record = (q: Db) =>
      recordImportRun(q, audit, {
        table: 'participation_imports',
        auditKind: kind === 'items' ? 'participation_items' : 'participation_commitments',
        actor,
        ubigeo,
        kind,
        fileName,
        text,
        rows: rows.length,
        report,
        at: new Date(clock()).toISOString(),
        columns: { report_json: JSON.stringify(report).slice(0, 60_000) },
      });
    try {
      const checked = await validate(kind, ubigeo, rows, report, onProgress);
      onProgress?.(rows.length, report.errors.length);
      await writeAllOrNothing(db, report, (trx) => write(trx, actor, ubigeo, kind, checked, report), record);
      return report;
    } finally {
      if (!admitted) await release(key);
    }
  }

  async function recent(ubigeo: string) {
    return db('participation_imports').select('id', 'kind', 'status', 'rows', 'created_at').where('ubigeo', ubigeo).orderBy('id', 'desc').limit(10);
  }

  return { admit, run, recent, release: (ubigeo: string, q?: Db) => release(lockKey(ubigeo), q) };
}

export type BulkImport = ReturnType<typeof createBulkImport>;
