import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db';
import type { Lang } from '../../i18n';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { createImportGuard } from './participation.import-guard';
import type { Actor, AuditService } from '../audit';
import { BreakdownService, importMefGasto } from '../spending';
import type { MefGastoProgress, MefGastoReport } from '../spending';
import { CuiYear, moneyGap } from './participation.money';

export interface CuiMoney {
  years: Array<CuiYear & { source: string; synthetic: boolean; cut_off: string | null; partial: boolean | null }>;
  devengado: number;
  financialPct: number | null;
  gap: ReturnType<typeof moneyGap>['gap'];
}

/** PIM and devengado of an item's CUI, year by year, from the imported MEF detail (null without CUI or data). */
export async function cuiMoney(breakdown: BreakdownService, item: { ubigeo: string; cui: string | null; total_cost: number; progress_pct: number }, lang: Lang): Promise<CuiMoney | null> {
  if (!item.cui) return null;
  const cui = item.cui.replace(/^0+/, '');
  const ref = { level: 'municipality' as const, area: item.ubigeo };
  const years = await breakdown.years(ref);
  const out: CuiMoney['years'] = [];
  for (const year of years) {
    try {
      const b = await breakdown.breakdown(ref, Number(year), 'project', lang);
      // MEF pads product/project codes with zeros (20 digits); a CUI is the number itself.
      const row = b.rows.find((r) => r.type === 'project' && r.code.replace(/^0+/, '') === cui);
      if (row) out.push({ year: Number(year), pim: row.pim, devengado: row.devengado, source: b.source, synthetic: b.synthetic, cut_off: b.cut_off, partial: b.partial });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  if (!years.length) return null;
  out.sort((a, b) => a.year - b.year);
  return { years: out, ...moneyGap(out, item.total_cost, item.progress_pct) };
}

const LOCK_STALE_MS = 30 * 60_000;
const lockKey = (ubigeo: string) => `mef:${ubigeo}`;

export interface MefUploadReport {
  status: MefGastoReport['status'];
  rows: number;
  errors: MefGastoReport['errors'];
  errorCount: number;
  years: MefGastoReport['years'];
  synthetic: boolean;
  alreadyImported: boolean;
  municipalities: number;
}

/**
 * Web upload of MEF detailed spending files by officials (their municipality) and admins: the
 * importer refuses the whole file when any municipal row names another municipality (SEC_EJEC or
 * a ubigeo column), officials only add code names that are missing (admins may overwrite them),
 * one import per municipality at a time (409), the per-user hourly limit shared with CSV imports
 * (429). The importer itself is all-or-nothing, audits the run and recognises a file imported before.
 */
export function createMefUpload({
  db,
  audit,
  dir,
  clock = Date.now,
  perHour,
  allowSynthetic = false,
}: {
  db: Db;
  audit: AuditService;
  dir: string;
  clock?: () => number;
  perHour: number;
  allowSynthetic?: boolean;
}) {
  const { checkRate, acquire, release } = createImportGuard({ db, clock, perHour, staleMs: LOCK_STALE_MS });

  /** Before an upload is queued: the hourly limit, a known municipality, a text file, and the municipality's lock (the job releases it). */
  async function admit(actor: Actor, ubigeo: string, buffer: Buffer): Promise<void> {
    await checkRate(actor.userId);
    const muni = await db('municipalities').select('ubigeo').where({ ubigeo }).first();
    if (!muni) throw new NotFoundError();
    if (buffer.includes(0)) throw new ValidationError([{ field: 'file', key: 'participation:errors.csv_unreadable' }], 422);
    await acquire(lockKey(ubigeo));
  }

  /** Imports an admitted file (the caller releases the lock); the participation_imports id of the run. */
  async function run(actor: Actor, ubigeo: string, buffer: Buffer, onProgress?: (p: MefGastoProgress) => void): Promise<{ id: number; report: MefUploadReport }> {
    const tmpDir = path.join(dir, 'imports');
    const file = path.join(tmpDir, `${crypto.randomBytes(16).toString('hex')}.csv`);
    try {
      await fs.promises.mkdir(tmpDir, { recursive: true });
      await fs.promises.writeFile(file, buffer, { flag: 'wx' });
      const r = await importMefGasto(db, file, {
        allowSynthetic,
        workers: 1,
        maxErrors: 50,
        restrictToUbigeo: ubigeo,
        names: actor.role === 'admin' ? 'overwrite' : 'insert_missing',
        actor,
        audit,
        onProgress,
      });
      const report: MefUploadReport = {
        status: r.status,
        rows: r.rows,
        errors: r.errors,
        errorCount: r.errorCount,
        years: r.years,
        synthetic: r.synthetic,
        alreadyImported: r.alreadyImported,
        municipalities: r.municipalities,
      };
      const [id] = await db('participation_imports').insert({
        user_id: actor.userId,
        ubigeo,
        kind: 'mef_gasto',
        status: report.status === 'rejected' ? 'rejected' : 'done',
        rows: report.rows,
        report_json: JSON.stringify(report).slice(0, 60_000),
        created_at: new Date(clock()).toISOString(),
      });
      return { id: Number(id), report };
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }

  async function status(ubigeo: string, id: number) {
    const row = await db('participation_imports').select('id', 'ubigeo', 'kind', 'status', 'rows', 'report_json', 'created_at').where({ id, ubigeo }).first();
    if (!row) throw new NotFoundError();
    return { ...row, report: JSON.parse(String(row.report_json ?? '{}')) };
  }

  return { admit, run, status, release: (ubigeo: string, q?: Db) => release(lockKey(ubigeo), q) };
}

export type MefUpload = ReturnType<typeof createMefUpload>;
