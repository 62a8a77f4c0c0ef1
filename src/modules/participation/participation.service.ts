import type { Knex } from 'knex';
import type { Db } from '../../db';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor, AuditService } from '../audit';
import * as q from './participation.queries';
import { CommitmentForm, CommitmentInput, CommitmentUpdateInput, HearingForm, HearingInput, ItemForm, ItemInput, MilestoneForm, MilestoneInput, ProcessForm, ProcessInput } from './participation.schemas';
import { COMMITMENT_STATUSES, CommitmentRow, DEFAULT_PROGRESS, ITEM_STATUSES, ItemRow, ItemStatus, ListFilter } from './participation.types';
import { changedFields, changesNeedingReason, FieldChange, fulfilledOnTime, hearingsOnTime, RecordKind, reprogrammingCount as reprogrammings, statusGoesBack as rankBack } from './participation.rules';
import { createMonitoringService } from './participation.monitoring';

export interface StoredFile {
  name: string;
  originalName: string;
}

export interface Deps {
  db: Db;
  audit: AuditService;
  clock?: () => number;
}

/** Who, for the public record: a role and the municipality it acts for, never a person. */
export const actorForRecord = (actor: Actor) => ({ actor_role: actor.role, actor_ubigeo: actor.role === 'official' ? (actor.municipality ?? null) : null });

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A timestamp both SQLite and MySQL take for TIMESTAMP columns. */
export const dbStamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

// The fields each form owns, from its zod schema (one list each; the reason is not a column).
const PROCESS_FIELDS = Object.keys(ProcessForm.shape) as Array<keyof ProcessInput>;
const ITEM_FIELDS = Object.keys(ItemForm.shape) as Array<keyof ItemInput>;
const HEARING_FIELDS = Object.keys(HearingForm.shape) as Array<keyof HearingInput>;
const COMMITMENT_FIELDS = Object.keys(CommitmentForm.shape) as Array<keyof CommitmentInput>;
const MILESTONE_FIELDS = Object.keys(MilestoneForm.shape) as Array<keyof MilestoneInput>;

/** Only the fields a form owns, every one present (null when not given): no mass assignment. */
const pick = <K extends string>(input: Record<string, unknown>, fields: readonly K[]) => Object.fromEntries(fields.map((f) => [f, input[f] ?? null])) as Record<K, unknown>;

export class ConflictError extends AppError {
  constructor(key = 'participation:errors.import_running') {
    super(key, 409);
  }
}

/** Progress an item gets: what the official typed, else the status default, else what it had. */
export function progressFor(status: ItemStatus, typed: number | undefined, previous: number): number {
  if (status === 'culminado') return 100;
  if (typed != null) return typed;
  return DEFAULT_PROGRESS[status] ?? previous;
}

/** Cost-weighted mean progress of items (0–100), null without items. */
export function costWeightedProgress(items: Array<Pick<ItemRow, 'total_cost' | 'progress_pct'>>): number | null {
  const cost = items.reduce((s, i) => s + i.total_cost, 0);
  if (!items.length) return null;
  if (!cost) return items.reduce((s, i) => s + i.progress_pct, 0) / items.length;
  return items.reduce((s, i) => s + i.total_cost * i.progress_pct, 0) / cost;
}

/**
 * Participatory budget (processes, prioritised items, milestones) and accountability (hearings,
 * commitments, updates): public reads, and changes by the officials of each municipality.
 * Every changing method takes the municipality the official acts for and answers 404 for rows
 * of any other one.
 */
export function createParticipationService({ db, audit, clock = Date.now }: Deps) {
  const who = actorForRecord;
  const today = () => isoDay(clock());
  const nowIso = () => new Date(clock()).toISOString();

  async function ownItem(trx: Db | Knex.Transaction, ubigeo: string, id: number) {
    const it = await q.findItem(trx, id, today());
    if (!it || it.ubigeo !== ubigeo) throw new NotFoundError();
    return it;
  }
  async function ownHearing(trx: Db | Knex.Transaction, ubigeo: string, id: number) {
    const h = await q.findHearing(trx, id);
    if (!h || h.ubigeo !== ubigeo) throw new NotFoundError();
    return h;
  }
  async function ownCommitment(trx: Db | Knex.Transaction, ubigeo: string, id: number) {
    const c = await q.findCommitment(trx, id, today());
    if (!c || c.ubigeo !== ubigeo) throw new NotFoundError();
    return c;
  }
  async function ownProcess(trx: Db | Knex.Transaction, ubigeo: string, id: number) {
    const p = await q.findProcess(trx, { id });
    if (!p || p.ubigeo !== ubigeo) throw new NotFoundError();
    return p;
  }

  const record = (trx: Knex.Transaction, actor: Actor, action: string, entityType: string, entityId: number, ubigeo: string, before: unknown, after: unknown) =>
    audit.record(trx, actor, { action, entityType, entityId: String(entityId), municipality: ubigeo, before, after });

  /** Appends one public history row per changed field (the record is never edited). */
  async function recordChanges(trx: Knex.Transaction, actor: Actor, kind: RecordKind, id: number, ubigeo: string, changes: FieldChange[], reason: string | null, now: Record<string, unknown>) {
    for (const c of changes) {
      await q.addHistory(trx, { entity_type: kind, entity_id: id, ubigeo, at: nowIso(), kind: 'changed', field: c.field, old_value: c.old, new_value: c.new, reason, status: now.status == null ? null : String(now.status), progress_pct: now.progress_pct == null ? null : Number(now.progress_pct), note: null, ...who(actor) });
    }
  }

  /** The changed fields, refused (422) when a change that needs a public reason comes without one. */
  function reasonedChanges(kind: RecordKind, before: Record<string, unknown>, after: Record<string, unknown>, reason: string | null | undefined): FieldChange[] {
    const changes = changedFields(kind, before, after);
    const needing = changesNeedingReason(kind, changes);
    if (needing.length && !reason?.trim()) throw new ValidationError([{ field: 'reason', key: 'participation:errors.reason_required' }], 422);
    return changes;
  }

  function itemValues(input: ItemInput, previous?: ItemRow) {
    const v = pick(input as Record<string, unknown>, ITEM_FIELDS);
    v.progress_pct = progressFor(input.status, input.progress_pct, previous?.progress_pct ?? 0);
    if (input.status === 'culminado' && !input.finished_on) v.finished_on = previous?.finished_on ?? today();
    if (input.status !== 'culminado') v.finished_on = null;
    return v;
  }

  async function insertItem(trx: Knex.Transaction, actor: Actor, ubigeo: string, input: ItemInput): Promise<number> {
    const proc = await q.findProcess(trx, { ubigeo, year: input.year });
    if (!proc) throw new ValidationError([{ field: 'year', key: 'participation:errors.process_missing' }], 422);
    const v = itemValues(input);
    const stamp = dbStamp(clock());
    const id = Number((await trx('pb_items').insert({ ...v, baseline_planned_end: v.planned_end, baseline_total_cost: v.total_cost, process_id: proc.id, ubigeo, is_example: false, created_at: stamp, updated_at: stamp }))[0]);
    await q.addHistory(trx, { entity_type: 'pb_item', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: String(v.status), progress_pct: Number(v.progress_pct), note: null, ...who(actor) });
    await record(trx, actor, 'pb_item.create', 'pb_item', id, ubigeo, null, v);
    return id;
  }

  /** Returns true when something changed; a moved date or cost, or a step back, needs a reason. */
  async function changeItem(trx: Knex.Transaction, actor: Actor, ubigeo: string, before: ItemRow, input: ItemInput, reason?: string | null): Promise<boolean> {
    if (before.withdrawn_at) throw new ValidationError([{ field: 'reason', key: 'participation:errors.withdrawn' }], 422);
    const v: Record<string, unknown> = itemValues(input, before);
    if (input.year !== before.year) {
      const proc = await q.findProcess(trx, { ubigeo, year: input.year });
      if (!proc) throw new ValidationError([{ field: 'year', key: 'participation:errors.process_missing' }], 422);
      v.process_id = proc.id;
    }
    const changes = reasonedChanges('pb_item', before as unknown as Record<string, unknown>, v, reason);
    if (!changes.length) return false;
    // The first published planned end and cost stay the baseline; a value given for the first time becomes it.
    const baseline = { ...(before.baseline_planned_end == null && v.planned_end != null ? { baseline_planned_end: v.planned_end } : {}), ...(before.baseline_total_cost == null ? { baseline_total_cost: v.total_cost } : {}) };
    await trx('pb_items').where({ id: before.id, ubigeo }).update({ ...v, ...baseline, updated_at: dbStamp(clock()) });
    await recordChanges(trx, actor, 'pb_item', before.id, ubigeo, changes, reason?.trim() || null, v);
    await record(trx, actor, 'pb_item.update', 'pb_item', before.id, ubigeo, pick(before as unknown as Record<string, unknown>, ITEM_FIELDS), { ...v, reason: reason ?? null });
    return true;
  }

  async function insertCommitment(trx: Knex.Transaction, actor: Actor, ubigeo: string, hearingId: number, input: CommitmentInput): Promise<number> {
    await ownHearing(trx, ubigeo, hearingId);
    const v = pick(input as Record<string, unknown>, COMMITMENT_FIELDS);
    if (v.status === 'cumplido' && !v.fulfilled_on) v.fulfilled_on = today();
    const stamp = dbStamp(clock());
    const id = Number((await trx('commitments').insert({ ...v, baseline_due_on: v.due_on, hearing_id: hearingId, ubigeo, is_example: false, created_at: stamp, updated_at: stamp }))[0]);
    await q.addHistory(trx, { entity_type: 'commitment', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: String(v.status), progress_pct: null, note: null, ...who(actor) });
    await record(trx, actor, 'commitment.create', 'commitment', id, ubigeo, null, v);
    return id;
  }

  async function changeCommitment(trx: Knex.Transaction, actor: Actor, ubigeo: string, before: CommitmentRow, input: CommitmentInput, reason?: string | null): Promise<boolean> {
    const v = pick(input as Record<string, unknown>, COMMITMENT_FIELDS);
    if (v.status === 'cumplido' && !v.fulfilled_on) v.fulfilled_on = before.fulfilled_on ?? today();
    if (v.status !== 'cumplido') v.fulfilled_on = null;
    const changes = reasonedChanges('commitment', before as unknown as Record<string, unknown>, v, reason);
    if (!changes.length) return false;
    await trx('commitments').where({ id: before.id, ubigeo }).update({ ...v, updated_at: dbStamp(clock()) });
    await recordChanges(trx, actor, 'commitment', before.id, ubigeo, changes, reason?.trim() || null, v);
    await record(trx, actor, 'commitment.update', 'commitment', before.id, ubigeo, pick(before as unknown as Record<string, unknown>, COMMITMENT_FIELDS), { ...v, reason: reason ?? null });
    return true;
  }

  /** A hearing's values; a hearing cannot be recorded as held on a date that has not come. */
  function hearingValues(input: HearingInput) {
    const v = pick(input as Record<string, unknown>, HEARING_FIELDS);
    if (v.state === 'realizada' && String(v.held_on) > today()) throw new ValidationError([{ field: 'state', key: 'participation:errors.hearing_future_held' }], 422);
    if ((v.state === 'no_realizada' || v.state === 'cancelada') && !v.state_reason) throw new ValidationError([{ field: 'state_reason', key: 'participation:errors.state_reason_required' }], 422);
    return v;
  }

  return {
    today,
    // ---- public reads ----
    listItems: (f: ListFilter) => q.listItems(db, f, today()),
    /** One page of the public list (`pageSize` rows) and the number of matching items. */
    async listItemsPage(f: ListFilter, page: number, pageSize: number) {
      const total = await q.countItems(db, f, today());
      const pages = Math.max(1, Math.ceil(total / pageSize));
      const current = Math.min(Math.max(1, page), pages);
      return { items: await q.listItems(db, f, today(), pageSize, (current - 1) * pageSize), total, page: current, pages };
    },
    listCommitments: (f: ListFilter) => q.listCommitments(db, f, today()),
    listHearings: (f: ListFilter) => q.listHearings(db, f),
    listProcesses: (ubigeo: string) => q.listProcesses(db, ubigeo),

    async itemPage(id: number) {
      const item = await q.findItem(db, id, today());
      if (!item) throw new NotFoundError();
      const [process, milestones, history, observations, disputes] = await Promise.all([q.findProcess(db, { id: item.process_id }), q.milestonesOf(db, id), q.historyOf(db, 'pb_item', id), q.publicObservations(db, 'pb_item', id), q.disputesOf(db, 'pb_item', id)]);
      return { item, process, milestones, history, observations, disputes, reprogrammed: reprogrammings(history, 'planned_end') };
    },

    async processPage(ubigeo: string, year: number) {
      const process = await q.findProcess(db, { ubigeo, year });
      if (!process) throw new NotFoundError();
      return { process, items: await q.listItems(db, { ubigeo, year }, today()) };
    },

    async hearingPage(id: number) {
      const hearing = await q.findHearing(db, id);
      if (!hearing) throw new NotFoundError();
      const [commitments, history] = await Promise.all([q.commitmentsOfHearing(db, id, today()), q.historyOf(db, 'hearing', id)]);
      return { hearing, commitments, history, reprogrammed: reprogrammings(history, 'held_on') };
    },

    async commitmentPage(id: number) {
      const commitment = await q.findCommitment(db, id, today());
      if (!commitment) throw new NotFoundError();
      const [hearing, updates, history, observations, disputes] = await Promise.all([q.findHearing(db, commitment.hearing_id), q.updatesOf(db, id), q.historyOf(db, 'commitment', id), q.publicObservations(db, 'commitment', id), q.disputesOf(db, 'commitment', id)]);
      return { commitment, hearing, updates, history, observations, disputes, reprogrammed: reprogrammings(history, 'due_on') };
    },

    /** A municipality's delivery: items by status, cost-weighted progress, hearings held in May and September, commitments fulfilled on time. */
    async summary(ubigeo: string) {
      const [items, hearings, commitments] = await Promise.all([q.listItems(db, { ubigeo }, today()), q.listHearings(db, { ubigeo }), q.listCommitments(db, { ubigeo }, today())]);
      const byStatus = Object.fromEntries(ITEM_STATUSES.map((s) => [s, items.filter((i) => i.status === s).length]));
      const years = [...new Set([...hearings.map((h) => Number(h.held_on.slice(0, 4))), ...items.map((i) => i.year)])].sort((a, b) => b - a);
      const hearingYears = years.map((year) => ({ year, ...hearingsOnTime(hearings, year, today()) }));
      // Judged against the baseline: a commitment is due from its first published due date.
      const due = commitments.filter((c) => c.baseline_due_on <= today());
      const onTime = due.filter(fulfilledOnTime).length;
      const commitmentsByStatus = Object.fromEntries(COMMITMENT_STATUSES.map((s) => [s, commitments.filter((c) => c.status === s).length]));
      return {
        items,
        hearings,
        commitments,
        byStatus,
        progress: costWeightedProgress(items),
        totalCost: items.reduce((s, i) => s + i.total_cost, 0),
        overdueItems: items.filter((i) => i.overdue).length,
        hearingYears,
        commitmentsByStatus,
        dueCount: due.length,
        onTime,
        onTimePct: due.length ? (onTime / due.length) * 100 : null,
        overdueCommitments: commitments.filter((c) => c.overdue).length,
        hasExamples: items.some((i) => i.is_example) || hearings.some((h) => h.is_example) || commitments.some((c) => c.is_example),
      };
    },

    /** Every public record page (ids and process keys) for the sitemap. */
    async publicPages(): Promise<{ items: number[]; processes: Array<{ ubigeo: string; year: number }>; hearings: number[]; commitments: number[] }> {
      const [items, processes, hearings, commitments] = await Promise.all([
        db('pb_items').select('id').orderBy('id'),
        db('pb_processes').select('ubigeo', 'year').orderBy(['ubigeo', 'year']),
        db('hearings').select('id').orderBy('id'),
        db('commitments').select('id').orderBy('id'),
      ]);
      const ids = (rows: Array<{ id: number | string }>) => rows.map((r) => Number(r.id));
      return { items: ids(items), processes: processes.map((p: { ubigeo: string; year: number | string }) => ({ ubigeo: String(p.ubigeo), year: Number(p.year) })), hearings: ids(hearings), commitments: ids(commitments) };
    },

    /** District, province and department names of a municipality (page titles tell same-named ones apart). */
    async municipalityPlace(ubigeo: string): Promise<{ district: string; province: string; department: string }> {
      const m = await db('municipalities as m').join('provinces as p', 'p.code', 'm.province_code').join('departments as d', 'd.code', 'm.department_code').select('m.district', 'p.name as province', 'd.name as department').where('m.ubigeo', ubigeo).first();
      if (!m) throw new NotFoundError();
      return { district: String(m.district), province: String(m.province), department: String(m.department) };
    },

    async municipalityName(ubigeo: string): Promise<string> {
      const m = await db('municipalities').select('district').where('ubigeo', ubigeo).first();
      if (!m) throw new NotFoundError();
      return m.district as string;
    },

    async reportFile(hearingId: number): Promise<StoredFile> {
      const h = await q.findHearing(db, hearingId);
      if (!h?.report_file) throw new NotFoundError();
      return { name: h.report_file, originalName: h.report_original_name ?? 'informe.pdf' };
    },

    async evidenceFile(milestoneId: number): Promise<StoredFile> {
      const m = await db('pb_milestones').select('evidence_file', 'evidence_original_name').where('id', milestoneId).first();
      if (!m?.evidence_file) throw new NotFoundError();
      return { name: m.evidence_file, originalName: m.evidence_original_name ?? 'evidencia.pdf' };
    },

    // ---- officials (municipality already checked by the route's guard; rows are re-checked here) ----
    async manageOverview(ubigeo: string) {
      const [processes, items, hearings, commitments] = await Promise.all([q.listProcesses(db, ubigeo), q.listItems(db, { ubigeo }, today()), q.listHearings(db, { ubigeo }), q.listCommitments(db, { ubigeo }, today())]);
      const [observations, disputes] = await Promise.all([q.observationsToAnswer(db, ubigeo), q.disputesToAnswer(db, ubigeo)]);
      return { processes, items, hearings, commitments, observations, disputes };
    },
    ownItem: (ubigeo: string, id: number) => ownItem(db, ubigeo, id),
    ownHearing: (ubigeo: string, id: number) => ownHearing(db, ubigeo, id),
    ownCommitment: (ubigeo: string, id: number) => ownCommitment(db, ubigeo, id),
    ownProcess: (ubigeo: string, id: number) => ownProcess(db, ubigeo, id),
    milestonesOf: (id: number) => q.milestonesOf(db, id),
    updatesOf: (id: number) => q.updatesOf(db, id),

    async createProcess(actor: Actor, ubigeo: string, input: ProcessInput): Promise<number> {
      return db.transaction(async (trx) => {
        if (await q.findProcess(trx, { ubigeo, year: input.year })) throw new ValidationError([{ field: 'year', key: 'participation:errors.process_exists' }], 422);
        const v = pick(input as Record<string, unknown>, PROCESS_FIELDS);
        const stamp = dbStamp(clock());
        const id = Number((await trx('pb_processes').insert({ ...v, ubigeo, is_example: false, created_at: stamp, updated_at: stamp }))[0]);
        await q.addHistory(trx, { entity_type: 'pb_process', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: null, progress_pct: null, note: null, ...who(actor) });
        await record(trx, actor, 'pb_process.create', 'pb_process', id, ubigeo, null, v);
        return id;
      });
    },

    async updateProcess(actor: Actor, ubigeo: string, id: number, input: ProcessInput, reason?: string | null): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownProcess(trx, ubigeo, id);
        if (input.year !== before.year && (await q.findProcess(trx, { ubigeo, year: input.year }))) throw new ValidationError([{ field: 'year', key: 'participation:errors.process_exists' }], 422);
        const v = pick(input as Record<string, unknown>, PROCESS_FIELDS);
        const changes = reasonedChanges('pb_process', before as unknown as Record<string, unknown>, v, reason);
        if (!changes.length) return;
        await recordChanges(trx, actor, 'pb_process', id, ubigeo, changes, reason?.trim() || null, {});
        await trx('pb_processes').where({ id, ubigeo }).update({ ...v, updated_at: dbStamp(clock()) });
        await trx('pb_items').where({ process_id: id }).update({ year: input.year });
        await record(trx, actor, 'pb_process.update', 'pb_process', id, ubigeo, pick(before as unknown as Record<string, unknown>, PROCESS_FIELDS), v);
      });
    },

    createItem: (actor: Actor, ubigeo: string, input: ItemInput) => db.transaction((trx) => insertItem(trx, actor, ubigeo, input)),
    updateItem: (actor: Actor, ubigeo: string, id: number, input: ItemInput, reason?: string | null) => db.transaction(async (trx) => changeItem(trx, actor, ubigeo, await ownItem(trx, ubigeo, id), input, reason)),

    /** A published item is never deleted: it is withdrawn with a public reason and stays on the record. */
    async withdrawItem(actor: Actor, ubigeo: string, id: number, reason: string): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownItem(trx, ubigeo, id);
        if (before.withdrawn_at) return;
        await trx('pb_items').where({ id, ubigeo }).update({ withdrawn_at: nowIso(), withdrawn_reason: reason, updated_at: dbStamp(clock()) });
        await q.addHistory(trx, { entity_type: 'pb_item', entity_id: id, ubigeo, at: nowIso(), kind: 'withdrawn', status: before.status, progress_pct: before.progress_pct, note: null, reason, ...who(actor) });
        await record(trx, actor, 'pb_item.withdraw', 'pb_item', id, ubigeo, { withdrawn_at: null }, { withdrawn_at: nowIso(), reason });
      });
    },

    async addMilestone(actor: Actor, ubigeo: string, itemId: number, input: MilestoneInput, file: StoredFile | null): Promise<void> {
      await db.transaction(async (trx) => {
        await ownItem(trx, ubigeo, itemId);
        const v = { ...pick(input as Record<string, unknown>, MILESTONE_FIELDS), evidence_file: file?.name ?? null, evidence_original_name: file?.originalName ?? null };
        await trx('pb_milestones').insert({ ...v, item_id: itemId, ubigeo, disputed: false, is_example: false, created_at: dbStamp(clock()) });
        await q.addHistory(trx, { entity_type: 'pb_item', entity_id: itemId, ubigeo, at: nowIso(), kind: 'milestone', status: null, progress_pct: null, note: String(input.title_es).slice(0, 300), ...who(actor) });
        await record(trx, actor, 'pb_milestone.create', 'pb_item', itemId, ubigeo, null, v);
      });
    },

    async createHearing(actor: Actor, ubigeo: string, input: HearingInput, file: StoredFile | null): Promise<number> {
      return db.transaction(async (trx) => {
        const v = { ...hearingValues(input), report_file: file?.name ?? null, report_original_name: file?.originalName ?? null };
        const stamp = dbStamp(clock());
        const id = Number((await trx('hearings').insert({ ...v, ubigeo, is_example: false, created_at: stamp, updated_at: stamp }))[0]);
        await q.addHistory(trx, { entity_type: 'hearing', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: String(v.state), progress_pct: null, note: null, ...who(actor) });
        await record(trx, actor, 'hearing.create', 'hearing', id, ubigeo, null, v);
        return id;
      });
    },

    async updateHearing(actor: Actor, ubigeo: string, id: number, input: HearingInput, file: StoredFile | null, reason?: string | null): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownHearing(trx, ubigeo, id);
        if (before.withdrawn_at) throw new ValidationError([{ field: 'reason', key: 'participation:errors.withdrawn' }], 422);
        const v: Record<string, unknown> = hearingValues(input);
        if (file) Object.assign(v, { report_file: file.name, report_original_name: file.originalName });
        const changes = reasonedChanges('hearing', before as unknown as Record<string, unknown>, v, reason);
        if (!changes.length) return;
        await trx('hearings').where({ id, ubigeo }).update({ ...v, updated_at: dbStamp(clock()) });
        await recordChanges(trx, actor, 'hearing', id, ubigeo, changes, reason?.trim() || null, { status: v.state });
        await record(trx, actor, 'hearing.update', 'hearing', id, ubigeo, before, { ...v, reason: reason ?? null });
      });
    },

    /** A published hearing is never deleted (nor its report): it is withdrawn with a public reason. */
    async withdrawHearing(actor: Actor, ubigeo: string, id: number, reason: string): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownHearing(trx, ubigeo, id);
        if (before.withdrawn_at) return;
        await trx('hearings').where({ id, ubigeo }).update({ withdrawn_at: nowIso(), withdrawn_reason: reason, updated_at: dbStamp(clock()) });
        await q.addHistory(trx, { entity_type: 'hearing', entity_id: id, ubigeo, at: nowIso(), kind: 'withdrawn', status: before.state, progress_pct: null, note: null, reason, ...who(actor) });
        await record(trx, actor, 'hearing.withdraw', 'hearing', id, ubigeo, { withdrawn_at: null }, { withdrawn_at: nowIso(), reason });
      });
    },

    createCommitment: (actor: Actor, ubigeo: string, hearingId: number, input: CommitmentInput) => db.transaction((trx) => insertCommitment(trx, actor, ubigeo, hearingId, input)),
    updateCommitment: (actor: Actor, ubigeo: string, id: number, input: CommitmentInput, reason?: string | null) => db.transaction(async (trx) => changeCommitment(trx, actor, ubigeo, await ownCommitment(trx, ubigeo, id), input, reason)),

    async addCommitmentUpdate(actor: Actor, ubigeo: string, id: number, input: CommitmentUpdateInput): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownCommitment(trx, ubigeo, id);
        const v = pick(input as Record<string, unknown>, ['happened_on', 'status', 'text_es', 'text_en', 'evidence_url'] as const);
        await trx('commitment_updates').insert({ ...v, commitment_id: id, ubigeo, disputed: false, is_example: false, created_at: dbStamp(clock()) });
        const fulfilled = input.status === 'cumplido' ? (before.fulfilled_on ?? input.happened_on) : null;
        await trx('commitments').where({ id, ubigeo }).update({ status: input.status, fulfilled_on: fulfilled, updated_at: dbStamp(clock()) });
        if (rankBack(before.status, input.status) && !input.reason?.trim()) throw new ValidationError([{ field: 'reason', key: 'participation:errors.reason_required' }], 422);
        await q.addHistory(trx, { entity_type: 'commitment', entity_id: id, ubigeo, at: nowIso(), kind: 'update', status: input.status, progress_pct: null, note: String(input.text_es).slice(0, 300), field: before.status !== input.status ? 'status' : null, old_value: before.status !== input.status ? before.status : null, new_value: before.status !== input.status ? input.status : null, reason: input.reason?.trim() || null, ...who(actor) });
        await record(trx, actor, 'commitment.add_update', 'commitment', id, ubigeo, { status: before.status }, v);
      });
    },

    /** The official's public answer to a published observation about their municipality. */
    async answerObservation(actor: Actor, ubigeo: string, id: number, answer: string): Promise<void> {
      await db.transaction(async (trx) => {
        const o = await q.findObservation(trx, id);
        if (!o || o.ubigeo !== ubigeo || o.status !== 'published') throw new NotFoundError();
        await q.setObservationAnswer(trx, id, answer, nowIso());
        await record(trx, actor, 'observation.answer', 'observation', id, ubigeo, { answer: o.answer }, { answer });
      });
    },

    // ---- residents and monitors: follows, observations, disputes ----
    ...createMonitoringService({ db, audit, clock }),

    // used by the bulk import
    insertItem,
    changeItem,
    insertCommitment,
    changeCommitment,
  };
}

export type ParticipationService = ReturnType<typeof createParticipationService>;
