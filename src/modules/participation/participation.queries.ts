import type { Knex } from 'knex';
import { isMysql, typedRow, type Db } from '../../db';
import type { CommitmentRow, EntityType, FollowType, HearingRow, ItemRow, ListFilter, ProcessRow } from './participation.types';
import { CommitmentForm, HearingForm, ItemForm, ProcessForm } from './participation.schemas';
import { commitmentOverdue, itemOverdue } from './participation.rules';

type Q = Db | Knex.Transaction;

// The form's fields (one list, from its zod schema) plus the columns the app keeps.
const ITEM_COLUMNS = ['id', 'process_id', 'ubigeo', ...Object.keys(ItemForm.shape), 'baseline_planned_end', 'baseline_total_cost', 'withdrawn_at', 'withdrawn_reason', 'is_example'];
const PROCESS_COLUMNS = ['id', 'ubigeo', ...Object.keys(ProcessForm.shape), 'is_example'];
const HEARING_COLUMNS = ['id', 'ubigeo', ...Object.keys(HearingForm.shape), 'report_file', 'report_original_name', 'withdrawn_at', 'withdrawn_reason', 'is_example'];
const COMMITMENT_COLUMNS = ['id', 'hearing_id', 'ubigeo', ...Object.keys(CommitmentForm.shape), 'baseline_due_on', 'is_example'];

/** A record table's columns with its municipality's name (and, for lists, its department's). */
function withMunicipality(db: Q, table: string, a: string, columns: readonly string[], department = false) {
  const q = db(`${table} as ${a}`)
    .join('municipalities as m', 'm.ubigeo', `${a}.ubigeo`)
    .select(columns.map((c) => `${a}.${c}`))
    .select({ municipality: 'm.district' });
  if (department) q.join('departments as d', 'd.code', 'm.department_code').select({ department: 'd.name' });
  return q;
}

const num = (v: unknown) => (v == null ? null : Number(v));
const flags = ['is_example'];
const itemRow = typedRow<ItemRow>({
  numbers: ['id', 'process_id', 'year', 'priority', 'total_cost', 'progress_pct'],
  nullable: ['pia_amount', 'beneficiaries', 'latitude', 'longitude', 'baseline_total_cost'],
  flags,
});
const item = (r: Record<string, unknown>, today: string): ItemRow => ({ ...itemRow(r), overdue: itemOverdue(r as unknown as ItemRow, today) });
const commitmentRow = typedRow<CommitmentRow>({ numbers: ['id', 'hearing_id'], flags });
const commitment = (r: Record<string, unknown>, today: string): CommitmentRow => ({ ...commitmentRow(r), overdue: commitmentOverdue(r as unknown as CommitmentRow, today) });
const hearing = typedRow<HearingRow>({ numbers: ['id'], nullable: ['attendance'], flags });
const process = typedRow<ProcessRow>({ numbers: ['id', 'year'], nullable: ['agentes_participantes', 'budget_envelope'], flags });

/** Items matching the filter, on pb_items alone (the department through a subquery), so both databases can walk the list-order index. */
function itemsQuery(db: Q, f: ListFilter, today: string) {
  const q = db('pb_items as i');
  if (f.ubigeo) q.where('i.ubigeo', f.ubigeo);
  if (f.department) q.whereIn('i.ubigeo', db('municipalities').select('ubigeo').where('department_code', f.department));
  if (f.year) q.where('i.year', f.year);
  if (f.status) q.where('i.status', f.status);
  // Overdue against the baseline (first published planned end), as itemOverdue says.
  if (f.overdue) q.whereNotNull('i.baseline_planned_end').where('i.baseline_planned_end', '<', today).whereNot('i.status', 'culminado').whereNull('i.finished_on');
  return q;
}

const ITEM_ORDER = [{ column: 'i.year', order: 'desc' }, { column: 'i.ubigeo' }, { column: 'i.priority' }, { column: 'i.id' }];

/**
 * Prioritised items with their municipality, filtered; overdue computed against `today`. The
 * page's ids are chosen first, from the list-order index alone, and only those rows are read and
 * joined to the names: joined first, MariaDB would sort every item to find one page.
 */
export async function listItems(db: Q, f: ListFilter, today: string, limit = 1000, offset = 0): Promise<ItemRow[]> {
  const page = itemsQuery(db, f, today).select('i.id').orderBy(ITEM_ORDER).limit(limit).offset(offset);
  const rows = await db
    .from(page.as('p'))
    .join('pb_items as i', 'i.id', 'p.id')
    .join('municipalities as m', 'm.ubigeo', 'i.ubigeo')
    .join('departments as d', 'd.code', 'm.department_code')
    .select(ITEM_COLUMNS.map((c) => `i.${c}`))
    .select({ municipality: 'm.district', department: 'd.name' })
    .orderBy(ITEM_ORDER);
  return rows.map((r: Record<string, unknown>) => item(r, today));
}

/** How many items match the filter (for the page count). */
export async function countItems(db: Q, f: ListFilter, today: string): Promise<number> {
  const row = await itemsQuery(db, f, today).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function findItem(db: Q, id: number, today: string): Promise<ItemRow | null> {
  const r = await withMunicipality(db, 'pb_items', 'i', ITEM_COLUMNS).where('i.id', id).first();
  return r ? item(r, today) : null;
}

export async function listCommitments(db: Q, f: ListFilter, today: string, limit = 1000): Promise<CommitmentRow[]> {
  const q = withMunicipality(db, 'commitments', 'c', COMMITMENT_COLUMNS, true);
  if (f.ubigeo) q.where('c.ubigeo', f.ubigeo);
  if (f.department) q.where('m.department_code', f.department);
  if (f.year) q.where('c.due_on', '>=', `${f.year}-01-01`).where('c.due_on', '<=', `${f.year}-12-31`);
  if (f.status) q.where('c.status', f.status);
  if (f.overdue) q.where('c.baseline_due_on', '<', today).whereNot('c.status', 'cumplido');
  const rows = await q.orderBy([{ column: 'c.due_on', order: 'desc' }, { column: 'c.id' }]).limit(limit);
  return rows.map((r: Record<string, unknown>) => commitment(r, today));
}

export async function findCommitment(db: Q, id: number, today: string): Promise<CommitmentRow | null> {
  const r = await withMunicipality(db, 'commitments', 'c', COMMITMENT_COLUMNS).where('c.id', id).first();
  return r ? commitment(r, today) : null;
}

/**
 * What the municipality page's "at a glance" block counts, and nothing more: three narrow reads
 * on the tables' ubigeo indexes, no joins and no text columns. On MySQL/MariaDB they are sent as
 * one statement (UNION ALL; each table's values in columns of their own, NULL in the other
 * tables' rows, so no column mixes types): there each statement is a round trip whose packets the
 * driver handles in JavaScript, and one instead of three made the municipality page 8–11 %
 * cheaper. On SQLite a statement is a library call and the compound one was 3–4 % dearer, so
 * there they stay three.
 */
export async function glanceRows(db: Q, ubigeo: string) {
  type Row = Record<string, unknown>;
  let items: Row[], hearings: Row[], commitments: Row[];
  if (isMysql(db as Db)) {
    const nulls = (...names: string[]) => names.map((n) => db.raw(`null as ${n}`));
    const rows: Row[] = await db('pb_items')
      .where({ ubigeo })
      .select(db.raw("'i' as k"), 'status', 'year', ...nulls('held_on', 'state', 'withdrawn_at', 'fulfilled_on', 'baseline_due_on'), 'is_example')
      .unionAll(
        db('hearings')
          .where({ ubigeo })
          .select(db.raw("'h' as k"), ...nulls('status', 'year'), 'held_on', 'state', 'withdrawn_at', ...nulls('fulfilled_on', 'baseline_due_on'), 'is_example'),
      )
      .unionAll(
        db('commitments')
          .where({ ubigeo })
          .select(db.raw("'c' as k"), 'status', ...nulls('year', 'held_on', 'state', 'withdrawn_at'), 'fulfilled_on', 'baseline_due_on', 'is_example'),
      );
    [items, hearings, commitments] = ['i', 'h', 'c'].map((k) => rows.filter((r) => r.k === k));
  } else {
    [items, hearings, commitments] = await Promise.all([
      db('pb_items').where({ ubigeo }).select('status', 'year', 'is_example'),
      db('hearings').where({ ubigeo }).select('held_on', 'state', 'withdrawn_at', 'is_example'),
      db('commitments').where({ ubigeo }).select('status', 'fulfilled_on', 'baseline_due_on', 'is_example'),
    ]);
  }
  return {
    items: items.map((r) => ({ status: String(r.status), year: Number(r.year), is_example: Boolean(Number(r.is_example)) })),
    hearings: hearings.map((r) => ({
      held_on: String(r.held_on),
      state: String(r.state),
      withdrawn_at: (r.withdrawn_at as string | null) ?? null,
      is_example: Boolean(Number(r.is_example)),
    })),
    commitments: commitments.map((r) => ({
      status: String(r.status),
      fulfilled_on: (r.fulfilled_on as string | null) ?? null,
      baseline_due_on: String(r.baseline_due_on),
      is_example: Boolean(Number(r.is_example)),
    })),
  };
}

export async function listHearings(db: Q, f: ListFilter, limit = 1000): Promise<HearingRow[]> {
  const q = withMunicipality(db, 'hearings', 'h', HEARING_COLUMNS);
  if (f.ubigeo) q.where('h.ubigeo', f.ubigeo);
  if (f.department) q.where('m.department_code', f.department);
  if (f.year) q.where('h.held_on', '>=', `${f.year}-01-01`).where('h.held_on', '<=', `${f.year}-12-31`);
  const rows = await q.orderBy([{ column: 'h.held_on', order: 'desc' }, { column: 'h.id' }]).limit(limit);
  return rows.map(hearing);
}

export async function findHearing(db: Q, id: number): Promise<HearingRow | null> {
  const r = await withMunicipality(db, 'hearings', 'h', HEARING_COLUMNS).where('h.id', id).first();
  return r ? hearing(r) : null;
}

export async function listProcesses(db: Q, ubigeo: string): Promise<ProcessRow[]> {
  return (await db('pb_processes').select(PROCESS_COLUMNS).where('ubigeo', ubigeo).orderBy('year', 'desc')).map(process);
}

export async function findProcess(db: Q, where: { id?: number; ubigeo?: string; year?: number }): Promise<ProcessRow | null> {
  const q = db('pb_processes').select(PROCESS_COLUMNS);
  if (where.id != null) q.where('id', where.id);
  if (where.ubigeo != null) q.where('ubigeo', where.ubigeo);
  if (where.year != null) q.where('year', where.year);
  const r = await q.first();
  return r ? process(r) : null;
}

export async function milestonesOf(db: Q, itemId: number) {
  const rows = await db('pb_milestones')
    .select('id', 'item_id', 'ubigeo', 'happened_on', 'title_es', 'title_en', 'text_es', 'text_en', 'evidence_url', 'evidence_file', 'evidence_original_name', 'disputed', 'is_example')
    .where('item_id', itemId)
    .orderBy([
      { column: 'happened_on', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  return rows.map((r: Record<string, unknown>) => ({ ...r, id: Number(r.id), disputed: Boolean(r.disputed), is_example: Boolean(r.is_example) }));
}

export async function updatesOf(db: Q, commitmentId: number) {
  const rows = await db('commitment_updates')
    .select('id', 'commitment_id', 'ubigeo', 'happened_on', 'status', 'text_es', 'text_en', 'evidence_url', 'disputed', 'is_example')
    .where('commitment_id', commitmentId)
    .orderBy([
      { column: 'happened_on', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  return rows.map((r: Record<string, unknown>) => ({ ...r, id: Number(r.id), disputed: Boolean(r.disputed), is_example: Boolean(r.is_example) }));
}

// ---- officials' writes: the services decide the values (only the fields a form owns), these store them

/** A row's values as the services built them: column → value. */
type Values = Record<string, unknown>;

/** The id of the row just inserted (both SQLite and MySQL answer it first). */
const insertedId = (ids: unknown[]) => Number(ids[0]);
/** Inserts a row into `table`, returning its id. */
const inserter =
  (table: string) =>
  async (db: Q, row: Values): Promise<number> =>
    insertedId(await db(table).insert(row));
/** Updates the row `id` of `table` if it is the municipality's (`ubigeo`). */
const updater =
  (table: string) =>
  async (db: Q, id: number, ubigeo: string, v: Values): Promise<void> => {
    await db(table).where({ id, ubigeo }).update(v);
  };

export const insertProcess = inserter('pb_processes');
export const updateProcess = updater('pb_processes');

export async function setItemsYear(db: Q, processId: number, year: number) {
  await db('pb_items').where({ process_id: processId }).update({ year });
}

export const insertItem = inserter('pb_items');
export const updateItem = updater('pb_items');

export async function insertMilestone(db: Q, row: Values) {
  await db('pb_milestones').insert(row);
}

/** The stored PDF of a milestone's evidence, if it has one. */
export async function milestoneEvidence(db: Q, id: number): Promise<{ evidence_file: string | null; evidence_original_name: string | null } | null> {
  const r = await db('pb_milestones').select('evidence_file', 'evidence_original_name').where('id', id).first();
  return r ? { evidence_file: (r.evidence_file as string) ?? null, evidence_original_name: (r.evidence_original_name as string) ?? null } : null;
}

export const insertHearing = inserter('hearings');
export const updateHearing = updater('hearings');

export const insertCommitment = inserter('commitments');
export const updateCommitment = updater('commitments');

export async function insertCommitmentUpdate(db: Q, row: Values) {
  await db('commitment_updates').insert(row);
}

/** The municipality's district name, or null when there is no such municipality. */
export async function municipalityDistrict(db: Q, ubigeo: string): Promise<string | null> {
  const m = await db('municipalities').select('district').where('ubigeo', ubigeo).first();
  return m ? (m.district as string) : null;
}

export type HistoryKind = EntityType | 'hearing' | 'pb_process' | 'pb_proposal';

/** The public, append-only record of one item, commitment or hearing, newest first. */
export async function historyOf(db: Q, type: HistoryKind, id: number) {
  const rows = await db('participation_history')
    .select('id', 'at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'actor_role', 'actor_ubigeo', 'status', 'progress_pct', 'note')
    .where({ entity_type: type, entity_id: id })
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  return rows.map((r: Record<string, unknown>) => ({ ...r, id: Number(r.id), progress_pct: num(r.progress_pct) })) as HistoryRow[];
}

/** One published change of a public record: what moved, from what to what, why, and which role (of which municipality). */
export interface RecordChange {
  id: number;
  at: string;
  kind: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  reason: string | null;
  actor_role: string | null;
  actor_ubigeo: string | null;
}
export interface HistoryRow extends RecordChange {
  status: string | null;
  progress_pct: number | null;
  note: string | null;
}

/** Appends to the public record. There is no update or delete of participation_history anywhere. */
export async function addHistory(
  db: Q,
  row: {
    entity_type: HistoryKind;
    entity_id: number;
    ubigeo: string;
    at: string;
    kind: string;
    status: string | null;
    progress_pct: number | null;
    note: string | null;
    field?: string | null;
    old_value?: string | null;
    new_value?: string | null;
    reason?: string | null;
    actor_role?: string | null;
    actor_ubigeo?: string | null;
    is_example?: boolean;
  },
) {
  await db('participation_history').insert({ is_example: false, ...row });
}

/**
 * Observations shown on an item or commitment: published ones with the official's answer, and
 * a placeholder (reason category only, never the text) for each one hidden by moderation.
 */
export async function publicObservations(db: Q, type: EntityType, id: number) {
  const rows = await db('observations')
    .select('id', 'org_name', 'body', 'status', 'decision_reason', 'answer', 'answered_at', 'created_at')
    .where({ entity_type: type, entity_id: id })
    .whereIn('status', ['published', 'rejected'])
    .orderBy('created_at', 'desc');
  return rows.map((r: Record<string, unknown>) =>
    r.status === 'published' ? { ...r, id: Number(r.id), hidden: false } : { id: Number(r.id), hidden: true, decision_reason: r.decision_reason, created_at: r.created_at },
  );
}

/** Published observations about a municipality that its officials have not answered yet. */
export async function observationsToAnswer(db: Q, ubigeo: string) {
  return db('observations').select('id', 'entity_type', 'entity_id', 'org_name', 'body', 'created_at').where({ ubigeo, status: 'published' }).whereNull('answer').orderBy('created_at');
}

export async function findObservation(db: Q, id: number): Promise<{ id: number; ubigeo: string; status: string; answer: string | null } | null> {
  const r = await db('observations').select('id', 'ubigeo', 'status', 'answer').where({ id }).first();
  return r ? { id: Number(r.id), ubigeo: String(r.ubigeo), status: String(r.status), answer: (r.answer as string) ?? null } : null;
}

export async function setObservationAnswer(db: Q, id: number, answer: string, at: string) {
  await db('observations').where({ id }).update({ answer, answered_at: at });
}

export async function insertObservation(
  db: Q,
  row: { user_id: number; org_name: string | null; entity_type: EntityType; entity_id: number; ubigeo: string; body: string; status: string; created_at: string },
) {
  await db('observations').insert(row);
}

export async function orgNameOf(db: Q, userId: number): Promise<string | null> {
  const r = await db('users').select('org_name').where('id', userId).first();
  return (r?.org_name as string) ?? null;
}

/** Where each followable kind lives (a municipality is its own directory row, keyed by ubigeo). */
const FOLLOW_TABLES: Record<FollowType, { table: string; key: string }> = {
  pb_item: { table: 'pb_items', key: 'id' },
  commitment: { table: 'commitments', key: 'id' },
  pb_proposal: { table: 'pb_proposals', key: 'id' },
  pb_process: { table: 'pb_processes', key: 'id' },
  hearing: { table: 'hearings', key: 'id' },
  municipality: { table: 'municipalities', key: 'ubigeo' },
};

export async function entityUbigeo(db: Q, type: FollowType, id: number | string): Promise<string | null> {
  const { table, key } = FOLLOW_TABLES[type];
  const q = db(table)
    .select('ubigeo')
    .where(key, type === 'municipality' ? String(id) : Number(id));
  if (type === 'pb_proposal') q.where('status', 'published');
  if (type === 'hearing') q.whereNull('withdrawn_at');
  const r = await q.first();
  return r ? String(r.ubigeo) : null;
}

// ---- follows

export interface FollowRow {
  id: number;
  user_id: number;
  entity_type: FollowType;
  entity_id: string;
  created_at: string;
  notified_until: string;
}

export async function addFollow(db: Q, row: { user_id: number; entity_type: FollowType; entity_id: string; created_at: string; notified_until: string }) {
  await db('follows').insert(row).onConflict(['user_id', 'entity_type', 'entity_id']).ignore();
}

export async function removeFollows(db: Q, where: { user_id: number; entity_type?: FollowType; entity_id?: string }) {
  await db('follows').where(where).delete();
}

export async function isFollowing(db: Q, userId: number, type: FollowType, id: number | string): Promise<boolean> {
  return Boolean(
    await db('follows')
      .select('user_id')
      .where({ user_id: userId, entity_type: type, entity_id: String(id) })
      .first(),
  );
}

/** A user's follows, oldest first. */
export async function followsOf(db: Q, userId: number): Promise<FollowRow[]> {
  const rows = await db('follows').select('id', 'user_id', 'entity_type', 'entity_id', 'created_at', 'notified_until').where('user_id', userId).orderBy('id');
  return rows.map((r) => ({ ...r, id: Number(r.id), user_id: Number(r.user_id), entity_id: String(r.entity_id) }));
}

// ---- disputes

const DISPUTE_COLUMNS = [
  'id',
  'target_type',
  'target_id',
  'entity_type',
  'entity_id',
  'ubigeo',
  'org_name',
  'reason',
  'opened_at',
  'answer',
  'answered_at',
  'resolution',
  'resolution_reason',
  'resolved_at',
] as const;
export interface DisputeRow {
  id: number;
  target_type: string;
  target_id: number;
  entity_type: string;
  entity_id: number;
  ubigeo: string;
  org_name: string | null;
  reason: string;
  opened_at: string;
  answer: string | null;
  answered_at: string | null;
  resolution: string | null;
  resolution_reason: string | null;
  resolved_at: string | null;
}
const dispute = (r: Record<string, unknown>): DisputeRow => ({ ...(r as unknown as DisputeRow), id: Number(r.id), target_id: Number(r.target_id), entity_id: Number(r.entity_id) });

/** The item or commitment a piece of evidence belongs to. */
export async function disputeTargetOwner(db: Q, target: 'milestone' | 'update', id: number): Promise<{ type: EntityType; id: number; ubigeo: string } | null> {
  if (target === 'milestone') {
    const m = await db('pb_milestones').select('item_id', 'ubigeo').where('id', id).first();
    return m ? { type: 'pb_item', id: Number(m.item_id), ubigeo: String(m.ubigeo) } : null;
  }
  const u = await db('commitment_updates').select('commitment_id', 'ubigeo').where('id', id).first();
  return u ? { type: 'commitment', id: Number(u.commitment_id), ubigeo: String(u.ubigeo) } : null;
}

export async function insertDispute(db: Q, row: Omit<DisputeRow, 'id' | 'answer' | 'answered_at' | 'resolution' | 'resolution_reason' | 'resolved_at'> & { user_id: number }) {
  await db('disputes').insert(row);
}

/** An unresolved dispute of the evidence (by this user, when given). */
export async function openDisputeOf(db: Q, target: string, targetId: number, userId?: number): Promise<boolean> {
  const q = db('disputes').select('id').where({ target_type: target, target_id: targetId }).whereNull('resolution');
  if (userId != null) q.where('user_id', userId);
  return Boolean(await q.first());
}

export async function upheldDisputeOf(db: Q, target: string, targetId: number): Promise<boolean> {
  return Boolean(await db('disputes').select('id').where({ target_type: target, target_id: targetId, resolution: 'upheld' }).first());
}

export async function markDisputed(db: Q, target: 'milestone' | 'update', id: number, disputed: boolean) {
  await db(target === 'milestone' ? 'pb_milestones' : 'commitment_updates')
    .where('id', id)
    .update({ disputed });
}

export async function findDispute(db: Q, id: number): Promise<DisputeRow | null> {
  const r = await db('disputes').select(DISPUTE_COLUMNS).where({ id }).first();
  return r ? dispute(r) : null;
}

export async function updateDispute(db: Q, id: number, v: Partial<Pick<DisputeRow, 'answer' | 'answered_at' | 'resolution' | 'resolution_reason' | 'resolved_at'>>) {
  await db('disputes').where({ id }).update(v);
}

/** Every dispute of an item's or commitment's evidence, oldest first (public). */
export async function disputesOf(db: Q, type: EntityType, id: number): Promise<DisputeRow[]> {
  return (
    await db('disputes')
      .select(DISPUTE_COLUMNS)
      .where({ entity_type: type, entity_id: id })
      .orderBy([{ column: 'opened_at' }, { column: 'id' }])
  ).map(dispute);
}

/** Open disputes of a municipality that its officials have not answered. */
export async function disputesToAnswer(db: Q, ubigeo: string): Promise<DisputeRow[]> {
  return (await db('disputes').select(DISPUTE_COLUMNS).where({ ubigeo }).whereNull('resolution').whereNull('answer').orderBy('opened_at')).map(dispute);
}

/** Open disputes everywhere, oldest first, with the municipality's name. */
export async function openDisputes(db: Q): Promise<Array<DisputeRow & { municipality: string }>> {
  const rows = await withMunicipality(db, 'disputes', 'd', DISPUTE_COLUMNS)
    .whereNull('d.resolution')
    .orderBy([{ column: 'd.opened_at' }, { column: 'd.id' }]);
  return rows.map((r: Record<string, unknown>) => ({ ...dispute(r), municipality: String(r.municipality) }));
}

export async function commitmentsOfHearing(db: Q, hearingId: number, today: string) {
  const rows = await db('commitments')
    .select(COMMITMENT_COLUMNS)
    .where('hearing_id', hearingId)
    .orderBy([{ column: 'due_on' }, { column: 'id' }]);
  return rows.map((r: Record<string, unknown>) => commitment(r, today));
}

// ---- questions to hearings (issue 13)

export interface QuestionRow {
  id: number;
  hearing_id: number;
  ubigeo: string;
  topic: string;
  body: string;
  status: string;
  answer: string | null;
  answered_at: string | null;
  created_at: string;
}
const question = (r: Record<string, unknown>): QuestionRow => ({ ...(r as unknown as QuestionRow), id: Number(r.id), hearing_id: Number(r.hearing_id) });
const QUESTION_COLUMNS = ['id', 'hearing_id', 'ubigeo', 'topic', 'body', 'status', 'answer', 'answered_at', 'created_at'];

export async function publishedQuestions(db: Q, hearingId: number): Promise<QuestionRow[]> {
  return (await db('hearing_questions').select(QUESTION_COLUMNS).where({ hearing_id: hearingId, status: 'published' }).orderBy('id')).map(question);
}

export async function findQuestion(db: Q, id: number): Promise<QuestionRow | null> {
  const r = await db('hearing_questions').select(QUESTION_COLUMNS).where({ id }).first();
  return r ? question(r) : null;
}

export const insertQuestion = inserter('hearing_questions');

export async function answerQuestion(db: Q, id: number, answer: string, at: string): Promise<void> {
  await db('hearing_questions').where({ id }).update({ answer, answered_at: at });
}
