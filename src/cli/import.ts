import { numberFormatters } from '../lib/numbers';
import fs from 'node:fs';
import path from 'node:path';
import type { RowFileReport } from '../lib/import-report';
import { refreshScores } from '../bootstrap';
import { createI18n, Lang } from '../i18n';
import { CLI_ACTOR, createAuditService } from '../modules/audit';
import { createBulkImport, createParticipationService } from '../modules/participation';
import type { BulkImportReport } from '../modules/participation';
import { importIngresos, RevenueImportReport } from '../modules/revenue';
import { importConsultaAmigable, importMefGasto, ImportReport, MEF_GASTO_FILE_JOB, MefGastoJobResult, MefGastoReport } from '../modules/spending';
import { loadConfig } from '../config';
import { createBackgroundJobs } from '../lib/background';
import { createLogger } from '../lib/logger';
import { connectRedis } from '../lib/redis';
import { runCli, usageError, withDatabase } from './run';

const USAGE = `Usage: npm run import -- consulta-amigable <file.csv> [--cut-off YEAR=YYYY-MM-DD ...] [--lang es|en]
       npm run import -- mef-gasto <file.csv> [--lang es|en] [--allow-synthetic] [--queue]
       npm run import -- ingresos <file.csv> [--lang es|en]
       npm run import -- participation <items|commitments> <ubigeo> <file.csv> [--lang es|en]

  consulta-amigable  MEF Consulta Amigable export of municipal execution totals, either the
                     clean CSV (year,ubigeo,pia,pim,…) or the raw export ("01: AMAZONAS",
                     "62,334,134"). All-or-nothing; re-importing the same data changes nothing.
  mef-gasto          MEF datos abiertos "Presupuesto y Ejecución de Gasto" (YYYY-Gasto.csv, 63
                     columns). Keeps municipal rows (NIVEL_GOBIERNO = M); streams files of any
                     size; all-or-nothing; a newer file of a year replaces that year's data for
                     the municipalities it contains; re-importing the same content changes nothing.
  ingresos           MEF revenue collected per municipality and year (year,ubigeo,
                     recaudado_total,recaudado_impuestos_municipales,recaudado_canon; the
                     bundled 2012–2022 file's columns). All-or-nothing; negative rubro cells are
                     kept as published and listed as warnings; re-importing changes nothing.
  participation      a municipality's participatory-budget items or commitments, the columns of
                     the CSV download (as the web upload, without its row limit IMPORT_MAX_ROWS).
  --allow-synthetic  accept a file written by "npm run generate" (demos only; labelled synthetic)
  --queue            (mef-gasto, needs REDIS_URL) queue the import for a job worker ("npm run
                     worker") instead of running it here, and wait for its result; the worker
                     reads the file at the same absolute path (same host or shared storage)
  --cut-off          date of the snapshot for a year that was not complete (e.g. 2025=2025-03-08)
Every import is recorded in the audit log (actor "cli") with the file's SHA-256, row counts and
the municipalities it wrote. Code names (mef-gasto) set here overwrite those of any web upload.
Environment: DATABASE_URL (default: embedded SQLite under data/).`;

interface Args {
  kind: string;
  file: string;
  /** participation: what the file holds and whose it is. */
  entity?: 'items' | 'commitments';
  ubigeo?: string;
  cutOffs: Record<number, string>;
  lang: Lang;
  allowSynthetic: boolean;
  /** mef-gasto: run by a job worker through the Redis queue. */
  queue: boolean;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args | string {
  const rest: string[] = [];
  const cutOffs: Record<number, string> = {};
  let allowSynthetic = false;
  let queue = false;
  let lang: Lang = (env.LANG ?? '').startsWith('en') ? 'en' : 'es';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--cut-off') {
      const m = /^(\d{4})=(\d{4}-\d{2}-\d{2})$/.exec(argv[++i] ?? '');
      if (!m || Number.isNaN(Date.parse(m[2]))) return `--cut-off expects YEAR=YYYY-MM-DD`;
      cutOffs[Number(m[1])] = m[2];
    } else if (a === '--lang') {
      const l = argv[++i];
      if (l !== 'es' && l !== 'en') return '--lang expects es or en';
      lang = l;
    } else if (a === '--allow-synthetic') allowSynthetic = true;
    else if (a === '--queue') queue = true;
    else if (a === '-h' || a === '--help') return '';
    else rest.push(a);
  }
  // npm run changes the working directory to the project; resolve against where the user was.
  const resolve = (file: string) => path.resolve(env.INIT_CWD ?? process.cwd(), file);
  if (rest[0] === 'participation') {
    if (rest.length !== 4) return '';
    const [, entity, ubigeo, file] = rest;
    if (entity !== 'items' && entity !== 'commitments') return 'participation expects items or commitments';
    if (!/^\d{6}$/.test(ubigeo)) return 'participation expects a 6-digit ubigeo';
    if (queue) return '--queue is for mef-gasto';
    return { kind: 'participation', entity, ubigeo, file: resolve(file), cutOffs, lang, allowSynthetic, queue };
  }
  if (rest.length !== 2) return '';
  const [kind, file] = rest;
  if (kind !== 'consulta-amigable' && kind !== 'mef-gasto' && kind !== 'ingresos') return `unknown import kind: ${kind}`;
  if (queue && kind !== 'mef-gasto') return '--queue is for mef-gasto';
  return { kind, file: resolve(file), cutOffs, lang, allowSynthetic, queue };
}

/** One refused row: "row 5, column “X”, value “y”: reason", or "row 40: reason" for an error about the text itself (no column). */
function errorLine(t: (key: string, opts?: Record<string, unknown>) => unknown, row: number, column: string, value: string, reason: string): string {
  return String(column === '' && value === '' ? t('import:cli.error_line_row', { row, reason }) : t('import:cli.error_line', { row, column, value: value.slice(0, 80), reason }));
}

/** The report of a spending import: a summary line (`done`: its key when imported) and, when rejected, the errors. */
function formatSpendingReport(report: ImportReport | MefGastoReport | RevenueImportReport, lang: Lang, summary: Record<string, unknown>, keys: { rejected: string; done: string }): string {
  const t = createI18n().getFixedT(lang, 'import');
  const lines: string[] = [];
  if (report.status === 'rejected') {
    lines.push(String(t(keys.rejected, { ...summary, count: report.errorCount })));
    for (const e of report.errors) {
      lines.push(`  ${errorLine(t, e.row, e.column, e.value, String(t(e.key.replace(/^import:/, ''), e.params as never)))}`);
    }
    if (report.errorCount > report.errors.length) lines.push(`  ${String(t('cli.more_errors', { count: report.errorCount - report.errors.length }))}`);
  } else if (report.status === 'unchanged') {
    lines.push(String(t('alreadyImported' in report && report.alreadyImported ? 'cli.already_imported' : 'cli.unchanged', summary)));
  } else {
    lines.push(String(t(keys.done, summary)));
  }
  return lines.join('\n');
}

/** Warnings: rows kept as published but outside the usual ranges. */
function warningLines(warnings: Array<{ row: number; column: string; value: string; key: string; params?: Record<string, string | number> }>, lang: Lang): string[] {
  const t = createI18n().getFixedT(lang, 'import');
  return warnings.map((w) => `  ${String(t('cli.warning_line', { row: w.row, column: w.column, value: w.value.slice(0, 80), reason: t(w.key.replace(/^import:/, ''), w.params as never) }))}`);
}

/** What the CLI says of any row-file import. */
const rowFileSummary = (r: RowFileReport) => ({ file: r.file, rows: r.rows, inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, years: r.years.join(', '), encoding: r.encoding });

export function formatRevenueReport(report: RevenueImportReport, lang: Lang): string {
  const summary = { ...rowFileSummary(report), warnings: report.warnings.length };
  return [
    formatSpendingReport(report, lang, summary, { rejected: 'cli.ingresos_rejected', done: 'cli.ingresos_imported' }),
    ...(report.status === 'rejected' ? [] : warningLines(report.warnings, lang)),
  ].join('\n');
}

export function formatReport(report: ImportReport, lang: Lang): string {
  const summary = { ...rowFileSummary(report), shape: report.shape };
  return [formatSpendingReport(report, lang, summary, { rejected: 'cli.rejected', done: 'cli.imported' }), ...(report.status === 'rejected' ? [] : warningLines(report.warnings, lang))].join('\n');
}

export function formatMefReport(report: MefGastoReport, lang: Lang): string {
  const summary = {
    file: report.file,
    rows: report.rows,
    kept: report.kept,
    skipped: report.skipped,
    facts: report.facts,
    municipalities: report.municipalities,
    years: report.years.join(', '),
    encoding: report.encoding,
    seconds: report.seconds.toFixed(1),
    rate: Math.round(report.rows / Math.max(report.seconds, 0.001)),
  };
  return formatSpendingReport(report, lang, summary, { rejected: 'cli.mef_rejected', done: 'cli.mef_imported' });
}

export function formatParticipationReport(report: BulkImportReport, lang: Lang): string {
  const t = createI18n().getFixedT(lang);
  if (report.status === 'done') return String(t('participation:manage.import_done', { created: report.created, updated: report.updated, unchanged: report.unchanged }));
  const lines = [String(t('participation:manage.import_rejected'))];
  for (const e of report.errors) lines.push(`  ${errorLine(t, e.row, e.column, e.value, String(t(e.reason)))}`);
  return lines.join('\n');
}

/** "12 345 rows · 48 000 rows/s · ETA 12 s", rewritten in place on a terminal. */
export function progressLine(lang: Lang, rows: number, bytes: number, totalBytes: number, secs: number): string {
  const rate = rows / Math.max(secs, 0.001);
  const frac = totalBytes ? bytes / totalBytes : 0;
  const eta = frac > 0 ? Math.max(0, Math.round(secs / frac - secs)) : null;
  const words = lang === 'es' ? { rows: 'filas', eta: 'faltan' } : { rows: 'rows', eta: 'ETA' };
  return `${numberFormatters(lang).number(rows)} ${words.rows} · ${numberFormatters(lang).number(Math.round(rate))} ${words.rows}/s · ${Math.round(frac * 100)} % · ${words.eta} ${eta === null ? '?' : `${eta} s`}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * `mef-gasto --queue`: the import as a job on the Redis queue, run by a worker; prints the job's
 * id, its progress (on a terminal) and, once the worker is done, the same report as a direct import.
 */
async function queueMefGasto(args: Args, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const es = args.lang === 'es';
  const config = loadConfig(env);
  if (!config.redis) {
    process.stderr.write(es ? '--queue necesita REDIS_URL (la cola de "npm run worker")\n' : '--queue needs REDIS_URL (the queue of "npm run worker")\n');
    return 2;
  }
  const logger = createLogger(env.LOG_LEVEL ?? 'warn');
  const redis = connectRedis(config.redis, logger);
  const jobs = createBackgroundJobs(logger, { redis, ...config.jobs });
  try {
    if (!(await redis.whenReady(5000))) {
      process.stderr.write(`${es ? 'Redis no responde' : 'Redis does not answer'}: ${config.redis.url}\n`);
      return 1;
    }
    const id = await jobs.enqueue(MEF_GASTO_FILE_JOB, { file: args.file, allowSynthetic: args.allowSynthetic });
    process.stdout.write(`${es ? 'en cola: trabajo' : 'queued: job'} ${id}\n`);
    const tty = Boolean(process.stderr.isTTY);
    for (;;) {
      await sleep(500);
      const job = await jobs.job(id);
      if (!job) {
        if (!redis.ready()) continue; // the queue comes back; the job is kept there
        process.stderr.write(`${es ? 'La cola ya no tiene el trabajo' : 'The queue no longer has job'} ${id}\n`);
        return 1;
      }
      if (job.state === 'completed') {
        if (tty) process.stderr.write('\n');
        const r = job.result as MefGastoJobResult;
        process.stdout.write(`${formatMefReport({ ...r, ubigeos: [], missingColumns: [] }, args.lang)}\n`);
        return r.status === 'rejected' ? 1 : 0;
      }
      if (job.state === 'failed') {
        if (tty) process.stderr.write('\n');
        process.stderr.write(`${es ? 'El trabajo falló' : 'The job failed'} (${job.attempts}): ${job.error ?? ''}\n`);
        return 1;
      }
      if (tty && job.state === 'active' && job.progress && job.startedAt) {
        const p = job.progress;
        process.stderr.write(`\r${progressLine(args.lang, p.rows ?? 0, p.bytes ?? 0, p.totalBytes ?? 0, (Date.now() - job.startedAt) / 1000)}   `);
      }
    }
  } finally {
    await jobs.close().catch(() => undefined);
    await redis.close().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') return usageError(USAGE, args);
  if (!fs.existsSync(args.file)) {
    process.stderr.write(`${args.lang === 'es' ? 'No existe el archivo' : 'File not found'}: ${args.file}\n`);
    return 2;
  }
  if (args.queue) return queueMefGasto(args);
  return withDatabase(async (db) => {
    const started = Date.now();
    let last = 0;
    if (args.kind === 'participation') {
      const audit = createAuditService();
      const service = createParticipationService({ db, audit, clock: Date.now });
      const bulk = createBulkImport({ db, service, audit, maxRows: Number.MAX_SAFE_INTEGER - 1 });
      const report = await bulk.run(CLI_ACTOR, args.ubigeo!, args.entity!, fs.readFileSync(args.file, 'utf8'), path.basename(args.file));
      process.stdout.write(`${formatParticipationReport(report, args.lang)}\n`);
      if (report.status === 'done') await refreshScores(db); // P and A read participation data
      return report.status === 'rejected' ? 1 : 0;
    }
    if (args.kind === 'mef-gasto') {
      const tty = Boolean(process.stderr.isTTY);
      const report = await importMefGasto(db, args.file, {
        allowSynthetic: args.allowSynthetic,
        onProgress: ({ rows, bytes, totalBytes }) => {
          const now = Date.now();
          if (!tty || now - last < 500) return;
          last = now;
          process.stderr.write(`\r${progressLine(args.lang, rows, bytes, totalBytes, (now - started) / 1000)}   `);
        },
      });
      if (tty) process.stderr.write('\n');
      process.stdout.write(`${formatMefReport(report, args.lang)}\n`);
      if (report.status === 'imported') await refreshScores(db); // E and R read execution data
      return report.status === 'rejected' ? 1 : 0;
    }
    if (args.kind === 'ingresos') {
      const report = await importIngresos(db, args.file);
      process.stdout.write(`${formatRevenueReport(report, args.lang)}\n`);
      return report.status === 'rejected' ? 1 : 0;
    }
    const report = await importConsultaAmigable(db, args.file, {
      cutOffs: args.cutOffs,
      onProgress: (rows) => {
        const now = Date.now();
        if (now - last < 1000) return;
        last = now;
        const secs = (now - started) / 1000;
        process.stderr.write(`… ${rows} ${args.lang === 'es' ? 'filas leídas' : 'rows read'} (${Math.round(rows / Math.max(secs, 0.001))}/s)\n`);
      },
    });
    process.stdout.write(`${formatReport(report, args.lang)}\n`);
    if (report.status === 'imported') await refreshScores(db); // E reads execution data
    return report.status === 'rejected' ? 1 : 0;
  });
}

if (require.main === module) runCli(main);
