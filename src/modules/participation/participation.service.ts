import type { Knex } from 'knex';
import type { Db } from '../../db';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor, AuditService } from '../audit';
import * as q from './participation.queries';
import type { CommitmentInput, CommitmentUpdateInput, HearingInput, ItemInput, MilestoneInput, ProcessInput } from './participation.schemas';
import { COMMITMENT_STATUSES, DEFAULT_PROGRESS, EntityType, ITEM_STATUSES, ItemRow, ItemStatus, ListFilter } from './participation.types';

export interface StoredFile {
  name: string;
  originalName: string;
}

export interface Deps {
  db: Db;
  audit: AuditService;
  clock?: () => number;
}

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A timestamp both SQLite and MySQL take for TIMESTAMP columns. */
export const dbStamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const PROCESS_FIELDS = ['year', 'ordinance', 'agentes_participantes', 'preparacion_start', 'preparacion_end', 'concertacion_start', 'concertacion_end', 'coordinacion_start', 'coordinacion_end', 'formalizacion_start', 'formalizacion_end', 'committee_members', 'committee_contact'] as const;
const ITEM_FIELDS = ['year', 'priority', 'title_es', 'title_en', 'description_es', 'description_en', 'cui', 'total_cost', 'pia_amount', 'funding_source', 'beneficiaries', 'latitude', 'longitude', 'district_ubigeo', 'start_date', 'planned_end', 'status', 'progress_pct', 'finished_on'] as const;
const HEARING_FIELDS = ['held_on', 'period_from', 'period_to', 'place', 'link', 'summary_es', 'summary_en', 'attendance'] as const;
const COMMITMENT_FIELDS = ['text_es', 'text_en', 'responsible_office', 'due_on', 'status', 'fulfilled_on'] as const;

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
    const id = Number((await trx('pb_items').insert({ ...v, process_id: proc.id, ubigeo, is_example: false, created_at: stamp, updated_at: stamp }))[0]);
    await q.addHistory(trx, { entity_type: 'pb_item', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: String(v.status), progress_pct: Number(v.progress_pct), note: null });
    await record(trx, actor, 'pb_item.create', 'pb_item', id, ubigeo, null, v);
    return id;
  }

  /** Returns true when something changed. */
  async function changeItem(trx: Knex.Transaction, actor: Actor, ubigeo: string, before: ItemRow, input: ItemInput): Promise<boolean> {
    const v: Record<string, unknown> = itemValues(input, before);
    if (input.year !== before.year) {
      const proc = await q.findProcess(trx, { ubigeo, year: input.year });
      if (!proc) throw new ValidationError([{ field: 'year', key: 'participation:errors.process_missing' }], 422);
      v.process_id = proc.id;
    }
    const old = pick(before as unknown as Record<string, unknown>, ITEM_FIELDS);
    const changed = Object.keys(v).filter((k) => k !== 'process_id' && String(old[k as keyof typeof old] ?? '') !== String(v[k as keyof typeof v] ?? '') && !(typeof old[k as keyof typeof old] === 'number' && Number(old[k as keyof typeof old]) === Number(v[k as keyof typeof v])));
    if (!changed.length) return false;
    await trx('pb_items').where({ id: before.id, ubigeo }).update({ ...v, updated_at: dbStamp(clock()) });
    if (before.status !== v.status || Number(before.progress_pct) !== Number(v.progress_pct)) {
      await q.addHistory(trx, { entity_type: 'pb_item', entity_id: before.id, ubigeo, at: nowIso(), kind: 'changed', status: String(v.status), progress_pct: Number(v.progress_pct), note: null });
    }
    await record(trx, actor, 'pb_item.update', 'pb_item', before.id, ubigeo, old, v);
    return true;
  }

  async function insertCommitment(trx: Knex.Transaction, actor: Actor, ubigeo: string, hearingId: number, input: CommitmentInput): Promise<number> {
    await ownHearing(trx, ubigeo, hearingId);
    const v = pick(input as Record<string, unknown>, COMMITMENT_FIELDS);
    if (v.status === 'cumplido' && !v.fulfilled_on) v.fulfilled_on = today();
    const stamp = dbStamp(clock());
    const id = Number((await trx('commitments').insert({ ...v, hearing_id: hearingId, ubigeo, is_example: false, created_at: stamp, updated_at: stamp }))[0]);
    await q.addHistory(trx, { entity_type: 'commitment', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: String(v.status), progress_pct: null, note: null });
    await record(trx, actor, 'commitment.create', 'commitment', id, ubigeo, null, v);
    return id;
  }

  async function changeCommitment(trx: Knex.Transaction, actor: Actor, ubigeo: string, before: Awaited<ReturnType<typeof ownCommitment>>, input: CommitmentInput): Promise<boolean> {
    const v = pick(input as Record<string, unknown>, COMMITMENT_FIELDS);
    if (v.status === 'cumplido' && !v.fulfilled_on) v.fulfilled_on = before.fulfilled_on ?? today();
    if (v.status !== 'cumplido') v.fulfilled_on = null;
    const old = pick(before as unknown as Record<string, unknown>, COMMITMENT_FIELDS);
    const changed = COMMITMENT_FIELDS.filter((k) => String(old[k] ?? '') !== String(v[k] ?? ''));
    if (!changed.length) return false;
    await trx('commitments').where({ id: before.id, ubigeo }).update({ ...v, updated_at: dbStamp(clock()) });
    if (old.status !== v.status) await q.addHistory(trx, { entity_type: 'commitment', entity_id: before.id, ubigeo, at: nowIso(), kind: 'changed', status: String(v.status), progress_pct: null, note: null });
    await record(trx, actor, 'commitment.update', 'commitment', before.id, ubigeo, old, v);
    return true;
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
      const [process, milestones, history, observations] = await Promise.all([q.findProcess(db, { id: item.process_id }), q.milestonesOf(db, id), q.historyOf(db, 'pb_item', id), q.publishedObservations(db, 'pb_item', id)]);
      return { item, process, milestones, history, observations };
    },

    async processPage(ubigeo: string, year: number) {
      const process = await q.findProcess(db, { ubigeo, year });
      if (!process) throw new NotFoundError();
      return { process, items: await q.listItems(db, { ubigeo, year }, today()) };
    },

    async hearingPage(id: number) {
      const hearing = await q.findHearing(db, id);
      if (!hearing) throw new NotFoundError();
      return { hearing, commitments: await q.commitmentsOfHearing(db, id, today()) };
    },

    async commitmentPage(id: number) {
      const commitment = await q.findCommitment(db, id, today());
      if (!commitment) throw new NotFoundError();
      const [hearing, updates, history, observations] = await Promise.all([q.findHearing(db, commitment.hearing_id), q.updatesOf(db, id), q.historyOf(db, 'commitment', id), q.publishedObservations(db, 'commitment', id)]);
      return { commitment, hearing, updates, history, observations };
    },

    /** A municipality's delivery: items by status, cost-weighted progress, hearings held in May and September, commitments fulfilled on time. */
    async summary(ubigeo: string) {
      const [items, hearings, commitments] = await Promise.all([q.listItems(db, { ubigeo }, today()), q.listHearings(db, { ubigeo }), q.listCommitments(db, { ubigeo }, today())]);
      const byStatus = Object.fromEntries(ITEM_STATUSES.map((s) => [s, items.filter((i) => i.status === s).length]));
      const years = [...new Set([...hearings.map((h) => Number(h.held_on.slice(0, 4))), ...items.map((i) => i.year)])].sort((a, b) => b - a);
      const hearingYears = years.map((year) => ({
        year,
        may: hearings.some((h) => h.held_on.startsWith(`${year}-05`)),
        september: hearings.some((h) => h.held_on.startsWith(`${year}-09`)),
      }));
      const due = commitments.filter((c) => c.due_on <= today());
      const onTime = due.filter((c) => c.status === 'cumplido' && c.fulfilled_on != null && c.fulfilled_on <= c.due_on).length;
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
      const observations = await db('observations').select('id', 'entity_type', 'entity_id', 'org_name', 'body', 'created_at').where({ ubigeo, status: 'pending' }).orderBy('created_at');
      return { processes, items, hearings, commitments, observations };
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
        await record(trx, actor, 'pb_process.create', 'pb_process', id, ubigeo, null, v);
        return id;
      });
    },

    async updateProcess(actor: Actor, ubigeo: string, id: number, input: ProcessInput): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownProcess(trx, ubigeo, id);
        if (input.year !== before.year && (await q.findProcess(trx, { ubigeo, year: input.year }))) throw new ValidationError([{ field: 'year', key: 'participation:errors.process_exists' }], 422);
        const v = pick(input as Record<string, unknown>, PROCESS_FIELDS);
        await trx('pb_processes').where({ id, ubigeo }).update({ ...v, updated_at: dbStamp(clock()) });
        await trx('pb_items').where({ process_id: id }).update({ year: input.year });
        await record(trx, actor, 'pb_process.update', 'pb_process', id, ubigeo, pick(before as unknown as Record<string, unknown>, PROCESS_FIELDS), v);
      });
    },

    createItem: (actor: Actor, ubigeo: string, input: ItemInput) => db.transaction((trx) => insertItem(trx, actor, ubigeo, input)),
    updateItem: (actor: Actor, ubigeo: string, id: number, input: ItemInput) => db.transaction(async (trx) => changeItem(trx, actor, ubigeo, await ownItem(trx, ubigeo, id), input)),

    async deleteItem(actor: Actor, ubigeo: string, id: number): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownItem(trx, ubigeo, id);
        await trx('pb_items').where({ id, ubigeo }).delete();
        await trx('follows').where({ entity_type: 'pb_item', entity_id: id }).delete();
        await record(trx, actor, 'pb_item.delete', 'pb_item', id, ubigeo, before, null);
      });
    },

    async addMilestone(actor: Actor, ubigeo: string, itemId: number, input: MilestoneInput, file: StoredFile | null): Promise<void> {
      await db.transaction(async (trx) => {
        await ownItem(trx, ubigeo, itemId);
        const v = { ...pick(input as Record<string, unknown>, ['happened_on', 'title_es', 'title_en', 'text_es', 'text_en', 'evidence_url'] as const), evidence_file: file?.name ?? null, evidence_original_name: file?.originalName ?? null };
        await trx('pb_milestones').insert({ ...v, item_id: itemId, ubigeo, disputed: false, is_example: false, created_at: dbStamp(clock()) });
        await q.addHistory(trx, { entity_type: 'pb_item', entity_id: itemId, ubigeo, at: nowIso(), kind: 'milestone', status: null, progress_pct: null, note: String(input.title_es).slice(0, 300) });
        await record(trx, actor, 'pb_milestone.create', 'pb_item', itemId, ubigeo, null, v);
      });
    },

    async createHearing(actor: Actor, ubigeo: string, input: HearingInput, file: StoredFile | null): Promise<number> {
      return db.transaction(async (trx) => {
        const v = { ...pick(input as Record<string, unknown>, HEARING_FIELDS), report_file: file?.name ?? null, report_original_name: file?.originalName ?? null };
        const stamp = dbStamp(clock());
        const id = Number((await trx('hearings').insert({ ...v, ubigeo, is_example: false, created_at: stamp, updated_at: stamp }))[0]);
        await record(trx, actor, 'hearing.create', 'hearing', id, ubigeo, null, v);
        return id;
      });
    },

    async updateHearing(actor: Actor, ubigeo: string, id: number, input: HearingInput, file: StoredFile | null): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownHearing(trx, ubigeo, id);
        const v: Record<string, unknown> = pick(input as Record<string, unknown>, HEARING_FIELDS);
        if (file) Object.assign(v, { report_file: file.name, report_original_name: file.originalName });
        await trx('hearings').where({ id, ubigeo }).update({ ...v, updated_at: dbStamp(clock()) });
        await record(trx, actor, 'hearing.update', 'hearing', id, ubigeo, before, v);
      });
    },

    async deleteHearing(actor: Actor, ubigeo: string, id: number): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownHearing(trx, ubigeo, id);
        await trx('hearings').where({ id, ubigeo }).delete();
        await record(trx, actor, 'hearing.delete', 'hearing', id, ubigeo, before, null);
      });
    },

    createCommitment: (actor: Actor, ubigeo: string, hearingId: number, input: CommitmentInput) => db.transaction((trx) => insertCommitment(trx, actor, ubigeo, hearingId, input)),
    updateCommitment: (actor: Actor, ubigeo: string, id: number, input: CommitmentInput) => db.transaction(async (trx) => changeCommitment(trx, actor, ubigeo, await ownCommitment(trx, ubigeo, id), input)),

    async addCommitmentUpdate(actor: Actor, ubigeo: string, id: number, input: CommitmentUpdateInput): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownCommitment(trx, ubigeo, id);
        const v = pick(input as Record<string, unknown>, ['happened_on', 'status', 'text_es', 'text_en', 'evidence_url'] as const);
        await trx('commitment_updates').insert({ ...v, commitment_id: id, ubigeo, disputed: false, is_example: false, created_at: dbStamp(clock()) });
        const fulfilled = input.status === 'cumplido' ? (before.fulfilled_on ?? input.happened_on) : null;
        await trx('commitments').where({ id, ubigeo }).update({ status: input.status, fulfilled_on: fulfilled, updated_at: dbStamp(clock()) });
        await q.addHistory(trx, { entity_type: 'commitment', entity_id: id, ubigeo, at: nowIso(), kind: 'update', status: input.status, progress_pct: null, note: String(input.text_es).slice(0, 300) });
        await record(trx, actor, 'commitment.add_update', 'commitment', id, ubigeo, { status: before.status }, v);
      });
    },

    async decideObservation(actor: Actor, ubigeo: string, id: number, publish: boolean): Promise<void> {
      await db.transaction(async (trx) => {
        const o = await trx('observations').select('id', 'ubigeo', 'status', 'body').where('id', id).first();
        if (!o || o.ubigeo !== ubigeo || o.status !== 'pending') throw new NotFoundError();
        const status = publish ? 'published' : 'rejected';
        await trx('observations').where({ id }).update({ status, decided_at: nowIso() });
        await record(trx, actor, `observation.${publish ? 'publish' : 'reject'}`, 'observation', id, ubigeo, { status: 'pending' }, { status });
      });
    },

    // ---- residents and monitors ----
    async entityUbigeo(type: EntityType, id: number): Promise<string> {
      const row = await db(type === 'pb_item' ? 'pb_items' : 'commitments').select('ubigeo').where('id', id).first();
      if (!row) throw new NotFoundError();
      return row.ubigeo as string;
    },

    async follow(userId: number, type: EntityType, id: number): Promise<void> {
      await this.entityUbigeo(type, id);
      const exists = await db('follows').where({ user_id: userId, entity_type: type, entity_id: id }).first();
      if (!exists) await db('follows').insert({ user_id: userId, entity_type: type, entity_id: id, created_at: nowIso(), notified_until: nowIso() }).catch(() => undefined);
    },
    async unfollowAll(userId: number): Promise<void> {
      await db('follows').where({ user_id: userId }).delete();
    },
    async unfollow(userId: number, type: EntityType, id: number): Promise<void> {
      await db('follows').where({ user_id: userId, entity_type: type, entity_id: id }).delete();
    },
    async isFollowing(userId: number | undefined, type: EntityType, id: number): Promise<boolean> {
      if (!userId) return false;
      return !!(await db('follows').where({ user_id: userId, entity_type: type, entity_id: id }).first());
    },

    async observe(user: { id: number; org_name?: string | null }, type: EntityType, id: number, body: string): Promise<void> {
      const ubigeo = await this.entityUbigeo(type, id);
      const row = await db('users').select('org_name').where('id', user.id).first();
      await db('observations').insert({ user_id: user.id, org_name: row?.org_name ?? null, entity_type: type, entity_id: id, ubigeo, body, status: 'pending', created_at: nowIso() });
    },

    /** A monitor marks the evidence of a milestone or a commitment update as disputed; returns the page it belongs to. */
    async dispute(kind: 'milestone' | 'update', id: number): Promise<{ type: EntityType; id: number }> {
      if (kind === 'milestone') {
        const m = await db('pb_milestones').select('item_id').where('id', id).first();
        if (!m) throw new NotFoundError();
        await db('pb_milestones').where('id', id).update({ disputed: true });
        return { type: 'pb_item', id: Number(m.item_id) };
      }
      const u = await db('commitment_updates').select('commitment_id').where('id', id).first();
      if (!u) throw new NotFoundError();
      await db('commitment_updates').where('id', id).update({ disputed: true });
      return { type: 'commitment', id: Number(u.commitment_id) };
    },

    // used by the bulk import
    insertItem,
    changeItem,
    insertCommitment,
    changeCommitment,
  };
}

export type ParticipationService = ReturnType<typeof createParticipationService>;
