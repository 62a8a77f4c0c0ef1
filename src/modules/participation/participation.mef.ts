import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { Db } from '../../db';
import type { Lang } from '../../i18n';
import { NotFoundError, TooManyRequestsError, ValidationError } from '../../lib/errors';
import type { Actor } from '../audit';
import { BreakdownService, importMefGasto, MefGastoReport } from '../spending';
import { CuiYear, moneyGap } from './participation.money';
import { ConflictError } from './participation.service';

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

/**
 * Web upload of MEF detailed spending files by officials (their municipality) and admins:
 * every municipal row must belong to the municipality (by SEC_EJEC), one import per
 * municipality at a time (409), the per-user hourly limit shared with CSV imports (429).
 * The importer itself is all-or-nothing and recognises a file imported before.
 */
export function createMefUpload({ db, dir, clock = Date.now, perHour, allowSynthetic = false }: { db: Db; dir: string; clock?: () => number; perHour: number; allowSynthetic?: boolean }) {
  async function prescan(file: string, secEjec: string | null): Promise<Array<{ row: number; column: string; value: string; key: string }>> {
    const errors: Array<{ row: number; column: string; value: string; key: string }> = [];
    const parser = fs.createReadStream(file).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
    let header: string[] | null = null;
    let row = 0;
    for await (const rec of parser as AsyncIterable<string[]>) {
      row++;
      if (!header) {
        header = rec.map((h) => h.trim().toUpperCase());
        continue;
      }
      const level = rec[header.indexOf('NIVEL_GOBIERNO')]?.trim();
      if (level && level !== 'M') continue;
      const sec = (rec[header.indexOf('SEC_EJEC')] ?? '').trim();
      if (header.includes('SEC_EJEC') && (!secEjec || String(Number(sec)) !== String(Number(secEjec)))) {
        errors.push({ row, column: 'SEC_EJEC', value: sec.slice(0, 20), key: 'participation:errors.mef_other_municipality' });
        if (errors.length >= 20) break;
      }
    }
    return errors;
  }

  async function run(actor: Actor, ubigeo: string, buffer: Buffer): Promise<number> {
    if (actor.userId != null) {
      const since = new Date(clock() - 3_600_000).toISOString();
      const [{ n }] = await db('participation_imports').where('user_id', actor.userId).where('created_at', '>', since).count({ n: '*' });
      if (Number(n) >= perHour) throw new TooManyRequestsError('participation:errors.import_rate', 3600);
    }
    const muni = await db('municipalities').select('sec_ejec').where({ ubigeo }).first();
    if (!muni) throw new NotFoundError();
    if (buffer.includes(0)) throw new ValidationError([{ field: 'file', key: 'participation:errors.csv_unreadable' }], 422);
    const key = `mef:${ubigeo}`;
    await db('import_locks').where('lock_key', key).where('acquired_at', '<', new Date(clock() - LOCK_STALE_MS).toISOString()).delete();
    try {
      await db('import_locks').insert({ lock_key: key, acquired_at: new Date(clock()).toISOString() });
    } catch {
      throw new ConflictError();
    }
    const tmpDir = path.join(dir, 'imports');
    const file = path.join(tmpDir, `${crypto.randomBytes(16).toString('hex')}.csv`);
    try {
      await fs.promises.mkdir(tmpDir, { recursive: true });
      await fs.promises.writeFile(file, buffer, { flag: 'wx' });
      const foreign = await prescan(file, muni.sec_ejec as string | null);
      let report: Pick<MefGastoReport, 'status' | 'rows' | 'errors' | 'errorCount' | 'years' | 'synthetic' | 'alreadyImported'> & { municipalities?: number };
      if (foreign.length) report = { status: 'rejected', rows: 0, errors: foreign.map((e) => ({ ...e })) as never, errorCount: foreign.length, years: [], synthetic: false, alreadyImported: false };
      else {
        const r = await importMefGasto(db, file, { allowSynthetic, workers: 1 });
        report = { status: r.status, rows: r.rows, errors: r.errors, errorCount: r.errorCount, years: r.years, synthetic: r.synthetic, alreadyImported: r.alreadyImported, municipalities: r.municipalities };
      }
      const [id] = await db('participation_imports').insert({ user_id: actor.userId, ubigeo, kind: 'mef_gasto', status: report.status === 'rejected' ? 'rejected' : 'done', rows: report.rows, report_json: JSON.stringify(report).slice(0, 60_000), created_at: new Date(clock()).toISOString() });
      return Number(id);
    } finally {
      await fs.promises.rm(file, { force: true });
      await db('import_locks').where('lock_key', key).delete();
    }
  }

  async function status(ubigeo: string, id: number) {
    const row = await db('participation_imports').select('id', 'ubigeo', 'kind', 'status', 'rows', 'report_json', 'created_at').where({ id, ubigeo }).first();
    if (!row) throw new NotFoundError();
    return { ...row, report: JSON.parse(String(row.report_json ?? '{}')) };
  }

  return { run, status };
}

export type MefUpload = ReturnType<typeof createMefUpload>;
