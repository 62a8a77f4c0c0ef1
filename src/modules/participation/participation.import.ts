import { parse as parseCsv } from 'csv-parse/sync';
import type { Db } from '../../db';
import { TooManyRequestsError, ValidationError } from '../../lib/errors';
import type { Actor } from '../audit';
import { CommitmentForm, ItemForm } from './participation.schemas';
import { ConflictError, ParticipationService } from './participation.service';
import * as q from './participation.queries';

/** The CSV export columns; the bulk upload takes the same file back. */
export const ITEM_CSV_COLUMNS = ['id', 'ubigeo', 'municipality', 'department', 'year', 'priority', 'title_es', 'title_en', 'description_es', 'description_en', 'cui', 'total_cost', 'pia_amount', 'funding_source', 'beneficiaries', 'latitude', 'longitude', 'district_ubigeo', 'start_date', 'planned_end', 'status', 'progress_pct', 'finished_on', 'overdue', 'is_example'];
export const COMMITMENT_CSV_COLUMNS = ['id', 'ubigeo', 'municipality', 'department', 'hearing_id', 'text_es', 'text_en', 'responsible_office', 'due_on', 'status', 'fulfilled_on', 'overdue', 'is_example'];
/** Columns the export computes; the upload ignores them. */
const COMPUTED = new Set(['municipality', 'department', 'overdue', 'is_example']);

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

/** Undoes the export's formula neutralisation (a leading ' before = + - @). */
const unneutralise = (v: string) => (/^'[=+\-@]/.test(v) ? v.slice(1) : v);

const LOCK_STALE_MS = 10 * 60_000;

/**
 * Bulk create/update of a municipality's items or commitments from a CSV: all or nothing, a
 * row-level report, one import per municipality at a time (409), `perHour` imports per user (429).
 */
export function createBulkImport({ db, service, clock = Date.now, perHour = 10 }: { db: Db; service: ParticipationService; clock?: () => number; perHour?: number }) {
  async function acquire(key: string): Promise<void> {
    await db('import_locks').where('lock_key', key).where('acquired_at', '<', new Date(clock() - LOCK_STALE_MS).toISOString()).delete();
    try {
      await db('import_locks').insert({ lock_key: key, acquired_at: new Date(clock()).toISOString() });
    } catch {
      throw new ConflictError();
    }
  }
  const release = (key: string) => db('import_locks').where('lock_key', key).delete();

  async function checkRate(userId: number | null) {
    if (userId == null) return;
    const since = new Date(clock() - 3_600_000).toISOString();
    const [{ n }] = await db('participation_imports').where('user_id', userId).where('created_at', '>', since).count({ n: '*' });
    if (Number(n) >= perHour) throw new TooManyRequestsError('participation:errors.import_rate', 3600);
  }

  function readRows(text: string, columns: string[]): Record<string, string>[] {
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: false, relax_column_count: false });
    } catch {
      throw new ValidationError([{ field: 'file', key: 'participation:errors.csv_unreadable' }], 422);
    }
    const header = rows.length ? Object.keys(rows[0]) : [];
    const unknown = header.filter((h) => !columns.includes(h));
    if (!rows.length || unknown.length || !header.includes(columns === ITEM_CSV_COLUMNS ? 'title_es' : 'text_es')) throw new ValidationError([{ field: 'file', key: 'participation:errors.csv_columns' }], 422);
    return rows;
  }

  async function run(actor: Actor, ubigeo: string, kind: 'items' | 'commitments', text: string): Promise<ImportReport> {
    await checkRate(actor.userId);
    const columns = kind === 'items' ? ITEM_CSV_COLUMNS : COMMITMENT_CSV_COLUMNS;
    const rows = readRows(text, columns);
    const key = `participation:${ubigeo}`;
    await acquire(key);
    const report: ImportReport = { status: 'done', created: 0, updated: 0, unchanged: 0, errors: [] };
    try {
      await db
        .transaction(async (trx) => {
          for (const [i, raw] of rows.entries()) {
            const rowNo = i + 2; // the header is row 1
            const cells = Object.fromEntries(Object.entries(raw).filter(([k]) => !COMPUTED.has(k)).map(([k, v]) => [k, unneutralise(String(v ?? ''))]));
            const err = (column: string, reason: string) => report.errors.push({ row: rowNo, column, value: String(cells[column] ?? '').slice(0, 100), reason });
            if (cells.ubigeo && cells.ubigeo !== ubigeo) {
              err('ubigeo', 'participation:errors.csv_other_municipality');
              continue;
            }
            const id = cells.id ? Number(cells.id) : null;
            if (cells.id && !(Number.isInteger(id) && id! > 0)) {
              err('id', 'participation:errors.csv_id');
              continue;
            }
            const schema = kind === 'items' ? ItemForm : CommitmentForm;
            const parsed = schema.safeParse(cells);
            if (!parsed.success) {
              for (const issue of parsed.error.issues) err(String(issue.path[0] ?? '_'), issue.message.includes(':') ? issue.message : 'errors:validation.invalid');
              continue;
            }
            try {
              if (kind === 'items') {
                const input = parsed.data as import('./participation.schemas').ItemInput;
                const existing = id ? await q.findItem(trx, id, service.today()) : await trx('pb_items').where({ ubigeo, year: input.year, priority: input.priority }).first().then((r) => (r ? q.findItem(trx, Number(r.id), service.today()) : null));
                if (id && (!existing || existing.ubigeo !== ubigeo)) {
                  err('id', 'participation:errors.csv_id');
                  continue;
                }
                if (existing) (await service.changeItem(trx, actor, ubigeo, existing, input)) ? report.updated++ : report.unchanged++;
                else {
                  await service.insertItem(trx, actor, ubigeo, input);
                  report.created++;
                }
              } else {
                const input = parsed.data as import('./participation.schemas').CommitmentInput;
                const hearingId = Number(cells.hearing_id);
                const existing = id ? await q.findCommitment(trx, id, service.today()) : await trx('commitments').where({ ubigeo, hearing_id: hearingId || 0, text_es: input.text_es }).first().then((r) => (r ? q.findCommitment(trx, Number(r.id), service.today()) : null));
                if (id && (!existing || existing.ubigeo !== ubigeo)) {
                  err('id', 'participation:errors.csv_id');
                  continue;
                }
                if (existing) (await service.changeCommitment(trx, actor, ubigeo, existing, input)) ? report.updated++ : report.unchanged++;
                else {
                  if (!Number.isInteger(hearingId) || hearingId <= 0) {
                    err('hearing_id', 'participation:errors.csv_hearing');
                    continue;
                  }
                  const h = await q.findHearing(trx, hearingId);
                  if (!h || h.ubigeo !== ubigeo) {
                    err('hearing_id', 'participation:errors.csv_hearing');
                    continue;
                  }
                  await service.insertCommitment(trx, actor, ubigeo, hearingId, input);
                  report.created++;
                }
              }
            } catch (e) {
              if (e instanceof ValidationError) for (const is of e.issues) err(is.field, is.key);
              else throw e;
            }
          }
          if (report.errors.length) throw new RollbackSignal();
        })
        .catch((e: unknown) => {
          if (!(e instanceof RollbackSignal)) throw e;
        });
      if (report.errors.length) Object.assign(report, { status: 'rejected', created: 0, updated: 0, unchanged: 0 });
      await db('participation_imports').insert({ user_id: actor.userId, ubigeo, kind, status: report.status, rows: rows.length, report_json: JSON.stringify(report).slice(0, 60_000), created_at: new Date(clock()).toISOString() });
      return report;
    } finally {
      await release(key);
    }
  }

  async function recent(ubigeo: string) {
    return db('participation_imports').select('id', 'kind', 'status', 'rows', 'created_at').where('ubigeo', ubigeo).orderBy('id', 'desc').limit(10);
  }

  return { run, recent };
}

class RollbackSignal extends Error {}

export type BulkImport = ReturnType<typeof createBulkImport>;
