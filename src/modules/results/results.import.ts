import type { Knex } from 'knex';
import type { Db } from '../../db';
import { ValidationError } from '../../lib/errors';
import type { Actor } from '../audit';
import { createImportGuard, emptyReport, readCsvRows, recordImportRun, unneutralise, withImportDefaults, writeAllOrNothing } from '../participation';
import type { BulkImportDeps, BulkImportReport, BulkRowError } from '../participation';
import { IndicatorForm, ObjectiveForm, PlanForm, ValueForm } from './results.schemas';
import type { IndicatorInput, ObjectiveInput, PlanInput, ValueInput } from './results.schemas';
import type { ResultsService } from './results.service';

/** The CSV export columns; the upload takes the same file back (computed columns are ignored). */
export const OBJECTIVE_CSV_COLUMNS = [
  'ubigeo',
  'municipality',
  'plan_title_es',
  'plan_title_en',
  'period_from',
  'period_to',
  'document_url',
  'ordinance',
  'code',
  'text_es',
  'text_en',
  'gap_es',
  'gap_en',
  'is_example',
];
export const INDICATOR_FIELDS = Object.keys(IndicatorForm.shape);
export const INDICATOR_CSV_COLUMNS = ['ubigeo', 'municipality', 'department', ...INDICATOR_FIELDS, 'year', 'target', 'baseline_target', 'actual', 'actual_source', 'on_track', 'is_example'];
const COMPUTED = new Set(['municipality', 'department', 'baseline_target', 'on_track', 'is_example']);
/** Optional column: the public reason of the row's change (required when a published target or actual moves). */
export const REASON_COLUMN = 'change_reason';
export type ImportKind = 'objectives' | 'indicators';

/** The same report as the participation bulk import (one shape for officials' CSV imports). */
export type RowError = BulkRowError;
export type ImportReport = BulkImportReport;

function readRows(text: string, kind: ImportKind, maxRows: number): Record<string, string>[] {
  const columns = [...(kind === 'objectives' ? OBJECTIVE_CSV_COLUMNS : INDICATOR_CSV_COLUMNS), REASON_COLUMN];
  const required = kind === 'objectives' ? ['code', 'text_es', 'plan_title_es', 'period_from', 'period_to'] : ['code', 'name_es', 'level'];
  return readCsvRows(text, { ns: 'results', maxRows, columns, required });
}

interface Checked {
  rowNo: number;
  cells: Record<string, string>;
  plan?: PlanInput;
  objective?: ObjectiveInput;
  indicator?: IndicatorInput;
  value?: ValueInput;
}

/** Pure row validator: the row's own cells only; errors name row, column, value and reason. */
export function checkRow(kind: ImportKind, ubigeo: string, raw: Record<string, string>, rowNo: number): { row: Checked | null; errors: RowError[] } {
  const cells = Object.fromEntries(
    Object.entries(raw)
      .filter(([k]) => !COMPUTED.has(k))
      .map(([k, v]) => [k, unneutralise(String(v ?? ''))]),
  );
  const err = (column: string, reason: string): RowError => ({ row: rowNo, column, value: String(cells[column] ?? '').slice(0, 100), reason });
  const issues = (e: { issues: Array<{ path: PropertyKey[]; message: string }> }, rename: (c: string) => string = (c) => c) =>
    e.issues.map((i) => err(rename(String(i.path[0] ?? '_')), i.message.includes(':') ? i.message : 'errors:validation.invalid'));
  if (cells.ubigeo && cells.ubigeo !== ubigeo) return { row: null, errors: [err('ubigeo', 'results:errors.csv_other_municipality')] };
  if (kind === 'objectives') {
    const plan = PlanForm.safeParse({ ...cells, title_es: cells.plan_title_es, title_en: cells.plan_title_en });
    const objective = ObjectiveForm.safeParse(cells);
    const errors = [...(plan.success ? [] : issues(plan.error, (c) => (c.startsWith('title_') ? `plan_${c}` : c))), ...(objective.success ? [] : issues(objective.error))];
    if (errors.length) return { row: null, errors };
    return { row: { rowNo, cells, plan: plan.data, objective: objective.data }, errors: [] };
  }
  const indicator = IndicatorForm.safeParse(cells);
  const hasValue = ['year', 'target', 'actual', 'actual_source'].some((c) => cells[c]);
  const value = hasValue ? ValueForm.safeParse(cells) : null;
  const errors = [...(indicator.success ? [] : issues(indicator.error)), ...(value && !value.success ? issues(value.error) : [])];
  if (errors.length) return { row: null, errors };
  return { row: { rowNo, cells, indicator: indicator.data!, value: value?.data }, errors: [] };
}

type Outcome = 'created' | 'updated' | 'unchanged';
const worst = (a: Outcome, b: Outcome): Outcome => (a === 'created' || b === 'created' ? 'created' : a === 'updated' || b === 'updated' ? 'updated' : 'unchanged');

/**
 * Bulk create/update of a municipality's objectives (with their plan) or indicators (one row per
 * indicator and year, with the year's target and actual) from the export's CSV: all or nothing, a
 * row-level report with line numbers, at most `maxRows` rows (413), one import per municipality
 * at a time (409), `perHour` imports per user (429). Importing the same file twice changes
 * nothing the second time. Audited as `import.results_objectives|results_indicators`.
 */
export function createResultsImport(deps: BulkImportDeps<ResultsService>) {
  const { db, service, audit, clock, perHour, maxRows } = withImportDefaults(deps);
  const guard = createImportGuard({ db, clock, perHour, staleMs: 10 * 60_000, runsTable: 'results_imports' });

  /** Writes every row; the ValidationErrors a row raises become its errors in the report. */
  async function writeAll(trx: Knex.Transaction, actor: Actor, ubigeo: string, kind: ImportKind, rows: Checked[], report: ImportReport) {
    const rowError = (r: Checked, e: unknown): RowError[] => {
      if (!(e instanceof ValidationError)) throw e;
      return e.issues.map((i) => ({ row: r.rowNo, column: i.field, value: String(r.cells[i.field] ?? '').slice(0, 100), reason: i.key }));
    };
    const outcomes = new Map<number, Outcome>();
    const add = (r: Checked, o: Outcome) => outcomes.set(r.rowNo, worst(outcomes.get(r.rowNo) ?? 'unchanged', o));
    if (kind === 'objectives') {
      for (const r of rows) {
        try {
          const existed = await trx('results_plans').where({ ubigeo, period_from: r.plan!.period_from }).first('id');
          const planId = await service.writePlan(trx, actor, ubigeo, null, r.plan!);
          if (!existed) add(r, 'created');
          add(r, await service.writeObjective(trx, actor, ubigeo, planId, r.objective!));
        } catch (e) {
          report.errors.push(...rowError(r, e));
        }
      }
    } else {
      // An indicator's columns are the same on each of its rows (one per year); the first one counts.
      const first = new Map<string, Checked>();
      for (const r of rows) {
        const f = first.get(r.indicator!.code);
        if (!f) first.set(r.indicator!.code, r);
        else if (INDICATOR_FIELDS.some((c) => (r.cells[c] ?? '') !== (f.cells[c] ?? '')))
          report.errors.push({ row: r.rowNo, column: 'code', value: r.indicator!.code, reason: 'results:errors.csv_inconsistent' });
      }
      // New indicators first (bare), so that a parent may come later in the file than its children.
      for (const r of first.values()) {
        const exists = await trx('results_indicators').where({ ubigeo, code: r.indicator!.code }).first('id');
        if (exists) continue;
        try {
          await service.writeIndicator(trx, actor, ubigeo, null, { ...r.indicator!, objective_code: undefined, parent_code: undefined, pb_item_ids: undefined, commitment_ids: undefined });
          add(r, 'created');
        } catch (e) {
          report.errors.push(...rowError(r, e));
        }
      }
      const failed = () => new Set(report.errors.map((e) => e.row));
      for (const r of first.values()) {
        if (failed().has(r.rowNo)) continue;
        try {
          add(r, (await service.writeIndicator(trx, actor, ubigeo, null, r.indicator!)).outcome);
        } catch (e) {
          report.errors.push(...rowError(r, e));
        }
      }
      const failedCodes = new Set([...first.values()].filter((r) => failed().has(r.rowNo)).map((r) => r.indicator!.code));
      for (const r of rows) {
        if (failedCodes.has(r.indicator!.code)) continue;
        if (!r.value) {
          add(r, 'unchanged');
          continue;
        }
        try {
          const ind = await trx('results_indicators').where({ ubigeo, code: r.indicator!.code }).first('id');
          add(r, await service.writeValue(trx, actor, ubigeo, Number(ind.id), r.value, r.cells[REASON_COLUMN] || null));
        } catch (e) {
          report.errors.push(...rowError(r, e));
        }
      }
    }
    for (const r of rows) if (!report.errors.some((e) => e.row === r.rowNo)) report[outcomes.get(r.rowNo) ?? 'unchanged']++;
  }

  async function run(actor: Actor, ubigeo: string, kind: ImportKind, text: string, fileName = `${kind}.csv`): Promise<ImportReport> {
    await guard.checkRate(actor.userId);
    const raw = readRows(text, kind, maxRows);
    const key = `results:${ubigeo}`;
    await guard.acquire(key);
    const report = emptyReport();
    const record = (q: Db) =>
      recordImportRun(q, audit, { table: 'results_imports', auditKind: `results_${kind}`, actor, ubigeo, kind, fileName, text, rows: raw.length, report, at: new Date(clock()).toISOString() });
    try {
      const checked: Checked[] = [];
      raw.forEach((r, i) => {
        const c = checkRow(kind, ubigeo, r, i + 2); // the header is line 1
        if (c.row) checked.push(c.row);
        else report.errors.push(...c.errors);
      });
      await writeAllOrNothing(db, report, (trx) => writeAll(trx, actor, ubigeo, kind, checked, report), record);
      return report;
    } finally {
      await guard.release(key);
    }
  }

  const recent = (ubigeo: string) => db('results_imports').select('id', 'kind', 'status', 'rows', 'created_at').where({ ubigeo }).orderBy('id', 'desc').limit(10);
  return { run, recent };
}
export type ResultsImport = ReturnType<typeof createResultsImport>;
