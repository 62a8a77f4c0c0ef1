import type { Db } from '../../db';
import type { JobContext, JobHandler } from '../../lib/background';
import { importMefGasto } from './mef-gasto.importer';
import type { MefGastoReport } from './mef-gasto.importer';

/** The queued import of a whole MEF file by path (`npm run import -- mef-gasto <file> --queue`). */
export const MEF_GASTO_FILE_JOB = 'mef_gasto_file';

/** Progress is sent to the queue at most this often. */
const PROGRESS_EVERY_MS = 500;

/** What the job returns (kept by the queue with the job; the command that queued it prints it). */
export type MefGastoJobResult = Pick<
  MefGastoReport,
  'status' | 'file' | 'encoding' | 'rows' | 'kept' | 'skipped' | 'facts' | 'municipalities' | 'years' | 'errors' | 'errorCount' | 'alreadyImported' | 'seconds' | 'synthetic'
>;

/**
 * A national MEF gasto file imported by a job worker, as the command line would (actor `cli`,
 * code names overwritten, audited, all or nothing): the file is read from `data.file`, a path the
 * worker can read (same host or shared storage). After an import the scores are recomputed and
 * every instance's response cache emptied (`onImported`). A rejected file is a result, not a
 * failure (no retry); only an error (database, I/O) is retried.
 */
export function mefGastoFileJob({ db, onImported }: { db: Db; onImported: () => Promise<void> }): JobHandler {
  return async (data: Record<string, unknown>, ctx: JobContext): Promise<MefGastoJobResult> => {
    const file = String(data.file ?? '');
    if (!file.startsWith('/')) throw new Error('mef_gasto_file expects an absolute path');
    let last = 0;
    const report = await importMefGasto(db, file, {
      allowSynthetic: data.allowSynthetic === true,
      onProgress: ({ rows, bytes, totalBytes }) => {
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        void ctx.progress({ rows, bytes, totalBytes }).catch(() => undefined); // best effort
      },
    });
    if (report.status === 'imported') await onImported();
    const { status, encoding, rows, kept, skipped, facts, municipalities, years, errors, errorCount, alreadyImported, seconds, synthetic } = report;
    return { status, file: report.file, encoding, rows, kept, skipped, facts, municipalities, years, errors: errors.slice(0, 50), errorCount, alreadyImported, seconds, synthetic };
  };
}
