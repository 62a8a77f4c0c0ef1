import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { Db, isMysql } from '../../db';
import { AMOUNT_COLUMNS } from '../../lib/amounts';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { probeFile, TextEncoding } from '../../lib/file-text';
import { readReferenceCsv } from '../../lib/reference-files';
import { Actor, AuditService, CLI_ACTOR, createAuditService } from '../audit';
import type { RowError } from './consulta-amigable.importer';
import { readCsvRecords } from './mef-gasto.csv';
import { Batch, parseRange, RowContext, Summary } from './mef-gasto.rows';

export const MEF_GASTO = 'mef_gasto';
export const MEF_GASTO_LABEL = 'MEF, datos abiertos: Presupuesto y Ejecución de Gasto';
/** Label of a year imported from a synthetic generator file: shown instead of MEF's name. */
export const SYNTHETIC_LABEL = 'DATOS SINTÉTICOS / SYNTHETIC DATA (generador de pruebas, no son datos reales)';

let columnsCache: string[] | null = null;
/** The 63 header names of MEF's expenditure CSV, in order (reference-data/mef_gasto_columns.csv). */
export function mefGastoColumns(): string[] {
  columnsCache ??= readReferenceCsv('mef_gasto_columns.csv')
    .sort((a, b) => Number(a.position) - Number(b.position))
    .map((r) => r.column);
  return columnsCache;
}

/** Grain of mef_gasto_facts, in primary-key order. */
export const FACT_KEY = ['ubigeo', 'year', 'month', 'category', 'func', 'division', 'fgroup', 'fuente', 'rubro', 'generica', 'tipo', 'product'] as const;
const FACT_COLS = [...FACT_KEY, ...AMOUNT_COLUMNS];

/** Breakdowns kept in mef_gasto_rollups (the API's `by` values). */
export const DIMENSIONS = ['function', 'category', 'source', 'rubro', 'generic', 'project', 'month'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface MefGastoReport {
  status: 'imported' | 'unchanged' | 'rejected';
  file: string;
  encoding: TextEncoding;
  rows: number;
  kept: number;
  skipped: number;
  facts: number;
  municipalities: number;
  /** Ubigeos whose data this import wrote. */
  ubigeos: string[];
  years: number[];
  errors: RowError[];
  errorCount: number;
  alreadyImported: boolean;
  missingColumns: string[];
  seconds: number;
  synthetic: boolean;
}

export interface MefGastoProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
}

export interface MefGastoOptions {
  onProgress?: (p: MefGastoProgress) => void;
  maxErrors?: number;
  /** Aggregated keys held in memory before they are written (bounds memory). */
  flushEvery?: number;
  /** Parser threads (default: 1 for small files, else up to 4 by CPU count). */
  workers?: number;
  /** Compiled worker script (tests run from TypeScript sources; the default is next to this file). */
  workerScript?: string;
  /** Accept files of the synthetic generator (tests, benchmarks, demos); their years are labelled synthetic. */
  allowSynthetic?: boolean;
  /** Web upload: every municipal row must be this municipality's (SEC_EJEC and every ubigeo column), else the file is refused. */
  restrictToUbigeo?: string;
  /** Code names: 'overwrite' (command line, admins) or 'insert_missing' (officials: never replace a name another source set). */
  names?: 'overwrite' | 'insert_missing';
  /** Who imports (audit log, mef_codes.set_by); default: the command line. */
  actor?: Actor;
  audit?: AuditService;
}

/** mef_codes.set_by of an actor: 'cli', 'admin:3', 'official:7'. */
export const setByOf = (actor: Actor): string => (actor.userId == null ? actor.role : `${actor.role}:${actor.userId}`).slice(0, 40);

class Abort extends Error {
  constructor(public readonly reason: 'rejected' | 'unchanged') {
    super(reason);
  }
}

export { parseMefAmount } from './mef-gasto.rows';

function upsertSql(mysql: boolean, n: number): string {
  const tuple = `(${FACT_COLS.map(() => '?').join(',')})`;
  const head = `insert into mef_gasto_facts (${FACT_COLS.join(',')}) values ${new Array(n).fill(tuple).join(',')}`;
  if (mysql) return `${head} on duplicate key update ${AMOUNT_COLUMNS.map((c) => `${c} = ${c} + values(${c})`).join(', ')}`;
  return `${head} on conflict (${FACT_KEY.join(',')}) do update set ${AMOUNT_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
}

interface RunRow {
  id: number;
  years: string | null;
  row_count: number;
}

/** The run with this sha256 or content digest, if no later mef_gasto run touched any of its years. */
async function currentRun(db: Knex, where: { sha256?: string; content_digest?: string }): Promise<RunRow | null> {
  const run: RunRow | undefined = await db('import_runs')
    .where({ kind: MEF_GASTO, ...where })
    .orderBy('id', 'desc')
    .first('id', 'years', 'row_count');
  if (!run) return null;
  const years = new Set((run.years ?? '').split(',').filter(Boolean));
  const later: { years: string | null }[] = await db('import_runs').where({ kind: MEF_GASTO }).where('id', '>', run.id).select('years');
  if (later.some((l) => (l.years ?? '').split(',').some((y) => years.has(y)))) return null;
  return run;
}

interface SqliteStatement {
  run(params: unknown[]): unknown;
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

const FACT_WIDTH = FACT_COLS.length;
const BATCH_ROWS = 500;

/** One turn of the event loop (timers and I/O run), between synchronous SQLite writes. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Writes batches inside the transaction: clears replaced municipality-years, writes names (per policy), sums facts. */
async function createWriter(trx: Knex.Transaction, mysql: boolean, names: { policy: 'overwrite' | 'insert_missing'; setBy: string }) {
  const cleared = new Set<string>();
  let facts = 0;
  let conn: SqliteConnection | null = null;
  let full: SqliteStatement | null = null;
  if (!mysql) {
    // Inside a knex transaction the client hands back the transaction's own connection.
    conn = await (trx.client as { acquireConnection(): Promise<SqliteConnection> }).acquireConnection();
    full = conn.prepare(upsertSql(false, BATCH_ROWS));
    // A 32 MB page cache keeps the growing fact index in memory during the one big transaction
    // (about 5 % less CPU on a 1 M row file; default is 2 MB).
    conn.prepare('pragma cache_size = -32768').run([]);
  }
  async function write(batch: Batch): Promise<void> {
    for (const [year, ubigeos] of batch.pairs) {
      for (const ubigeo of ubigeos) {
        const k = `${ubigeo}/${year}`;
        if (cleared.has(k)) continue;
        await trx('mef_gasto_facts').where({ ubigeo, year }).del();
        cleared.add(k);
      }
    }
    const rows = batch.names.map(([list, code, name]) => ({ list, code, name: name.slice(0, 400), set_by: names.setBy }));
    for (let i = 0; i < rows.length; i += 300) {
      const insert = trx('mef_codes')
        .insert(rows.slice(i, i + 300))
        .onConflict(['list', 'code']);
      await (names.policy === 'overwrite' ? insert.merge(['name', 'set_by']) : insert.ignore());
    }
    const step = BATCH_ROWS * FACT_WIDTH;
    for (let i = 0; i < batch.facts.length; i += step) {
      const slice = batch.facts.slice(i, i + step);
      const n = slice.length / FACT_WIDTH;
      if (conn) (n === BATCH_ROWS ? full! : conn.prepare(upsertSql(false, n))).run(slice);
      else await trx.raw(upsertSql(true, n), slice);
      facts += n;
    }
    // SQLite writes synchronously: let timers run between batches (a queue worker renews its lock
    // on the job there; without it a long import looked stalled and was started a second time).
    await yieldToEventLoop();
  }
  return { write, facts: () => facts };
}

/** "\r\n" when the header line ends so, else "\n" (an explicit delimiter parses faster than auto-detection). */
function lineEnding(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const i = buf.subarray(0, n).indexOf(0x0a);
    return i > 0 && buf[i - 1] === 0x0d ? '\r\n' : '\n';
  } finally {
    fs.closeSync(fd);
  }
}

const RECORD_START = /\n(?=\d{4},\d{1,2},[A-Z],)/;

/** Byte offsets where parser workers can start: a newline followed by "YYYY,M,L," (a record start). */
function segments(file: string, size: number, parts: number): number[] {
  const starts = [0];
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    for (let k = 1; k < parts; k++) {
      const pos = Math.floor((size * k) / parts);
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      const m = RECORD_START.exec(buf.subarray(0, n).toString('latin1'));
      if (m && pos + m.index + 1 > starts[starts.length - 1]) starts.push(pos + m.index + 1);
    }
  } finally {
    fs.closeSync(fd);
  }
  return starts;
}

/** One file to parse: where, how it is encoded, the row rules, and where its batches go. */
interface ParseJob {
  file: string;
  encoding: 'utf8' | 'latin1';
  recordDelimiter: string;
  ctx: RowContext;
  write: (b: Batch) => Promise<void>;
  onProgress?: (rows: number, bytes: number) => void;
}

interface WorkerResult {
  summary: Summary;
}

/** Parses byte ranges of the file in worker threads; batches are written here, in order of arrival. */
function runWorkers(script: string, starts: number[], size: number, job: ParseJob): Promise<WorkerResult[]> {
  const { file, encoding, recordDelimiter, ctx, write, onProgress } = job;
  let queue = Promise.resolve();
  let failed: Error | null = null;
  const progress = starts.map(() => ({ rows: 0, bytes: 0 }));
  return Promise.all(
    starts.map(
      (start, i) =>
        new Promise<WorkerResult>((resolve, reject) => {
          const end = i + 1 < starts.length ? starts[i + 1] - 1 : size - 1;
          // A small heap per worker: its live data is one bounded batch, so V8 need not grow further.
          const w = new Worker(script, {
            workerData: { file, start, end, encoding, recordDelimiter, skipHeader: i === 0, ctx },
            resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 6 },
          });
          w.on('message', (m: { type: string; batch?: Batch; summary?: Summary; message?: string; rows?: number; bytes?: number }) => {
            if (m.type === 'batch') {
              queue = queue
                .then(() => (failed ? undefined : write(m.batch!)))
                .catch((err: Error) => {
                  failed = err;
                })
                .then(() => w.postMessage({ type: 'ack' }));
            } else if (m.type === 'progress') {
              progress[i] = { rows: m.rows!, bytes: m.bytes! };
              onProgress?.(
                progress.reduce((a, p) => a + p.rows, 0),
                progress.reduce((a, p) => a + p.bytes, 0),
              );
            } else if (m.type === 'done') {
              void queue.then(() => {
                void w.terminate();
                if (failed) reject(failed);
                else resolve({ summary: m.summary! });
              });
            } else if (m.type === 'error') {
              void w.terminate();
              reject(new Error(m.message));
            }
          });
          w.on('error', reject);
        }),
    ),
  );
}

/** The header row, upper-cased and trimmed (null for an empty file, 'unreadable' when it is not CSV); read before anything is written. */
async function readHeader(file: string, encoding: 'utf8' | 'latin1', recordDelimiter: string): Promise<string[] | null | 'unreadable'> {
  let header: string[] | null = null;
  const read = await readCsvRecords({ file, encoding, recordDelimiter, limit: 1 }, (rec) => {
    header = rec.map((h) => h.trim().toUpperCase());
  });
  return read.unreadableAt === 1 ? 'unreadable' : header;
}

/** Parses the file on this thread, handing batches to the writer. */
function parseInline(job: ParseJob): Promise<Summary> {
  const { file, encoding, recordDelimiter, ctx, write, onProgress } = job;
  return parseRange({ file, encoding, recordDelimiter }, true, ctx, write, onProgress);
}

interface Merged {
  pairs: Map<number, Set<string>>;
  maxMonth: Map<number, number>;
  digest: string;
  synthetic: boolean;
}

/** Folds the summaries of the segments (in file order) into the report: counts, errors with absolute row numbers. */
function mergeSummaries(report: MefGastoReport, summaries: Summary[], maxErrors: number): Merged {
  let offset = 1; // row numbers as a spreadsheet shows them: header = 1
  const pairs = new Map<number, Set<string>>();
  const maxMonth = new Map<number, number>();
  let d1 = 0;
  let d2 = 0;
  let synthetic = 0;
  for (const s of summaries) {
    synthetic += s.synthetic;
    for (const e of s.errors) {
      report.errorCount++;
      if (report.errors.length < maxErrors) report.errors.push({ ...e, row: e.row + offset });
    }
    report.errorCount += s.errorCount - s.errors.length;
    offset += s.records;
    report.rows += s.records;
    report.kept += s.kept;
    report.skipped += s.skipped;
    d1 = (d1 + s.d1) >>> 0;
    d2 = (d2 + s.d2) >>> 0;
    for (const [y, list] of s.pairs) {
      const set = pairs.get(y) ?? new Set<string>();
      for (const u of list) set.add(u);
      pairs.set(y, set);
    }
    for (const [y, m] of s.maxMonth) maxMonth.set(y, Math.max(m, maxMonth.get(y) ?? 0));
  }
  return { pairs, maxMonth, digest: `${report.kept}-${d1.toString(16)}-${d2.toString(16)}`, synthetic: synthetic > 0 };
}

/** The audit entry of an import: digest, counts (inserted = aggregated fact rows written), municipalities written. */
function auditOf(report: MefGastoReport, sha256: string, municipality: string | null) {
  return {
    kind: 'mef_gasto' as const,
    file: report.file,
    sha256,
    status: report.status,
    counts: {
      read: report.rows,
      inserted: report.status === 'imported' ? report.facts : 0,
      updated: 0,
      unchanged: report.status === 'unchanged' ? report.kept : 0,
      rejected: report.status === 'rejected' ? report.errorCount : 0,
    },
    municipalities: report.status === 'imported' ? report.ubigeos : [],
    municipality,
    extra: { skipped: report.skipped, years: report.years, synthetic: report.synthetic },
  };
}

/**
 * Imports a MEF "Presupuesto y Ejecución de Gasto" CSV (the 63 columns, by header name): keeps
 * NIVEL_GOBIERNO = M rows, streams them into mef_gasto_facts, refreshes the rollups and the
 * per-municipality totals (source mef_gasto), all in one transaction. Any bad row rejects the
 * whole file; a file whose content is already current changes nothing. Large files are parsed
 * by worker threads (each streams its own byte range) when running from compiled code. Every
 * run, accepted or not, is in the audit log.
 */
export async function importMefGasto(db: Db, file: string, opts: MefGastoOptions = {}): Promise<MefGastoReport> {
  const started = Date.now();
  const maxErrors = opts.maxErrors ?? 100;
  const actor = opts.actor ?? CLI_ACTOR;
  const audit = opts.audit ?? createAuditService();
  const municipality = opts.restrictToUbigeo ?? null;
  const probe = await probeFile(file);
  const report: MefGastoReport = {
    status: 'rejected',
    file: path.basename(file),
    encoding: probe.encoding,
    rows: 0,
    kept: 0,
    skipped: 0,
    facts: 0,
    municipalities: 0,
    ubigeos: [],
    years: [],
    errors: [],
    errorCount: 0,
    alreadyImported: false,
    missingColumns: [],
    seconds: 0,
    synthetic: false,
  };
  /** Rejected or unchanged: nothing was written but the attempt is audited. */
  const done = async () => {
    report.seconds = (Date.now() - started) / 1000;
    if (report.status !== 'imported') await audit.recordImport(db, actor, auditOf(report, probe.sha256, municipality));
    return report;
  };

  const same = await currentRun(db, { sha256: probe.sha256 });
  if (same) {
    report.status = 'unchanged';
    report.alreadyImported = true;
    report.rows = Number(same.row_count);
    report.years = (same.years ?? '').split(',').filter(Boolean).map(Number);
    return done();
  }

  const encoding = probe.encoding === 'latin1' ? 'latin1' : 'utf8';
  const recordDelimiter = lineEnding(file);
  const header = await readHeader(file, encoding, recordDelimiter);
  if (!header || header === 'unreadable') {
    report.errorCount = 1;
    report.errors.push({ row: 1, column: '', value: '', key: header ? 'import:errors.unreadable' : 'import:errors.empty' });
    return done();
  }
  const required = mefGastoColumns();
  report.missingColumns = required.filter((c) => !header.includes(c));
  if (report.missingColumns.length) {
    report.errorCount = 1;
    report.errors.push({ row: 1, column: report.missingColumns.join(', '), value: '', key: 'import:errors.missing_columns_list', params: { columns: report.missingColumns.join(', ') } });
    return done();
  }

  const munis: { ubigeo: string; sec_ejec: string | null }[] = await db('municipalities').select('ubigeo', 'sec_ejec');
  const own = opts.restrictToUbigeo ? munis.find((m) => m.ubigeo === opts.restrictToUbigeo) : undefined;
  const ctx: RowContext = {
    ix: Object.fromEntries(required.map((c) => [c, header.indexOf(c)])),
    ubigeos: munis.map((m) => m.ubigeo),
    secEjec: munis.filter((m) => m.sec_ejec).map((m) => [String(m.sec_ejec), m.ubigeo]),
    maxErrors,
    flushEvery: opts.flushEvery ?? 20000,
    allowSynthetic: Boolean(opts.allowSynthetic),
    restrict: opts.restrictToUbigeo ? { ubigeo: opts.restrictToUbigeo, secEjec: own?.sec_ejec == null ? null : String(own.sec_ejec) } : undefined,
  };
  const mysql = isMysql(db);
  const canonical = header[0] === 'ANO_EJE' && header[1] === 'MES_EJE' && header[2] === 'NIVEL_GOBIERNO';
  const workerScript = opts.workerScript ?? (__filename.endsWith('.js') ? path.join(__dirname, 'mef-gasto.worker.js') : '');
  const parts = opts.workers ?? (probe.bytes > 32e6 ? Math.min(4, os.availableParallelism()) : 1);
  const useWorkers = parts > 1 && canonical && workerScript !== '' && fs.existsSync(workerScript);
  const progress = (rows: number, bytes: number) => opts.onProgress?.({ rows, bytes, totalBytes: probe.bytes });

  try {
    await db.transaction(async (trx) => {
      const writer = await createWriter(trx, mysql, { policy: opts.names ?? 'overwrite', setBy: setByOf(actor) });
      const job: ParseJob = { file, encoding, recordDelimiter, ctx, write: writer.write, onProgress: progress };
      const summaries = useWorkers ? (await runWorkers(workerScript, segments(file, probe.bytes, parts), probe.bytes, job)).map((r) => r.summary) : [await parseInline(job)];
      const merged = mergeSummaries(report, summaries, maxErrors);
      progress(report.rows, probe.bytes);
      if (report.errorCount > 0) throw new Abort('rejected');
      if (report.kept === 0) {
        report.errorCount = 1;
        report.errors.push({ row: 2, column: 'NIVEL_GOBIERNO', value: '', key: 'import:errors.no_municipal_rows' });
        throw new Abort('rejected');
      }
      report.years = [...merged.pairs.keys()].sort();
      report.ubigeos = [...new Set([...merged.pairs.values()].flatMap((set) => [...set]))].sort();
      report.municipalities = report.ubigeos.length;
      report.facts = writer.facts();
      if (await currentRun(trx, { content_digest: merged.digest })) throw new Abort('unchanged');
      report.synthetic = merged.synthetic;
      for (const [year, set] of merged.pairs) await refreshYear(trx, year, [...set], merged.maxMonth.get(year) ?? 12, report.synthetic);
      await trx('import_runs').insert({
        kind: MEF_GASTO,
        file_name: report.file.slice(0, 255),
        sha256: probe.sha256,
        row_count: report.rows,
        changed: report.facts,
        imported_at: new Date().toISOString(),
        content_digest: merged.digest,
        years: report.years.join(','),
        ubigeo: municipality,
      });
      report.status = 'imported';
      report.seconds = (Date.now() - started) / 1000;
      await audit.recordImport(trx, actor, auditOf(report, probe.sha256, municipality));
    });
    return report;
  } catch (err) {
    if (!(err instanceof Abort)) throw err;
    report.status = err.reason;
    if (err.reason === 'unchanged') {
      report.facts = 0;
      report.ubigeos = [];
    }
    return done();
  }
}

const SUMS = AMOUNT_COLUMNS.map((c) => `sum(${c})`).join(', ');
const ROLLUP_COLS = `level, area, year, dim, code, parent, ${AMOUNT_COLUMNS.join(', ')}`;

/** How each breakdown is summed from the fact table: code and parent expressions. */
function dimSql(mysql: boolean): Record<Dimension, { code: string; parent: string }> {
  return {
    function: { code: 'func', parent: "''" },
    category: { code: 'category', parent: "''" },
    source: { code: 'fuente', parent: "''" },
    rubro: { code: 'rubro', parent: 'max(fuente)' },
    generic: { code: 'generica', parent: "''" },
    project: { code: 'product', parent: 'max(tipo)' },
    month: { code: mysql ? "lpad(month, 2, '0')" : "printf('%02d', month)", parent: "''" },
  };
}

/** Recomputes the rollups and execution totals of one year for the given municipalities. */
async function refreshYear(trx: Knex.Transaction, year: number, ubigeos: string[], lastMonth: number, synthetic: boolean): Promise<void> {
  const mysql = isMysql(trx);
  const dims = dimSql(mysql);
  for (let i = 0; i < ubigeos.length; i += 400) {
    const chunk = ubigeos.slice(i, i + 400);
    const marks = chunk.map(() => '?').join(',');
    await trx('mef_gasto_rollups').where({ level: 'municipality', year }).whereIn('area', chunk).del();
    for (const dim of DIMENSIONS) {
      const { code, parent } = dims[dim];
      const groupBy = dim === 'month' ? 'month' : code;
      await trx.raw(
        `insert into mef_gasto_rollups (${ROLLUP_COLS}) select 'municipality', ubigeo, year, ?, ${code}, ${parent}, ${SUMS} from mef_gasto_facts where year = ? and ubigeo in (${marks}) group by ubigeo, year, ${groupBy}`,
        [dim, year, ...chunk],
      );
    }
    await trx('execution_totals').where({ source: MEF_GASTO, year }).whereIn('ubigeo', chunk).del();
    await trx.raw(
      `insert into execution_totals (ubigeo, year, source, ${AMOUNT_COLUMNS.join(', ')}) select area, year, ?, ${SUMS} from mef_gasto_rollups where level = 'municipality' and dim = 'generic' and year = ? and area in (${marks}) group by area, year`,
      [MEF_GASTO, year, ...chunk],
    );
    await yieldToEventLoop();
  }
  await trx('mef_gasto_rollups').where({ year }).whereIn('level', ['province', 'department', 'national']).del();
  for (const [level, area] of [
    ['province', 'substr(area, 1, 4)'],
    ['department', 'substr(area, 1, 2)'],
    ['national', "'PE'"],
  ] as const) {
    await trx.raw(
      `insert into mef_gasto_rollups (${ROLLUP_COLS}) select ?, ${area}, year, dim, code, max(parent), ${SUMS} from mef_gasto_rollups where level = 'municipality' and year = ? and dim <> 'project' group by ${area}, year, dim, code`,
      [level, year],
    );
  }
  const lastDay = new Date(Date.UTC(year, Math.max(1, lastMonth), 0)).toISOString().slice(0, 10);
  const row = { source: MEF_GASTO, year, cut_off: lastDay, partial: lastMonth < 12, label: synthetic ? SYNTHETIC_LABEL : MEF_GASTO_LABEL };
  await trx('execution_years').insert(row).onConflict(['source', 'year']).merge(['cut_off', 'partial', 'label']);
}
