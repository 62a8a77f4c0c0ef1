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
  residents: number;
  mean: number;
  ci_low: number;
  ci_high: number;
  shrunk_mean: number;
}

export function createFeedbackService({ db, clock, secret, audit, onChange, minFillMs = 3000 }: FeedbackDeps) {
  const sign = (userId: number, issued: number) => crypto.createHmac('sha256', secret).update(`rating-form.${userId}.${issued}`).digest('base64url');
  const iso = () => new Date(clock()).toISOString();

  /** Aggregates of one year for every municipality of a department, by the given grouping, published ones only. */
  async function published(department: string, year: number, by: Array<'area_id' | 'quarter'>) {
    const rows = await q.aggregateRatings(db, ['ubigeo', ...by]).where('m.department_code', department).where('r.year', year);
    return rows
      .map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), area_id: by.includes('area_id') ? num(r.area_id) : null, quarter: by.includes('quarter') ? num(r.quarter) : null, n: num(r.n), s1: num(r.s1), s2: num(r.s2), residents: num(r.residents) }))
      .filter((r) => r.residents >= MIN_RESIDENTS);
  }

  /** Figures of one municipality, shrunk towards the mean of the department's published figures of the same group. */
  async function figures(ubigeo: string, department: string, year: number, by: Array<'area_id' | 'quarter'>): Promise<AreaFigure[]> {
    const rows = await published(department, year, by);
    const key = (r: { area_id: number | null; quarter: number | null }) => `${r.area_id}|${r.quarter}`;
    const dept = new Map<string, { n: number; s1: number }>();
    for (const r of rows) {
      const d = dept.get(key(r)) ?? { n: 0, s1: 0 };
      d.n += r.n;
      d.s1 += r.s1;
      dept.set(key(r), d);
    }
    return rows
      .filter((r) => r.ubigeo === ubigeo)
      .map((r) => {
        const s = summarize(r.n, r.s1, r.s2);
        const d = dept.get(key(r))!;
        return { area_id: r.area_id, quarter: r.quarter, n: r.n, residents: r.residents, mean: s.mean, ci_low: s.ci_low, ci_high: s.ci_high, shrunk_mean: shrink(r.n, s.mean, d.s1 / d.n) };
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
      const issued = Number(issuedStr);
      const expected = Number.isFinite(issued) ? sign(userId, issued) : '';
      if (!mac || mac.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) {
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
      const [byQuarter, byArea, overall, itemRows] = await Promise.all([figures(ubigeo, department, year, ['area_id', 'quarter']), figures(ubigeo, department, year, ['area_id']), figures(ubigeo, department, year, []), q.itemAggregates(db, ubigeo, year)]);
      const items = itemRows
        .filter((r) => r.residents >= MIN_RESIDENTS)
        .map((r) => ({ pb_item_id: r.pb_item_id, title_es: r.title_es, title_en: r.title_en, residents: r.residents, delivered_share: r.answered ? r.delivered_yes / r.answered : null, ...summarize(r.n, r.s1, r.s2) }));
      return { year, byQuarter, byArea, overall: overall[0] ?? null, items };
    },

    /** Overall published mean per year and quarter (the trend line). */
    async trend(ubigeo: string) {
      const rows = await q.aggregateRatings(db, ['year', 'quarter']).where('r.ubigeo', ubigeo).orderBy(['r.year', 'r.quarter']);
      return rows
        .map((r: Record<string, unknown>) => ({ year: num(r.year), quarter: num(r.quarter), residents: num(r.residents), ...summarize(num(r.n), num(r.s1), num(r.s2)) }))
        .filter((r) => r.residents >= MIN_RESIDENTS);
    },

    /** Year-level published aggregates per municipality (the inputs of S), for open data. */
    async yearly(year: number, department?: string) {
      const qb = q.aggregateRatings(db, ['ubigeo', 'department_code']).where('r.year', year).orderBy('r.ubigeo');
      if (department) qb.where('m.department_code', department);
      const rows = await qb;
      return rows
        .map((r: Record<string, unknown>) => ({ ubigeo: String(r.ubigeo), department_code: String(r.department_code), year, residents: num(r.residents), sum: num(r.s1), ...summarize(num(r.n), num(r.s1), num(r.s2)) }))
        .filter((r) => r.residents >= MIN_RESIDENTS);
    },

    approvedComments: (ubigeo: string) => q.approvedComments(db, ubigeo),
    pendingComments: (ubigeo: string) => q.pendingComments(db, ubigeo),

    /** An official of the municipality (or an admin) approves or rejects a comment; logged. */
    async decide(actor: Actor, ubigeo: string, commentId: number, decision: 'approve' | 'reject'): Promise<void> {
      await db.transaction(async (trx) => {
        const c = await q.findComment(trx, commentId);
        if (!c || c.ubigeo !== ubigeo) throw new NotFoundError();
        const status = decision === 'approve' ? 'approved' : 'rejected';
        await q.setCommentStatus(trx, commentId, status, iso());
        await audit.record(trx, actor, { action: `feedback.comment.${decision}`, entityType: 'feedback_comment', entityId: String(commentId), municipality: ubigeo, before: { status: c.status }, after: { status } });
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
