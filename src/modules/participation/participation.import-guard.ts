import type { Db } from '../../db';
import { isUniqueViolation } from '../../db';
import { TooManyRequestsError } from '../../lib/errors';
import { ConflictError } from './participation.service';

/**
 * What every web import of a municipality's data shares (participation CSVs and MEF files):
 * `perHour` imports per user (429, counted in the database, so exact across instances) and one
 * import per municipality at a time (a lock row; a second one gets 409; a lock older than
 * `staleMs` is taken over, in case a process died holding it). `runsTable` is where the caller
 * records its runs (`participation_imports`, `results_imports`): it needs user_id and created_at.
 */
export function createImportGuard({ db, clock, perHour, staleMs, runsTable = 'participation_imports' }: { db: Db; clock: () => number; perHour: number; staleMs: number; runsTable?: string }) {
  return {
    async checkRate(userId: number | null): Promise<void> {
      if (userId == null) return;
      const since = new Date(clock() - 3_600_000).toISOString();
      const [{ n }] = await db(runsTable).where('user_id', userId).where('created_at', '>', since).count({ n: '*' });
      if (Number(n) >= perHour) throw new TooManyRequestsError('participation:errors.import_rate', 3600);
    },
    async acquire(key: string): Promise<void> {
      await db('import_locks')
        .where('lock_key', key)
        .where('acquired_at', '<', new Date(clock() - staleMs).toISOString())
        .delete();
      try {
        await db('import_locks').insert({ lock_key: key, acquired_at: new Date(clock()).toISOString() });
      } catch (e) {
        if (isUniqueViolation(e)) throw new ConflictError();
        throw e;
      }
    },
    /** `q`: a transaction, when the release must land with another write (a job's result). */
    async release(key: string, q: Db = db): Promise<void> {
      await q('import_locks').where('lock_key', key).delete();
    },
  };
}
