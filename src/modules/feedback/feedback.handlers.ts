import type { Request, Response } from 'express';
import { lngOf } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { parse } from '../../lib/http';
import { fieldErrors, formString, renderInvalid } from '../../web/forms';
import { placeName } from '../../web/seo';
import { actorOf } from '../audit';
import { FLAG_REASONS } from '../moderation';
import type { MunicipalitiesService } from '../municipalities';
import { idOr404, Ubigeo } from '../../lib/schemas';
import { AnswerForm, AreaForm, RatingForm, SatisfactionQuery } from './feedback.schemas';
import type { FeedbackService } from './feedback.service';
import { trendSvg } from './feedback.svg';

const ubigeoOr404 = (v: unknown) => {
  const r = Ubigeo.safeParse(v);
  if (!r.success) throw new NotFoundError('municipalities:errors.municipality_not_found', { ubigeo: String(v) });
  return r.data;
};
/** Bot signals (honeypot filled, form too fast, forged or stale stamp) are refused with 400, not re-rendered. */
const BOT_FIELDS = new Set(['website', 'started']);

export function feedbackHandlers({ feedback, municipalities, logger }: { feedback: FeedbackService; municipalities: MunicipalitiesService; logger: Logger }) {
  async function rateView(req: Request, res: Response, ubigeo: string, values: Record<string, string>, errors: Record<string, string>) {
    const [municipality, areas, items] = await Promise.all([municipalities.municipality(ubigeo), feedback.areas(), feedback.finishedItems(ubigeo)]);
    const q = feedback.quarterNow();
    return {
      title: res.locals.t('feedback:rate.title', { name: municipality.district }),
      municipality,
      areas,
      items,
      quarter: q,
      stamp: feedback.formStamp(req.user!.id),
      values,
      errors,
      done: req.query.done === '1',
      // Where the resident came from (only the municipality page is known): the rating ends back there.
      from: req.query.from === 'municipality' || (req.body && formString(req.body, 'from', 20) === 'municipality') ? 'municipality' : '',
    };
  }

  return {
    async rateForm(req: Request, res: Response) {
      const ubigeo = ubigeoOr404(req.params.ubigeo);
      const target = typeof req.query.target === 'string' && /^[ap]\d{1,9}$/.test(req.query.target) ? req.query.target : '';
      res.render('feedback/rate', await rateView(req, res, ubigeo, { target, score: '', delivered: '', comment: '' }, {}));
    },

    async rate(req: Request, res: Response) {
      const ubigeo = ubigeoOr404(req.params.ubigeo);
      await municipalities.municipality(ubigeo);
      const values = {
        target: formString(req.body, 'target', 12),
        score: formString(req.body, 'score', 2),
        delivered: formString(req.body, 'delivered', 3),
        comment: formString(req.body, 'comment', 1000),
      };
      const parsed = RatingForm.safeParse(req.body);
      try {
        if (!parsed.success) {
          const errors = fieldErrors(parsed.error);
          if (Object.keys(errors).some((f) => BOT_FIELDS.has(f))) throw new ValidationError([{ field: 'form', key: errors.website ?? errors.started }], 400);
          throw new ValidationError(
            Object.entries(errors).map(([field, key]) => ({ field, key })),
            422,
          );
        }
        await feedback.rate(req.user!.id, ubigeo, parsed.data);
      } catch (err) {
        if (err instanceof ValidationError && err.status === 422) {
          return renderInvalid(logger, req, res, 'feedback/rate', await rateView(req, res, ubigeo, values, fieldErrors(err)));
        }
        throw err;
      }
      if (formString(req.body, 'from', 20) === 'municipality') return res.redirect(303, pageUrl(lngOf(res), 'municipality', { ubigeo }, { rated: '1' }));
      res.redirect(303, pageUrl(lngOf(res), 'rate', { ubigeo }, { done: '1' }));
    },

    async satisfaction(req: Request, res: Response) {
      const ubigeo = ubigeoOr404(req.params.ubigeo);
      const municipality = await municipalities.municipality(ubigeo);
      const q = parse(SatisfactionQuery, req.query);
      const year = q.year ?? feedback.quarterNow().year;
      const [sat, trend, areas, comments] = await Promise.all([feedback.satisfaction(ubigeo, year), feedback.trend(ubigeo), feedback.areas(false), feedback.publicComments(ubigeo)]);
      const t = res.locals.t;
      res.render('feedback/satisfaction', {
        title: t('feedback:satisfaction.title', { name: municipality.district }),
        docTitle: t('seo:satisfaction.title', { place: placeName(t, municipality) }),
        description: t('seo:satisfaction.description', { place: placeName(t, municipality) }),
        noindex: q.year !== undefined,
        municipality,
        year,
        sat,
        trend,
        areaById: Object.fromEntries(areas.map((a) => [a.id, a])),
        comments,
        flagReasons: FLAG_REASONS,
        trendSvg: trendSvg(trend, { title: t('feedback:trend.title'), desc: t('feedback:trend.desc', { name: municipality.district }) }),
      });
    },

    async mine(req: Request, res: Response) {
      const rows = await feedback.mine(req.user!.id);
      res.render('feedback/mine', { title: res.locals.t('feedback:mine.title'), rows, done: req.query.done === '1' });
    },

    async deleteMine(req: Request, res: Response) {
      await feedback.deleteMine(req.user!.id, idOr404(req.params.id));
      res.redirect(303, pageUrl(lngOf(res), 'my_feedback', {}, { done: '1' }));
    },

    async manageComments(req: Request, res: Response) {
      const ubigeo = req.params.ubigeo as string;
      const municipality = await municipalities.municipality(ubigeo);
      res.render('feedback/manage-comments', {
        title: res.locals.t('feedback:answers.title', { name: municipality.district }),
        municipality,
        comments: await feedback.commentsToAnswer(ubigeo),
        done: req.query.done === '1',
      });
    },

    async answerComment(req: Request, res: Response) {
      const ubigeo = req.params.ubigeo as string;
      const form = parse(AnswerForm, req.body, 422);
      await feedback.answerComment(actorOf(req.user!), ubigeo, idOr404(req.params.id), form.answer);
      res.redirect(303, pageUrl(lngOf(res), 'manage_comments', { ubigeo }, { done: '1' }));
    },

    async areas(req: Request, res: Response) {
      res.render('feedback/areas', {
        title: res.locals.t('feedback:areas.title'),
        areas: await feedback.areas(false),
        errors: {},
        values: { code: '', name_es: '', name_en: '' },
        done: req.query.done === '1',
      });
    },

    async saveArea(req: Request, res: Response) {
      const parsed = AreaForm.safeParse(req.body);
      const values = { code: formString(req.body, 'code', 40), name_es: formString(req.body, 'name_es', 120), name_en: formString(req.body, 'name_en', 120) };
      try {
        if (!parsed.success)
          throw new ValidationError(
            Object.entries(fieldErrors(parsed.error)).map(([field, key]) => ({ field, key })),
            422,
          );
        await feedback.saveArea(actorOf(req.user!), parsed.data);
      } catch (err) {
        if (err instanceof ValidationError) {
          return renderInvalid(logger, req, res, 'feedback/areas', { title: res.locals.t('feedback:areas.title'), areas: await feedback.areas(false), errors: fieldErrors(err), values, done: false });
        }
        throw err;
      }
      res.redirect(303, pageUrl(lngOf(res), 'admin_areas', {}, { done: '1' }));
    },
  };
}
