import type { Knex } from 'knex';
import type { Db } from '../../db';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor, AuditService } from '../audit';
import { actorForRecord, dbStamp, diffFields, publishedValueMoves } from '../participation';
import * as q from './results.queries';
import { LEVELS, onTrack } from './results.rules';
import type { IndicatorInput, ObjectiveInput, PlanInput, ValueInput } from './results.schemas';

type Trx = Knex.Transaction;
const invalid = (field: string, key: string, status = 422) => new ValidationError([{ field, key: `results:errors.${key}` }], status);
/** The fields of a year's value kept in the public history; target and actual need a reason when a published one moves. */
const VALUE_FIELDS = ['target', 'actual', 'actual_source'] as const;
const REASONED = new Set(['target', 'actual']);

export interface ChainValue extends q.ValueRow {
  on_track: boolean | null;
}
export interface ChainIndicator extends q.IndicatorRow {
  values: ChainValue[];
  items: Array<{ id: number; title_es: string; title_en: string | null; status: string; progress_pct: number; is_example: unknown }>;
  commitments: Array<{ id: number; text_es: string; text_en: string | null; status: string; is_example: unknown }>;
  children: ChainIndicator[];
}

/**
 * The results chain: plans (PDLC) and objectives, indicators with yearly targets and actuals.
 * Every change by an official is audited in its transaction; targets and actuals go to the
 * public, append-only `results_history` (who = role and municipality, when, why), and a published
 * target or actual that moves needs a reason (participation's rule, `publishedValueMoves`).
 */
export function createResultsService({ db, audit, clock }: { db: Db; audit: AuditService; clock: () => number }) {
  const stamp = () => dbStamp(clock());
  const audited = (trx: Trx, actor: Actor, action: string, entityType: string, entityId: number, ubigeo: string, before: unknown, after: unknown) =>
    audit.record(trx, actor, { action, entityType, entityId: String(entityId), municipality: ubigeo, before, after });

  async function municipality(ubigeo: string) {
    const m = await q.municipality(db, ubigeo);
    if (!m) throw new NotFoundError();
    return m;
  }

  // ------------------------------------------------------------ plans and objectives

  async function writePlan(trx: Trx, actor: Actor, ubigeo: string, id: number | null, input: PlanInput): Promise<number> {
    const before = id ? await q.findPlan(trx, id) : await q.planByPeriod(trx, ubigeo, input.period_from);
    if (id && (!before || before.ubigeo !== ubigeo)) throw new NotFoundError();
    const row = {
      title_es: input.title_es,
      title_en: input.title_en ?? null,
      period_from: input.period_from,
      period_to: input.period_to,
      document_url: input.document_url ?? null,
      ordinance: input.ordinance ?? null,
    };
    if (before) {
      if (!diffFields(Object.keys(row), before as unknown as Record<string, unknown>, row).length) return before.id;
      await q.updatePlan(trx, before.id, { ...row, updated_at: stamp() });
      await audited(trx, actor, 'results.plan.update', 'results_plan', before.id, ubigeo, before, row);
      return before.id;
    }
    const newId = await q.insertPlan(trx, { ...row, ubigeo, is_example: false, created_at: stamp(), updated_at: stamp() });
    await audited(trx, actor, 'results.plan.create', 'results_plan', newId, ubigeo, null, row);
    return newId;
  }

  /** Creates the objective or, when its code exists in the municipality, updates it. 'unchanged' when nothing moved. */
  async function writeObjective(trx: Trx, actor: Actor, ubigeo: string, planId: number, input: ObjectiveInput): Promise<'created' | 'updated' | 'unchanged'> {
    const plan = await q.findPlan(trx, planId);
    if (!plan || plan.ubigeo !== ubigeo) throw new NotFoundError();
    const before = await q.objectiveByCode(trx, ubigeo, input.code);
    const row = { plan_id: planId, code: input.code, text_es: input.text_es, text_en: input.text_en ?? null, gap_es: input.gap_es ?? null, gap_en: input.gap_en ?? null };
    if (before) {
      if (!diffFields(Object.keys(row), before as unknown as Record<string, unknown>, row).length) return 'unchanged';
      await q.updateObjective(trx, before.id, row);
      await audited(trx, actor, 'results.objective.update', 'results_objective', before.id, ubigeo, before, row);
      return 'updated';
    }
    const id = await q.insertObjective(trx, { ...row, ubigeo, is_example: false });
    await audited(trx, actor, 'results.objective.create', 'results_objective', id, ubigeo, null, row);
    return 'created';
  }

  // ------------------------------------------------------------ indicators

  /**
   * Creates or updates an indicator (matched by id, else by code). Its objective and parent are
   * named by code and must be the municipality's; the parent sits at a higher level (a product
   * feeds a result); linked PB items and commitments must be the municipality's.
   */
  async function writeIndicator(trx: Trx, actor: Actor, ubigeo: string, id: number | null, input: IndicatorInput): Promise<{ id: number; outcome: 'created' | 'updated' | 'unchanged' }> {
    const before = id ? await q.findIndicator(trx, id) : await q.indicatorByCode(trx, ubigeo, input.code);
    if (id && (!before || before.ubigeo !== ubigeo)) throw new NotFoundError();
    const clash = await q.indicatorByCode(trx, ubigeo, input.code);
    if (clash && clash.id !== before?.id) throw invalid('code', 'code_taken');
    let objectiveId: number | null = null;
    if (input.objective_code) {
      const o = await q.objectiveByCode(trx, ubigeo, input.objective_code);
      if (!o) throw invalid('objective_code', 'objective_unknown');
      objectiveId = o.id;
    }
    let parentId: number | null = null;
    if (input.parent_code) {
      const p = await q.indicatorByCode(trx, ubigeo, input.parent_code);
      if (!p || p.id === before?.id) throw invalid('parent_code', 'parent_unknown');
      if (LEVELS.indexOf(p.level) <= LEVELS.indexOf(input.level)) throw invalid('parent_code', 'parent_level');
      parentId = p.id;
    }
    const items = input.pb_item_ids ?? [];
    if ((await q.pbItemsOf(trx, ubigeo, items)).length !== items.length) throw invalid('pb_item_ids', 'link_other');
    const commitments = input.commitment_ids ?? [];
    if ((await q.commitmentsOf(trx, ubigeo, commitments)).length !== commitments.length) throw invalid('commitment_ids', 'link_other');
    const row = {
      code: input.code,
      name_es: input.name_es,
      name_en: input.name_en ?? null,
      level: input.level,
      type: input.type,
      unit: input.unit,
      direction: input.direction,
      baseline_value: input.baseline_value ?? null,
      baseline_year: input.baseline_year ?? null,
      objective_id: objectiveId,
      parent_id: parentId,
      pp_code: input.pp_code ?? null,
    };
    let indicatorId: number;
    let outcome: 'created' | 'updated' | 'unchanged';
    if (before) {
      indicatorId = before.id;
      const links = await q.linksOf(trx, [before.id]);
      const linkKey = (t: string, ids: number[]) => `${t}:${ids.join(';')}`;
      const linksMoved =
        linkKey('i', items) !==
          linkKey(
            'i',
            links.filter((l) => l.link_type === 'pb_item').map((l) => l.link_id),
          ) ||
        linkKey('c', commitments) !==
          linkKey(
            'c',
            links.filter((l) => l.link_type === 'commitment').map((l) => l.link_id),
          );
      const changes = diffFields(Object.keys(row), before as unknown as Record<string, unknown>, row);
      outcome = changes.length || linksMoved ? 'updated' : 'unchanged';
      if (changes.length) {
        await q.updateIndicator(trx, before.id, { ...row, updated_at: stamp() });
        await audited(trx, actor, 'results.indicator.update', 'results_indicator', before.id, ubigeo, before, row);
      }
    } else {
      indicatorId = await q.insertIndicator(trx, { ...row, ubigeo, is_example: false, created_at: stamp(), updated_at: stamp() });
      await q.addHistory(trx, { indicator_id: indicatorId, ubigeo, year: null, at: stamp(), kind: 'created', field: null, old_value: null, new_value: null, reason: null, ...actorForRecord(actor) });
      await audited(trx, actor, 'results.indicator.create', 'results_indicator', indicatorId, ubigeo, null, row);
      outcome = 'created';
    }
    await q.replaceLinks(trx, indicatorId, 'pb_item', items);
    await q.replaceLinks(trx, indicatorId, 'commitment', commitments);
    return { id: indicatorId, outcome };
  }

  /**
   * Records a year's target and/or actual (blank leaves a stored value as it is). The first
   * published target becomes the baseline target; a published target or actual that moves needs
   * a public reason (422 without one). Each changed field is one history row.
   */
  async function writeValue(trx: Trx, actor: Actor, ubigeo: string, indicatorId: number, input: ValueInput, reason: string | null | undefined): Promise<'created' | 'updated' | 'unchanged'> {
    const ind = await q.findIndicator(trx, indicatorId);
    if (!ind || ind.ubigeo !== ubigeo) throw new NotFoundError();
    const before = await q.findValue(trx, indicatorId, input.year);
    const after: Record<string, unknown> = {};
    for (const f of VALUE_FIELDS) if (input[f] !== undefined) after[f] = input[f];
    if (after.actual !== undefined && !(after.actual_source ?? before?.actual_source)) throw invalid('actual_source', 'source_required');
    const changes = diffFields(VALUE_FIELDS, (before ?? {}) as Record<string, unknown>, after);
    if (!changes.length) return 'unchanged';
    if (changes.some((c) => REASONED.has(c.field) && publishedValueMoves(c)) && !reason?.trim()) throw invalid('reason', 'reason_required');
    const row = { ...after, updated_at: stamp() };
    if (before) {
      await q.updateValue(trx, indicatorId, input.year, before.baseline_target == null && after.target != null ? { ...row, baseline_target: after.target } : row);
    } else {
      await q.insertValue(trx, { indicator_id: indicatorId, year: input.year, ubigeo, ...row, baseline_target: after.target ?? null, is_example: ind.is_example });
    }
    for (const c of changes) {
      await q.addHistory(trx, {
        indicator_id: indicatorId,
        ubigeo,
        year: input.year,
        at: stamp(),
        kind: 'changed',
        field: c.field,
        old_value: c.old,
        new_value: c.new,
        reason: reason?.trim() || null,
        ...actorForRecord(actor),
        is_example: ind.is_example,
      });
    }
    await audited(trx, actor, 'results.value.set', 'results_indicator', indicatorId, ubigeo, before, { year: input.year, ...after, reason: reason ?? null });
    return before ? 'updated' : 'created';
  }

  // ------------------------------------------------------------ reading

  /** Indicators with their values (and on-track flags), links and linked records' titles. */
  async function withDetails(rows: q.IndicatorRow[]): Promise<ChainIndicator[]> {
    const ids = rows.map((r) => r.id);
    const [values, links] = await Promise.all([q.valuesOf(db, ids), q.linksOf(db, ids)]);
    // Two queries whatever the number of municipalities; a link shows only when its row is the indicator's municipality's.
    const ubigeoOf = new Map(rows.map((r) => [r.id, r.ubigeo]));
    const [itemRows, commitmentRows] = await Promise.all([
      q.pbItemsByIds(
        db,
        links.filter((l) => l.link_type === 'pb_item').map((l) => l.link_id),
      ),
      q.commitmentsByIds(
        db,
        links.filter((l) => l.link_type === 'commitment').map((l) => l.link_id),
      ),
    ]);
    const items = new Map(itemRows.map((i) => [i.id, i]));
    const comms = new Map(commitmentRows.map((c) => [c.id, c]));
    const mine = (l: q.LinkRow, row: { ubigeo: string } | undefined) => row != null && row.ubigeo === ubigeoOf.get(l.indicator_id);
    // Grouped once by indicator (linear in rows, values and links).
    const group = <T extends { indicator_id: number }>(list: T[]) => {
      const m = new Map<number, T[]>();
      for (const x of list) {
        const g = m.get(x.indicator_id);
        if (g) g.push(x);
        else m.set(x.indicator_id, [x]);
      }
      return m;
    };
    const valuesBy = group(values);
    const linksBy = group(links);
    return rows.map((r) => ({
      ...r,
      values: (valuesBy.get(r.id) ?? []).map((v) => ({ ...v, on_track: onTrack(v, r.direction) })),
      items: (linksBy.get(r.id) ?? []).filter((l) => l.link_type === 'pb_item' && mine(l, items.get(l.link_id))).map((l) => items.get(l.link_id)!),
      commitments: (linksBy.get(r.id) ?? []).filter((l) => l.link_type === 'commitment' && mine(l, comms.get(l.link_id))).map((l) => comms.get(l.link_id)!),
      children: [],
    }));
  }

  /** One indicator with its values, flags, links and public history (404 when there is none). */
  async function indicator(id: number) {
    const i = await q.findIndicator(db, id);
    if (!i) throw new NotFoundError();
    const [d] = await withDetails([i]);
    return { ...d, history: await q.historyOf(db, [id]) };
  }

  const tx = <T>(fn: (trx: Trx) => Promise<T>) => db.transaction(fn);

  return {
    municipality,
    writePlan,
    writeObjective,
    writeIndicator,
    writeValue,
    savePlan: (actor: Actor, ubigeo: string, id: number | null, input: PlanInput) => tx((trx) => writePlan(trx, actor, ubigeo, id, input)),
    saveObjective: (actor: Actor, ubigeo: string, planId: number, input: ObjectiveInput) => tx((trx) => writeObjective(trx, actor, ubigeo, planId, input)),
    saveIndicator: (actor: Actor, ubigeo: string, id: number | null, input: IndicatorInput) => tx((trx) => writeIndicator(trx, actor, ubigeo, id, input)),
    saveValue: (actor: Actor, ubigeo: string, id: number, input: ValueInput, reason: string | null | undefined) => tx((trx) => writeValue(trx, actor, ubigeo, id, input, reason)),

    plans: (ubigeo: string) => q.plansOf(db, ubigeo),
    ownPlan: async (ubigeo: string, id: number) => {
      const p = await q.findPlan(db, id);
      if (!p || p.ubigeo !== ubigeo) throw new NotFoundError();
      return p;
    },
    objectives: (ubigeo: string) => q.objectivesOf(db, ubigeo),
    indicator,
    ownIndicator: async (ubigeo: string, id: number) => {
      const i = await indicator(id);
      if (i.ubigeo !== ubigeo) throw new NotFoundError();
      return i;
    },

    /**
     * A municipality's chain as a tree: plans → objectives → their indicators from the top level
     * down (each child under its parent), plus indicators with no objective.
     */
    async chain(ubigeo: string) {
      const m = await municipality(ubigeo);
      const [plans, objectives, rows] = await Promise.all([q.plansOf(db, ubigeo), q.objectivesOf(db, ubigeo), q.listIndicators(db, { ubigeo })]);
      const all = await withDetails(rows);
      const byId = new Map(all.map((i) => [i.id, i]));
      const roots: ChainIndicator[] = [];
      for (const i of all) {
        const p = i.parent_id ? byId.get(i.parent_id) : undefined;
        if (p) p.children.push(i);
        else roots.push(i);
      }
      const rank = (i: ChainIndicator) => -LEVELS.indexOf(i.level);
      roots.sort((a, b) => rank(a) - rank(b) || a.code.localeCompare(b.code));
      const history = await q.historyOf(
        db,
        all.map((i) => i.id),
      );
      return {
        municipality: m,
        plans: plans.map((p) => ({
          ...p,
          objectives: objectives
            .filter((o) => o.plan_id === p.id)
            .map((o) => ({
              ...o,
              indicators: roots.filter((i) => i.objective_id === o.id),
            })),
        })),
        unattached: roots.filter((i) => i.objective_id == null || !objectives.some((o) => o.id === i.objective_id)),
        indicators: all,
        history,
      };
    },

    /** The national list (filters), each indicator with its latest year's target, actual and flag. */
    async list(f: q.IndicatorFilter) {
      const rows = await withDetails(await q.listIndicators(db, f));
      return rows.map((r) => {
        const last = [...r.values].reverse().find((v) => v.actual != null) ?? r.values[r.values.length - 1] ?? null;
        return { ...r, latest: last };
      });
    },

    /** Flat rows for the CSV export and the API: one per indicator and year (one with no year when none). */
    async exportRows(f: q.IndicatorFilter) {
      const rows = await withDetails(await q.listIndicators(db, f));
      return rows.flatMap((r) => {
        const base = {
          ubigeo: r.ubigeo,
          municipality: r.municipality,
          department: r.department,
          code: r.code,
          name_es: r.name_es,
          name_en: r.name_en,
          level: r.level,
          type: r.type,
          unit: r.unit,
          direction: r.direction,
          baseline_value: r.baseline_value,
          baseline_year: r.baseline_year,
          objective_code: r.objective_code,
          parent_code: r.parent_code,
          pp_code: r.pp_code,
          pb_item_ids: r.items.map((i) => i.id).join(';'),
          commitment_ids: r.commitments.map((c) => c.id).join(';'),
          is_example: r.is_example,
        };
        const years: Array<Omit<ChainValue, 'indicator_id' | 'year'> & { year: number | null }> = r.values.length
          ? r.values
          : [{ year: null, target: null, baseline_target: null, actual: null, actual_source: null, on_track: null }];
        return years.map((v) => ({ ...base, year: v.year, target: v.target, baseline_target: v.baseline_target, actual: v.actual, actual_source: v.actual_source, on_track: v.on_track }));
      });
    },

    /** Objectives with their plan's columns, for the CSV export. */
    objectiveRows: (ubigeo?: string) => q.objectiveExportRows(db, ubigeo),
    history: (ids: number[]) => q.historyOf(db, ids),
  };
}

export type ResultsService = ReturnType<typeof createResultsService>;
