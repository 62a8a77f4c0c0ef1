import crypto from 'node:crypto';
import type { Db } from '../../db';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor, AuditService } from '../audit';
import * as q from './feedback.queries';
import { MIN_RESIDENTS, quarterOf, shrink, summarize } from './feedback.stats';
import type { RatingInput } from './feedback.schemas';

export interface FeedbackDeps {
  db: Db;
  /** Milliseconds since the epoch (quarters and the form's minimum fill time use it). */
  clock: () => number;
  /** Signs the time a rating form was issued. */
  secret: string;
  audit: AuditService;
  /** Called after a rating changes, so that the score of that municipality-year is recomputed. */
  onChange?: (ubigeo: string, year: number) => Promise<void>;
  /** A form posted sooner than this after it was issued is refused (bots). */
  minFillMs?: number;
}

const MAX_FORM_AGE_MS = 2 * 3600_000;
const num = (v: unknown) => Number(v);

export interface AreaFigure {
  area_id: number | null;
  quarter: number | null;
  n: number;
  mean: number;
  ci_low: number;
  ci_high: number;
  shrunk_mean: number;
}

export function createFeedbackService({ db, clock, secret, audit, onChange, minFillMs = 3000 }: FeedbackDeps) {
  const sign = (userId: number, issued: number) => crypto.createHmac('sha256', secret).update(`rating-form.${userId}.${issued}`).digest('base64url');
  const iso = () => new Date(clock()).toISOString();

  /**
   * Published cells (municipality × area × quarter with at least MIN_RESIDENTS ratings: one
   * current rating per resident and cell, so the count is the number of residents) and every
   * larger figure is a sum of published cells only: no published figure can be subtracted from
   * another to reveal an unpublished rating.
   */
  async function cells(year: number | null, scope: { department?: string; ubigeo?: string }) {
    const qb = q.aggregateRatings(db, ['ubigeo', 'area_id', 'year', 'quarter']);
    if (year !== null) qb.where('r.year', year);
    if (scope.department) qb.where('m.department_code', scope.department);
    if (scope.ubigeo) qb.where('r.ubigeo', scope.ubigeo);
    const rows = await qb;
    return rows
      .map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), area_id: num(r.area_id), year: num(r.year), quarter: num(r.quarter), n: num(r.n), s1: num(r.s1), s2: num(r.s2) }))
      .filter((c) => c.n >= MIN_RESIDENTS);
  }

  type Cell = Awaited<ReturnType<typeof cells>>[number];
  /** Sums published cells by a key. */
  function rollUp<K extends string>(list: Cell[], key: (c: Cell) => K) {
    const out = new Map<K, { n: number; s1: number; s2: number; first: Cell }>();
    for (const c of list) {
      const k = key(c);
      const g = out.get(k) ?? { n: 0, s1: 0, s2: 0, first: c };
      g.n += c.n;
      g.s1 += c.s1;
      g.s2 += c.s2;
      out.set(k, g);
    }
    return out;
  }

  /** Figures of one municipality, shrunk towards the mean of the department's published cells of the same group. */
  async function figures(ubigeo: string, department: string, year: number, by: Array<'area_id' | 'quarter'>): Promise<AreaFigure[]> {
    const list = await cells(year, { department });
    const groupKey = (c: Cell) => by.map((b) => c[b]).join('|');
    const dept = rollUp(list, groupKey);
    const mine = rollUp(
      list.filter((c) => c.ubigeo === ubigeo),
      groupKey,
    );
    return [...mine.entries()]
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
      .map(([k, g]) => {
        const s = summarize(g.n, g.s1, g.s2);
        const d = dept.get(k)!;
        return {
          area_id: by.includes('area_id') ? g.first.area_id : null,
          quarter: by.includes('quarter') ? g.first.quarter : null,
          n: g.n,
          mean: s.mean,
          ci_low: s.ci_low,
          ci_high: s.ci_high,
          shrunk_mean: shrink(g.n, s.mean, d.s1 / d.n),
        };
      });
  }

  return {
    areas: (activeOnly = true) => q.listAreas(db, activeOnly),
    finishedItems: (ubigeo: string) => q.finishedItems(db, ubigeo),
    quarterNow: () => quarterOf(clock()),

    /** A signed "form issued at" value: a post sooner than the minimum fill time is refused. */
    formStamp(userId: number): string {
      const issued = clock();
      return `${issued}.${sign(userId, issued)}`;
    },

    /** Stores (or replaces) the resident's current rating for this quarter. */
    async rate(userId: number, ubigeo: string, input: RatingInput): Promise<{ year: number; quarter: number }> {
      const [issuedStr, mac] = input.started.split('.');
      const issued = /^\d{1,15}$/.test(issuedStr ?? '') ? Number(issuedStr) : NaN;
      // Compared as bytes: a non-ASCII stamp has more bytes than characters (timingSafeEqual throws on unequal lengths).
      const given = Buffer.from(mac ?? '');
      const expected = Buffer.from(Number.isFinite(issued) ? sign(userId, issued) : '');
      if (!given.length || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
        throw new ValidationError([{ field: 'started', key: 'feedback:errors.form_expired' }], 400);
      }
      const age = clock() - issued;
      if (age < minFillMs) throw new ValidationError([{ field: 'started', key: 'feedback:errors.too_fast' }], 400);
      if (age > MAX_FORM_AGE_MS) throw new ValidationError([{ field: 'started', key: 'feedback:errors.form_expired' }], 400);
      if (!(await q.emailConfirmed(db, userId))) throw new ForbiddenError('feedback:errors.unconfirmed');

      const id = Number(input.target.slice(1));
      let area_id: number | null = null;
      let pb_item_id: number | null = null;
      if (input.target[0] === 'a') {
        const a = await q.findArea(db, id);
        if (!a || !a.active) throw new ValidationError([{ field: 'target', key: 'feedback:errors.target' }], 422);
        area_id = id;
      } else {
        if (!(await q.findFinishedItem(db, ubigeo, id))) throw new ValidationError([{ field: 'target', key: 'feedback:errors.target' }], 422);
        pb_item_id = id;
      }
      const { year, quarter } = quarterOf(clock());
      const now = iso();
      const ratingId = await q.upsertRating(db, {
        user_id: userId,
        ubigeo,
        target: input.target,
        area_id,
        pb_item_id,
        year,
        quarter,
        score: input.score,
        delivered: pb_item_id && input.delivered ? input.delivered === 'yes' : null,
        created_at: now,
        updated_at: now,
      });
      await q.setComment(db, ratingId, userId, ubigeo, input.comment, now);
      if (onChange && area_id) await onChange(ubigeo, year);
      return { year, quarter };
    },

    mine: (userId: number) => q.ratingsOf(db, userId),

    async deleteMine(userId: number, id: number): Promise<void> {
      const gone = await q.deleteOwnRating(db, userId, id);
      if (!gone) throw new NotFoundError();
      if (onChange) await onChange(gone.ubigeo, gone.year);
    },

    /** Published satisfaction of a municipality for a year: by area and quarter, by area, overall, and approved comments. */
    async satisfaction(ubigeo: string, year: number) {
      const department = await q.municipalityDepartment(db, ubigeo);
      if (!department) throw new NotFoundError('municipalities:errors.municipality_not_found', { ubigeo });
      const [byQuarter, byArea, overall, itemRows] = await Promise.all([
        figures(ubigeo, department, year, ['area_id', 'quarter']),
        figures(ubigeo, department, year, ['area_id']),
        figures(ubigeo, department, year, []),
        q.itemAggregates(db, ubigeo, year),
      ]);
      const items = itemRows
        .filter((r) => r.residents >= MIN_RESIDENTS)
        .map((r) => ({
          pb_item_id: r.pb_item_id,
          title_es: r.title_es,
          title_en: r.title_en,
          residents: r.residents,
          delivered_share: r.answered ? r.delivered_yes / r.answered : null,
          ...summarize(r.n, r.s1, r.s2),
        }));
      return { year, byQuarter, byArea, overall: overall[0] ?? null, items };
    },

    /** Overall mean per year and quarter over published cells (the trend line). */
    async trend(ubigeo: string) {
      const g = rollUp(await cells(null, { ubigeo }), (c) => `${c.year}|${c.quarter}`);
      return [...g.values()].map((x) => ({ year: x.first.year, quarter: x.first.quarter, ...summarize(x.n, x.s1, x.s2) })).sort((a, b) => a.year - b.year || a.quarter - b.quarter);
    },

    /** Year-level sums of published cells per municipality (the inputs of S), for open data. */
    async yearly(year: number, department?: string) {
      const g = rollUp(await cells(year, { department }), (c) => c.ubigeo);
      return [...g.values()]
        .map((x) => ({ ubigeo: x.first.ubigeo, department_code: x.first.ubigeo.slice(0, 2), year, sum: x.s1, ...summarize(x.n, x.s1, x.s2) }))
        .sort((a, b) => a.ubigeo.localeCompare(b.ubigeo));
    },

    publicComments: (ubigeo: string) => q.publicComments(db, ubigeo),
    commentsToAnswer: (ubigeo: string) => q.commentsToAnswer(db, ubigeo),

    /** The municipality answers a published comment in public (it never moderates it); audited. */
    async answerComment(actor: Actor, ubigeo: string, id: number, answer: string): Promise<void> {
      await db.transaction(async (trx) => {
        if (!(await q.setCommentAnswer(trx, id, ubigeo, answer, iso()))) throw new NotFoundError();
        await audit.record(trx, actor, { action: 'feedback.comment.answer', entityType: 'feedback_comment', entityId: String(id), municipality: ubigeo, before: null, after: { answer } });
      });
    },

    /** Admins add or edit a service area; logged. */
    async saveArea(actor: Actor, form: { id?: number; code: string; name_es: string; name_en?: string; active?: '1'; sort_order?: number }): Promise<void> {
      const row = { code: form.code, name_es: form.name_es, name_en: form.name_en ?? null, active: form.active === '1', sort_order: form.sort_order ?? 0 };
      await db.transaction(async (trx) => {
        try {
          if (form.id) {
            const before = await q.findArea(trx, form.id);
            if (!before) throw new NotFoundError();
            await q.updateArea(trx, form.id, row);
            await audit.record(trx, actor, { action: 'feedback.area.update', entityType: 'service_area', entityId: String(form.id), municipality: null, before, after: row });
          } else {
            const id = await q.insertArea(trx, row);
            await audit.record(trx, actor, { action: 'feedback.area.create', entityType: 'service_area', entityId: String(id), municipality: null, before: null, after: row });
          }
        } catch (err) {
          if (err instanceof AppError) throw err;
          if (/unique|duplicate/i.test(String((err as Error).message))) throw new ValidationError([{ field: 'code', key: 'feedback:errors.area_code_taken' }], 422);
          throw err;
        }
      });
    },
  };
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;
