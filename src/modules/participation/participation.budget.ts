import type { Knex } from 'knex';
import type { Db } from '../../db';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor } from '../audit';
import * as q from './participation.queries';
import { proposalOfItem } from './participation.proposal-queries';
import { actorForRecord as who, pick, RecordWriter, StoredFile, storedFile } from './participation.record';
import { reprogrammingCount as reprogrammings } from './participation.rules';
import { ItemForm, ItemInput, MilestoneForm, MilestoneInput, ProcessForm, ProcessInput } from './participation.schemas';
import { DEFAULT_PROGRESS, ItemRow, ItemStatus, ListFilter } from './participation.types';

// The fields each form owns, from its zod schema (one list each; the reason is not a column).
const PROCESS_FIELDS = Object.keys(ProcessForm.shape) as Array<keyof ProcessInput>;
const ITEM_FIELDS = Object.keys(ItemForm.shape) as Array<keyof ItemInput>;
const MILESTONE_FIELDS = Object.keys(MilestoneForm.shape) as Array<keyof MilestoneInput>;

/** Progress an item gets: what the official typed, else the status default, else what it had. */
export function progressFor(status: ItemStatus, typed: number | undefined, previous: number): number {
  if (status === 'culminado') return 100;
  if (typed != null) return typed;
  return DEFAULT_PROGRESS[status] ?? previous;
}

/**
 * Participatory budget: processes, prioritised items and their milestones; public reads, and
 * changes by the officials of each municipality (rows of any other one answer 404).
 */
export function createBudgetService({ db, record }: { db: Db; record: RecordWriter }) {
  const { today, nowIso, stamp, audited, recordChanges, reasonedChanges } = record;

  async function ownItem(trx: Db | Knex.Transaction, ubigeo: string, id: number) {
    const it = await q.findItem(trx, id, today());
    if (!it || it.ubigeo !== ubigeo) throw new NotFoundError();
    return it;
  }
  async function ownProcess(trx: Db | Knex.Transaction, ubigeo: string, id: number) {
    const p = await q.findProcess(trx, { id });
    if (!p || p.ubigeo !== ubigeo) throw new NotFoundError();
    return p;
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
    const at = stamp();
    const id = await q.insertItem(trx, {
      ...v,
      baseline_planned_end: v.planned_end,
      baseline_total_cost: v.total_cost,
      process_id: proc.id,
      ubigeo,
      is_example: false,
      created_at: at,
      updated_at: at,
    });
    await q.addHistory(trx, {
      entity_type: 'pb_item',
      entity_id: id,
      ubigeo,
      at: nowIso(),
      kind: 'created',
      status: String(v.status),
      progress_pct: Number(v.progress_pct),
      note: null,
      ...who(actor),
    });
    await audited(trx, actor, 'pb_item.create', 'pb_item', id, ubigeo, null, v);
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
    const baseline = {
      ...(before.baseline_planned_end == null && v.planned_end != null ? { baseline_planned_end: v.planned_end } : {}),
      ...(before.baseline_total_cost == null ? { baseline_total_cost: v.total_cost } : {}),
    };
    await q.updateItem(trx, before.id, ubigeo, { ...v, ...baseline, updated_at: stamp() });
    await recordChanges(trx, actor, 'pb_item', before.id, ubigeo, changes, reason?.trim() || null, v);
    await audited(trx, actor, 'pb_item.update', 'pb_item', before.id, ubigeo, pick(before as unknown as Record<string, unknown>, ITEM_FIELDS), { ...v, reason: reason ?? null });
    return true;
  }

  return {
    // ---- public reads ----
    listItems: (f: ListFilter) => q.listItems(db, f, today()),
    /** One page of the public list (`pageSize` rows) and the number of matching items. */
    async listItemsPage(f: ListFilter, page: number, pageSize: number) {
      const total = await q.countItems(db, f, today());
      const pages = Math.max(1, Math.ceil(total / pageSize));
      const current = Math.min(Math.max(1, page), pages);
      return { items: await q.listItems(db, f, today(), pageSize, (current - 1) * pageSize), total, page: current, pages };
    },
    listProcesses: (ubigeo: string) => q.listProcesses(db, ubigeo),

    async itemPage(id: number) {
      const item = await q.findItem(db, id, today());
      if (!item) throw new NotFoundError();
      const [process, milestones, history, observations, disputes] = await Promise.all([
        q.findProcess(db, { id: item.process_id }),
        q.milestonesOf(db, id),
        q.historyOf(db, 'pb_item', id),
        q.publicObservations(db, 'pb_item', id),
        q.disputesOf(db, 'pb_item', id),
      ]);
      const fromProposal = await proposalOfItem(db, id);
      return { item, process, milestones, history, observations, disputes, fromProposal, reprogrammed: reprogrammings(history, 'planned_end') };
    },

    async processPage(ubigeo: string, year: number) {
      const process = await q.findProcess(db, { ubigeo, year });
      if (!process) throw new NotFoundError();
      return { process, items: await q.listItems(db, { ubigeo, year }, today()) };
    },

    evidenceFile: (milestoneId: number): Promise<StoredFile> => q.milestoneEvidence(db, milestoneId).then((m) => storedFile(m?.evidence_file, m?.evidence_original_name, 'evidencia.pdf')),

    // ---- officials (municipality already checked by the route's guard; rows are re-checked here) ----
    ownItem: (ubigeo: string, id: number) => ownItem(db, ubigeo, id),
    ownProcess: (ubigeo: string, id: number) => ownProcess(db, ubigeo, id),
    milestonesOf: (id: number) => q.milestonesOf(db, id),

    async createProcess(actor: Actor, ubigeo: string, input: ProcessInput): Promise<number> {
      return db.transaction(async (trx) => {
        if (await q.findProcess(trx, { ubigeo, year: input.year })) throw new ValidationError([{ field: 'year', key: 'participation:errors.process_exists' }], 422);
        const v = pick(input as Record<string, unknown>, PROCESS_FIELDS);
        const at = stamp();
        const id = await q.insertProcess(trx, { ...v, ubigeo, is_example: false, created_at: at, updated_at: at });
        await q.addHistory(trx, { entity_type: 'pb_process', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: null, progress_pct: null, note: null, ...who(actor) });
        await audited(trx, actor, 'pb_process.create', 'pb_process', id, ubigeo, null, v);
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
        await q.updateProcess(trx, id, ubigeo, { ...v, updated_at: stamp() });
        await q.setItemsYear(trx, id, input.year); // an item's year is its process's
        await audited(trx, actor, 'pb_process.update', 'pb_process', id, ubigeo, pick(before as unknown as Record<string, unknown>, PROCESS_FIELDS), v);
      });
    },

    createItem: (actor: Actor, ubigeo: string, input: ItemInput) => db.transaction((trx) => insertItem(trx, actor, ubigeo, input)),
    updateItem: (actor: Actor, ubigeo: string, id: number, input: ItemInput, reason?: string | null) =>
      db.transaction(async (trx) => changeItem(trx, actor, ubigeo, await ownItem(trx, ubigeo, id), input, reason)),

    /** A published item is never deleted: it is withdrawn with a public reason and stays on the record. */
    async withdrawItem(actor: Actor, ubigeo: string, id: number, reason: string): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownItem(trx, ubigeo, id);
        if (before.withdrawn_at) return;
        await q.updateItem(trx, id, ubigeo, { withdrawn_at: nowIso(), withdrawn_reason: reason, updated_at: stamp() });
        await q.addHistory(trx, {
          entity_type: 'pb_item',
          entity_id: id,
          ubigeo,
          at: nowIso(),
          kind: 'withdrawn',
          status: before.status,
          progress_pct: before.progress_pct,
          note: null,
          reason,
          ...who(actor),
        });
        await audited(trx, actor, 'pb_item.withdraw', 'pb_item', id, ubigeo, { withdrawn_at: null }, { withdrawn_at: nowIso(), reason });
      });
    },

    async addMilestone(actor: Actor, ubigeo: string, itemId: number, input: MilestoneInput, file: StoredFile | null): Promise<void> {
      await db.transaction(async (trx) => {
        await ownItem(trx, ubigeo, itemId);
        const v = { ...pick(input as Record<string, unknown>, MILESTONE_FIELDS), evidence_file: file?.name ?? null, evidence_original_name: file?.originalName ?? null };
        await q.insertMilestone(trx, { ...v, item_id: itemId, ubigeo, disputed: false, is_example: false, created_at: stamp() });
        await q.addHistory(trx, {
          entity_type: 'pb_item',
          entity_id: itemId,
          ubigeo,
          at: nowIso(),
          kind: 'milestone',
          status: null,
          progress_pct: null,
          note: String(input.title_es).slice(0, 300),
          ...who(actor),
        });
        await audited(trx, actor, 'pb_milestone.create', 'pb_item', itemId, ubigeo, null, v);
      });
    },

    // used by the bulk import
    insertItem,
    changeItem,
  };
}
