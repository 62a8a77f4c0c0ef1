import type { Db } from '../../db';
import { AppError, NotFoundError } from '../../lib/errors';
import type { BackgroundJobs, JobContext } from '../../lib/background';
import { Actor, actorOf } from '../audit';
import type { BulkImport } from './participation.import';
import type { MefUpload } from './participation.mef';

export type ImportKind = 'items' | 'commitments' | 'mef_gasto';
export const IMPORT_JOB = 'import';
const FINAL = new Set(['done', 'rejected', 'unchanged', 'failed']);
/** Progress is written to the job's row at most this often. */
const PROGRESS_EVERY_MS = 500;

export interface ImportJobRow {
  id: number;
  kind: ImportKind;
  ubigeo: string;
  user_id: number | null;
  file_name: string;
  status: 'queued' | 'running' | 'done' | 'rejected' | 'unchanged' | 'failed';
  attempts: number;
  rows_total: number | null;
  rows_read: number;
  total_bytes: number;
  bytes_read: number;
  errors_so_far: number;
  result_json: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string | null;
  finished_at: string | null;
}

const COLUMNS = [
  'id',
  'kind',
  'ubigeo',
  'user_id',
  'file_name',
  'status',
  'attempts',
  'rows_total',
  'rows_read',
  'total_bytes',
  'bytes_read',
  'errors_so_far',
  'result_json',
  'created_at',
  'started_at',
  'updated_at',
  'finished_at',
];

/**
 * Web uploads go through the job queue: `submit` admits the file (hourly limit, readable, the
 * municipality's lock), keeps it in `import_jobs` (any worker, on any machine, reads it from the
 * database) and queues the job; the request answers at once. The job runs the import (all or
 * nothing, audited), writes its progress and result to the row, and releases the lock. A worker
 * that dies mid-import leaves nothing written (the transaction is not committed) and the queue
 * runs the job again; a job that failed every attempt is marked failed and releases the lock.
 */
export function createImportJobs({ db, jobs, bulk, mef, clock, onImported }: { db: Db; jobs: BackgroundJobs; bulk: BulkImport; mef: MefUpload; clock: () => number; onImported: () => void }) {
  const now = () => new Date(clock()).toISOString();

  async function submit(actor: Actor, ubigeo: string, kind: ImportKind, fileName: string, file: Buffer): Promise<number> {
    const rowsTotal = kind === 'mef_gasto' ? (await mef.admit(actor, ubigeo, file), null) : await bulk.admit(actor, ubigeo, kind, file.toString('utf8'));
    let id: number;
    try {
      const [inserted] = await db('import_jobs').insert({
        kind,
        ubigeo,
        user_id: actor.userId,
        file_name: fileName.slice(0, 255),
        payload: file,
        status: 'queued',
        rows_total: rowsTotal,
        total_bytes: file.length,
        created_at: now(),
      });
      id = Number(inserted);
      await jobs.enqueue(IMPORT_JOB, { id });
    } catch (e) {
      await release(kind, ubigeo);
      throw e;
    }
    return id;
  }

  const release = (kind: ImportKind, ubigeo: string, q?: Db) => (kind === 'mef_gasto' ? mef.release(ubigeo, q) : bulk.release(ubigeo, q));

  /** The job's result and the end of its municipality's lock, together: whoever sees the result finished can upload again. */
  async function finish(row: { id: number; kind: ImportKind; ubigeo: string }, status: ImportJobRow['status'], result: unknown) {
    await db.transaction(async (trx) => {
      await trx('import_jobs')
        .where({ id: row.id })
        .update({ status, result_json: JSON.stringify(result).slice(0, 60_000), payload: null, finished_at: now(), updated_at: now() });
      await release(row.kind, row.ubigeo, trx);
    });
  }

  /** The queued job: runs the import of row `id` (again, after a worker died: nothing of the first run was kept). */
  async function handle(data: Record<string, unknown>, ctx: JobContext): Promise<unknown> {
    const id = Number(data.id);
    const row = await db('import_jobs').select('id', 'kind', 'ubigeo', 'user_id', 'file_name', 'payload', 'status', 'attempts').where({ id }).first();
    if (!row || FINAL.has(row.status)) return null; // already finished (a retry after the result was written)
    const user = row.user_id == null ? null : await db('users').select('id', 'email', 'role', 'municipality_ubigeo').where({ id: row.user_id }).first();
    const actor: Actor = user ? actorOf(user) : { userId: null, email: 'deleted', role: 'official', municipality: row.ubigeo };
    const started = now();
    await db('import_jobs')
      .where({ id })
      .update({ status: 'running', attempts: Number(row.attempts) + 1, started_at: started, updated_at: started, rows_read: 0, bytes_read: 0, errors_so_far: 0 });
    let last = 0;
    const progress = (p: { rows_read: number; bytes_read?: number; errors_so_far?: number }) => {
      if (Date.now() - last < PROGRESS_EVERY_MS) return;
      last = Date.now();
      void db('import_jobs')
        .where({ id, status: 'running' })
        .update({ ...p, updated_at: now() })
        .catch(() => undefined); // progress is best effort; the result is not
      void ctx.progress({ rows: p.rows_read }).catch(() => undefined);
    };
    const buffer: Buffer = Buffer.isBuffer(row.payload) ? row.payload : Buffer.from(row.payload ?? '');
    try {
      if (row.kind === 'mef_gasto') {
        const { id: runId, report } = await mef.run(actor, row.ubigeo, buffer, (p) => progress({ rows_read: p.rows, bytes_read: p.bytes }));
        await finish(row, report.status === 'rejected' ? 'rejected' : report.status === 'unchanged' ? 'unchanged' : 'done', { ...report, runId });
      } else {
        const report = await bulk.run(actor, row.ubigeo, row.kind, buffer.toString('utf8'), row.file_name, {
          admitted: true,
          onProgress: (rows, errors) => progress({ rows_read: rows, errors_so_far: errors }),
        });
        const wrote = report.created + report.updated > 0;
        await finish(row, report.status === 'rejected' ? 'rejected' : wrote ? 'done' : 'unchanged', report);
      }
      onImported();
    } catch (e) {
      // A refusal (a bad file, a rule) is a result; anything else is retried, then marked failed.
      if (e instanceof AppError && e.status < 500) await finish(row, 'rejected', { status: 'rejected', refusal: { key: e.key, params: e.params } });
      else {
        if (ctx.last) await finish(row, 'failed', { status: 'failed' });
        throw e;
      }
    }
    return { id };
  }

  /** The job page's row, for its municipality only. */
  async function find(ubigeo: string, id: number): Promise<ImportJobRow & { result: Record<string, unknown> | null }> {
    const row = (await db('import_jobs').select(COLUMNS).where({ id, ubigeo }).first()) as ImportJobRow | undefined;
    if (!row) throw new NotFoundError();
    return { ...row, id: Number(row.id), result: row.result_json ? JSON.parse(row.result_json) : null };
  }

  /** The municipality's latest uploads, for links to their job pages. */
  async function recent(ubigeo: string): Promise<Array<Pick<ImportJobRow, 'id' | 'kind' | 'file_name' | 'status' | 'created_at'>>> {
    return db('import_jobs').select('id', 'kind', 'file_name', 'status', 'created_at').where({ ubigeo }).orderBy('id', 'desc').limit(10);
  }

  return { submit, handle, find, recent, isFinal: (status: string) => FINAL.has(status) };
}

export type ImportJobs = ReturnType<typeof createImportJobs>;
