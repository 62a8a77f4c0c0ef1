import type { Knex } from 'knex';
import type { Db } from '../../db';
import type { CommitmentRow, EntityType, HearingRow, ItemRow, ListFilter, ProcessRow } from './participation.types';

type Q = Db | Knex.Transaction;

export const ITEM_COLUMNS = ['id', 'process_id', 'ubigeo', 'year', 'priority', 'title_es', 'title_en', 'description_es', 'description_en', 'cui', 'total_cost', 'pia_amount', 'funding_source', 'beneficiaries', 'latitude', 'longitude', 'district_ubigeo', 'start_date', 'planned_end', 'status', 'progress_pct', 'finished_on', 'is_example'] as const;
export const PROCESS_COLUMNS = ['id', 'ubigeo', 'year', 'ordinance', 'agentes_participantes', 'preparacion_start', 'preparacion_end', 'concertacion_start', 'concertacion_end', 'coordinacion_start', 'coordinacion_end', 'formalizacion_start', 'formalizacion_end', 'committee_members', 'committee_contact', 'is_example'] as const;
export const HEARING_COLUMNS = ['id', 'ubigeo', 'held_on', 'period_from', 'period_to', 'place', 'link', 'report_file', 'report_original_name', 'summary_es', 'summary_en', 'attendance', 'is_example'] as const;
export const COMMITMENT_COLUMNS = ['id', 'hearing_id', 'ubigeo', 'text_es', 'text_en', 'responsible_office', 'due_on', 'status', 'fulfilled_on', 'is_example'] as const;

const num = (v: unknown) => (v == null ? null : Number(v));
const item = (r: Record<string, unknown>, today: string): ItemRow => ({
  ...(r as unknown as ItemRow),
  id: Number(r.id),
  process_id: Number(r.process_id),
  year: Number(r.year),
  priority: Number(r.priority),
  total_cost: Number(r.total_cost),
  pia_amount: num(r.pia_amount),
  beneficiaries: num(r.beneficiaries),
  latitude: num(r.latitude),
  longitude: num(r.longitude),
  progress_pct: Number(r.progress_pct),
  is_example: Boolean(r.is_example),
  overdue: r.planned_end != null && String(r.planned_end) < today && r.status !== 'culminado' && r.finished_on == null,
});
const commitment = (r: Record<string, unknown>, today: string): CommitmentRow => ({
  ...(r as unknown as CommitmentRow),
  id: Number(r.id),
  hearing_id: Number(r.hearing_id),
  is_example: Boolean(r.is_example),
  overdue: String(r.due_on) < today && r.status !== 'cumplido',
});
const hearing = (r: Record<string, unknown>): HearingRow => ({ ...(r as unknown as HearingRow), id: Number(r.id), attendance: num(r.attendance), is_example: Boolean(r.is_example) });
const process = (r: Record<string, unknown>): ProcessRow => ({ ...(r as unknown as ProcessRow), id: Number(r.id), year: Number(r.year), agentes_participantes: num(r.agentes_participantes), is_example: Boolean(r.is_example) });

/** Items matching the filter, on pb_items alone (the department through a subquery), so both databases can walk the list-order index. */
function itemsQuery(db: Q, f: ListFilter, today: string) {
  const q = db('pb_items as i');
  if (f.ubigeo) q.where('i.ubigeo', f.ubigeo);
  if (f.department) q.whereIn('i.ubigeo', db('municipalities').select('ubigeo').where('department_code', f.department));
  if (f.year) q.where('i.year', f.year);
  if (f.status) q.where('i.status', f.status);
  if (f.overdue) q.whereNotNull('i.planned_end').where('i.planned_end', '<', today).whereNot('i.status', 'culminado').whereNull('i.finished_on');
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
  const r = await db('pb_items as i').join('municipalities as m', 'm.ubigeo', 'i.ubigeo').select(ITEM_COLUMNS.map((c) => `i.${c}`)).select({ municipality: 'm.district' }).where('i.id', id).first();
  return r ? item(r, today) : null;
}

export async function listCommitments(db: Q, f: ListFilter, today: string, limit = 1000): Promise<CommitmentRow[]> {
  const q = db('commitments as c')
    .join('municipalities as m', 'm.ubigeo', 'c.ubigeo')
    .join('departments as d', 'd.code', 'm.department_code')
    .select(COMMITMENT_COLUMNS.map((c) => `c.${c}`))
    .select({ municipality: 'm.district', department: 'd.name' });
  if (f.ubigeo) q.where('c.ubigeo', f.ubigeo);
  if (f.department) q.where('m.department_code', f.department);
  if (f.year) q.where('c.due_on', '>=', `${f.year}-01-01`).where('c.due_on', '<=', `${f.year}-12-31`);
  if (f.status) q.where('c.status', f.status);
  if (f.overdue) q.where('c.due_on', '<', today).whereNot('c.status', 'cumplido');
  const rows = await q.orderBy([{ column: 'c.due_on', order: 'desc' }, { column: 'c.id' }]).limit(limit);
  return rows.map((r: Record<string, unknown>) => commitment(r, today));
}

export async function findCommitment(db: Q, id: number, today: string): Promise<CommitmentRow | null> {
  const r = await db('commitments as c').join('municipalities as m', 'm.ubigeo', 'c.ubigeo').select(COMMITMENT_COLUMNS.map((c) => `c.${c}`)).select({ municipality: 'm.district' }).where('c.id', id).first();
  return r ? commitment(r, today) : null;
}

export async function listHearings(db: Q, f: ListFilter, limit = 1000): Promise<HearingRow[]> {
  const q = db('hearings as h').join('municipalities as m', 'm.ubigeo', 'h.ubigeo').select(HEARING_COLUMNS.map((c) => `h.${c}`)).select({ municipality: 'm.district' });
  if (f.ubigeo) q.where('h.ubigeo', f.ubigeo);
  if (f.department) q.where('m.department_code', f.department);
  if (f.year) q.where('h.held_on', '>=', `${f.year}-01-01`).where('h.held_on', '<=', `${f.year}-12-31`);
  const rows = await q.orderBy([{ column: 'h.held_on', order: 'desc' }, { column: 'h.id' }]).limit(limit);
  return rows.map(hearing);
}

export async function findHearing(db: Q, id: number): Promise<HearingRow | null> {
  const r = await db('hearings as h').join('municipalities as m', 'm.ubigeo', 'h.ubigeo').select(HEARING_COLUMNS.map((c) => `h.${c}`)).select({ municipality: 'm.district' }).where('h.id', id).first();
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
  const rows = await db('pb_milestones').select('id', 'item_id', 'ubigeo', 'happened_on', 'title_es', 'title_en', 'text_es', 'text_en', 'evidence_url', 'evidence_file', 'evidence_original_name', 'disputed', 'is_example').where('item_id', itemId).orderBy([{ column: 'happened_on', order: 'desc' }, { column: 'id', order: 'desc' }]);
  return rows.map((r: Record<string, unknown>) => ({ ...r, id: Number(r.id), disputed: Boolean(r.disputed), is_example: Boolean(r.is_example) }));
}

export async function updatesOf(db: Q, commitmentId: number) {
  const rows = await db('commitment_updates').select('id', 'commitment_id', 'ubigeo', 'happened_on', 'status', 'text_es', 'text_en', 'evidence_url', 'disputed', 'is_example').where('commitment_id', commitmentId).orderBy([{ column: 'happened_on', order: 'desc' }, { column: 'id', order: 'desc' }]);
  return rows.map((r: Record<string, unknown>) => ({ ...r, id: Number(r.id), disputed: Boolean(r.disputed), is_example: Boolean(r.is_example) }));
}

export async function historyOf(db: Q, type: EntityType, id: number) {
  const rows = await db('participation_history').select('id', 'at', 'kind', 'status', 'progress_pct', 'note').where({ entity_type: type, entity_id: id }).orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  return rows.map((r: Record<string, unknown>) => ({ ...r, progress_pct: num(r.progress_pct) }));
}

export async function addHistory(db: Q, row: { entity_type: EntityType; entity_id: number; ubigeo: string; at: string; kind: string; status: string | null; progress_pct: number | null; note: string | null; is_example?: boolean }) {
  await db('participation_history').insert({ is_example: false, ...row });
}

export async function publishedObservations(db: Q, type: EntityType, id: number) {
  return db('observations').select('id', 'org_name', 'body', 'created_at').where({ entity_type: type, entity_id: id, status: 'published' }).orderBy('created_at', 'desc');
}

export async function commitmentsOfHearing(db: Q, hearingId: number, today: string) {
  const rows = await db('commitments').select(COMMITMENT_COLUMNS).where('hearing_id', hearingId).orderBy([{ column: 'due_on' }, { column: 'id' }]);
  return rows.map((r: Record<string, unknown>) => commitment(r, today));
}
