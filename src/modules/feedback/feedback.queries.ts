import type { Knex } from 'knex';
import type { Db } from '../../db';

type Q = Db | Knex.Transaction;

export interface AreaRow {
  id: number;
  code: string;
  name_es: string;
  name_en: string | null;
  active: boolean;
  sort_order: number;
}

const area = (r: Record<string, unknown>): AreaRow => ({
  id: Number(r.id),
  code: String(r.code),
  name_es: String(r.name_es),
  name_en: (r.name_en as string) ?? null,
  active: Boolean(Number(r.active)),
  sort_order: Number(r.sort_order),
});

/** Service areas, in display order. */
export async function listAreas(db: Db, activeOnly: boolean): Promise<AreaRow[]> {
  const q = db('service_areas')
    .select('id', 'code', 'name_es', 'name_en', 'active', 'sort_order')
    .orderBy([{ column: 'sort_order' }, { column: 'id' }]);
  if (activeOnly) q.where('active', true);
  return (await q).map(area);
}

export async function findArea(db: Db, id: number): Promise<AreaRow | undefined> {
  const r = await db('service_areas').select('id', 'code', 'name_es', 'name_en', 'active', 'sort_order').where({ id }).first();
  return r ? area(r) : undefined;
}

export async function insertArea(db: Db, row: Omit<AreaRow, 'id'>): Promise<number> {
  const [id] = await db('service_areas').insert(row);
  return Number(id);
}

export async function updateArea(db: Db, id: number, row: Omit<AreaRow, 'id'>): Promise<void> {
  await db('service_areas').where({ id }).update(row);
}

/** Finished (culminado), real PB items of a municipality that residents may rate. */
export async function finishedItems(db: Db, ubigeo: string): Promise<Array<{ id: number; title_es: string; title_en: string | null; year: number }>> {
  const rows = await db('pb_items')
    .select('id', 'title_es', 'title_en', 'year')
    .where({ ubigeo, status: 'culminado', is_example: false })
    .orderBy([{ column: 'year', order: 'desc' }, { column: 'priority' }]);
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), title_es: String(r.title_es), title_en: (r.title_en as string) ?? null, year: Number(r.year) }));
}

export async function findFinishedItem(db: Db, ubigeo: string, id: number): Promise<boolean> {
  return Boolean(await db('pb_items').select('id').where({ id, ubigeo, status: 'culminado', is_example: false }).first());
}

export interface RatingRow {
  user_id: number;
  ubigeo: string;
  target: string;
  area_id: number | null;
  pb_item_id: number | null;
  year: number;
  quarter: number;
  score: number;
  delivered: boolean | null;
  created_at: string;
  updated_at: string;
}

/** Inserts or replaces the current rating (unique user, municipality, target, quarter); returns its id. */
export async function upsertRating(db: Db, row: RatingRow): Promise<number> {
  await db('ratings').insert(row).onConflict(['user_id', 'ubigeo', 'target', 'year', 'quarter']).merge(['score', 'delivered', 'updated_at']);
  const r = await db('ratings').select('id').where({ user_id: row.user_id, ubigeo: row.ubigeo, target: row.target, year: row.year, quarter: row.quarter }).first();
  return Number(r.id);
}

/** The comment of a rating is replaced and goes back to moderation; no comment removes it. */
export async function setComment(db: Db, ratingId: number, userId: number, ubigeo: string, body: string | undefined, now: string): Promise<void> {
  if (!body) {
    await db('feedback_comments').where({ rating_id: ratingId }).del();
    return;
  }
  await db('feedback_comments')
    .insert({ rating_id: ratingId, user_id: userId, ubigeo, body, status: 'pending', created_at: now, decided_at: null })
    .onConflict(['rating_id'])
    // An edit is a new version: a moderator's decision on the old text no longer applies.
    .merge({ body, status: 'pending', created_at: now, decided_at: null, decision_reason: null, decision_note: null, flags: 0, version: db.raw('version + 1') });
}

/** A resident's own ratings with their comments. */
export async function ratingsOf(db: Db, userId: number) {
  return db('ratings as r')
    .join('municipalities as m', 'm.ubigeo', 'r.ubigeo')
    .leftJoin('service_areas as a', 'a.id', 'r.area_id')
    .leftJoin('pb_items as i', 'i.id', 'r.pb_item_id')
    .leftJoin('feedback_comments as c', 'c.rating_id', 'r.id')
    .where('r.user_id', userId)
    .select(
      'r.id',
      'r.ubigeo',
      'm.district',
      'r.year',
      'r.quarter',
      'r.score',
      'r.delivered',
      'r.updated_at',
      'a.name_es as area_es',
      'a.name_en as area_en',
      'i.title_es as item_es',
      'i.title_en as item_en',
      'c.body as comment',
      'c.status as comment_status',
    )
    .orderBy([
      { column: 'r.year', order: 'desc' },
      { column: 'r.quarter', order: 'desc' },
      { column: 'r.id', order: 'desc' },
    ]);
}

/** Deletes a rating only if it belongs to the user; returns its municipality and year. */
export async function deleteOwnRating(db: Db, userId: number, id: number): Promise<{ ubigeo: string; year: number } | null> {
  const r = await db('ratings').select('ubigeo', 'year').where({ id, user_id: userId }).first();
  if (!r) return null;
  await db('ratings').where({ id, user_id: userId }).del();
  return { ubigeo: String(r.ubigeo), year: Number(r.year) };
}

/**
 * Set-based aggregates of service-area ratings: count, sum, sum of squares and distinct
 * residents (an anonymised rating counts as one resident). Grouped by the given columns.
 */
export function aggregateRatings(db: Db, by: Array<'ubigeo' | 'area_id' | 'quarter' | 'department_code' | 'year'>) {
  const cols = by.map((c) => (c === 'department_code' ? 'm.department_code' : `r.${c}`));
  return db('ratings as r')
    .join('municipalities as m', 'm.ubigeo', 'r.ubigeo')
    .whereNotNull('r.area_id')
    .select(cols)
    .select(db.raw('count(*) as n'), db.raw('sum(r.score) as s1'), db.raw('sum(r.score * r.score) as s2'))
    .select(db.raw('count(distinct r.user_id) + sum(case when r.user_id is null then 1 else 0 end) as residents'))
    .groupBy(cols);
}

export async function municipalityDepartment(db: Db, ubigeo: string): Promise<string | null> {
  const r = await db('municipalities').select('department_code').where({ ubigeo }).first();
  return r ? String(r.department_code) : null;
}

export async function emailConfirmed(db: Db, userId: number): Promise<boolean> {
  const r = await db('users').select('email_confirmed_at').where({ id: userId }).first();
  return Boolean(r?.email_confirmed_at);
}

// ---- moderation of comments (the moderation module's source; decisions are made there)

/** Published comments about a municipality, newest first, with the official's answer if any (no author). */
export async function commentsToAnswer(db: Q, ubigeo: string, limit = 200) {
  return db('feedback_comments').select('id', 'body', 'answer', 'answered_at', 'created_at').where({ ubigeo, status: 'approved' }).orderBy('id', 'desc').limit(limit);
}

export async function setCommentAnswer(db: Q, id: number, ubigeo: string, answer: string, at: string): Promise<boolean> {
  return (await db('feedback_comments').where({ id, ubigeo, status: 'approved' }).update({ answer, answered_at: at })) > 0;
}

/**
 * Comments shown on the satisfaction page, newest first, without author or rating: approved ones,
 * and a placeholder (reason category only) for each one hidden by moderation.
 */
export async function publicComments(db: Q, ubigeo: string, limit = 50) {
  const rows = await db('feedback_comments as c')
    .join('ratings as r', 'r.id', 'c.rating_id')
    .leftJoin('service_areas as a', 'a.id', 'r.area_id')
    .leftJoin('pb_items as i', 'i.id', 'r.pb_item_id')
    .where('c.ubigeo', ubigeo)
    .whereIn('c.status', ['approved', 'rejected'])
    .select('c.id', 'c.body', 'c.status', 'c.decision_reason', 'c.answer', 'r.year', 'r.quarter', 'a.name_es as area_es', 'a.name_en as area_en', 'i.title_es as item_es', 'i.title_en as item_en')
    .orderBy('c.id', 'desc')
    .limit(limit);
  return rows.map((r: Record<string, unknown>) =>
    r.status === 'approved' ? { ...r, id: Number(r.id), hidden: false } : { id: Number(r.id), hidden: true, decision_reason: r.decision_reason, year: r.year, quarter: r.quarter },
  );
}

/** Aggregates of PB item ratings of a municipality and year, per item (with the share answering "delivered"). */
export async function itemAggregates(db: Db, ubigeo: string, year: number) {
  const rows = await db('ratings as r')
    .join('pb_items as i', 'i.id', 'r.pb_item_id')
    .where({ 'r.ubigeo': ubigeo, 'r.year': year })
    .select('r.pb_item_id', 'i.title_es', 'i.title_en')
    .select(db.raw('count(*) as n'), db.raw('sum(r.score) as s1'), db.raw('sum(r.score * r.score) as s2'))
    .select(db.raw('count(distinct r.user_id) + sum(case when r.user_id is null then 1 else 0 end) as residents'))
    .select(db.raw('sum(case when r.delivered is not null then 1 else 0 end) as answered'), db.raw('sum(case when r.delivered = 1 then 1 else 0 end) as delivered_yes'))
    .groupBy('r.pb_item_id', 'i.title_es', 'i.title_en')
    .orderBy('r.pb_item_id');
  return rows.map((r: Record<string, unknown>) => ({
    pb_item_id: Number(r.pb_item_id),
    title_es: String(r.title_es),
    title_en: (r.title_en as string) ?? null,
    n: Number(r.n),
    s1: Number(r.s1),
    s2: Number(r.s2),
    residents: Number(r.residents),
    answered: Number(r.answered),
    delivered_yes: Number(r.delivered_yes),
  }));
}
