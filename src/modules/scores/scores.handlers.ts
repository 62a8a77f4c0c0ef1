import type { Request, Response } from 'express';
import { lngOf } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import { ValidationError } from '../../lib/errors';
import { parse } from '../../lib/http';
import type { Logger } from '../../lib/logger';
import { fieldErrors, formString, renderInvalid } from '../../web/forms';
import { paging } from '../../web/paging';
import { actorOf } from '../audit';
import type { MunicipalitiesService } from '../municipalities';
import { COMPONENTS } from './scores.compute';
import { POPULATION_BANDS } from '../municipalities';
import { MethodologyQuery, RankingQuery, WeightsForm } from './scores.schemas';
import { groupRanking, scoreDefaultYear, ScoresService } from './scores.service';
import { placeName } from '../../web/seo';

/** Rows of each ranking group per page; the first page shows the top 300 of every group. */
const RANKING_PAGE_SIZE = 300;

export function scoresHandlers({ scores, municipalities, logger, defaultYear }: { scores: ScoresService; municipalities: MunicipalitiesService; logger: Logger; defaultYear: () => Promise<number> }) {
  const yearOr = async (y: number | undefined) => y ?? scoreDefaultYear(await scores.years(), await defaultYear());

  async function weightsView(res: Response, values: Record<string, string> | null, errors: Record<string, string>) {
    const [weights, history] = await Promise.all([scores.weights(), scores.weightHistory()]);
    const v = values ?? { w_s: String(weights.w_s), w_e: String(weights.w_e), w_r: String(weights.w_r), w_p: String(weights.w_p), w_a: String(weights.w_a), w_i: String(weights.w_i), note: '' };
    return { title: res.locals.t('scores:weights.title'), weights, history, values: v, errors, components: COMPONENTS };
  }

  return {
    async ranking(req: Request, res: Response) {
      const f = parse(RankingQuery, req.query);
      const year = await yearOr(f.year);
      const [rows, years, departments] = await Promise.all([scores.list({ ...f, year }), scores.years(), municipalities.departments()]);
      let groups = groupRanking(rows);
      if (f.coverage === 'full') groups = groups.filter((g) => g.complete);
      // One page number for all groups: page n shows rows of rank order (n-1)·300+1… of each.
      const { page, pages, offset } = paging(Math.max(0, ...groups.map((g) => g.rows.length)), f.page, RANKING_PAGE_SIZE);
      res.render('scores/ranking', {
        title: res.locals.t('scores:ranking.title'),
        docTitle: res.locals.t('seo:scores.title', { year }),
        description: res.locals.t('seo:scores.description', { year }),
        noindex: Boolean(f.department || f.type || f.band || f.coverage),
        filter: { ...f, year },
        years: years.length ? years : [year],
        departments,
        bands: Object.keys(POPULATION_BANDS),
        groups: groups.map((g) => ({ ...g, rows: g.rows.slice(offset, offset + RANKING_PAGE_SIZE), from: offset + 1, total: g.rows.length })),
        page,
        pages,
        query: { year, department: f.department, type: f.type, band: f.band, coverage: f.coverage },
        hasComplete: groups.some((g) => g.complete),
        without: rows.filter((r) => r.score === null).length,
        components: COMPONENTS,
        apiHref: `/api/v1/scores?year=${year}${f.department ? `&department=${f.department}` : ''}${f.type ? `&type=${f.type}` : ''}${f.band ? `&band=${f.band}` : ''}`,
      });
    },

    async methodology(req: Request, res: Response) {
      const f = parse(MethodologyQuery, req.query);
      const year = await yearOr(f.year);
      const [weights, history] = await Promise.all([scores.weights(), scores.weightHistory()]);
      let example = null;
      if (f.ubigeo) {
        const municipality = await municipalities.municipality(f.ubigeo);
        const [row] = await scores.list({ year, ubigeo: f.ubigeo });
        example = { municipality, row: row ?? null };
      }
      const docTitle = example ? res.locals.t('seo:methodology.example', { title: res.locals.t('scores:methodology.title'), name: placeName(res.locals.t, example.municipality), year }) : undefined;
      res.render('scores/methodology', { title: res.locals.t('scores:methodology.title'), docTitle, noindex: Boolean(example), weights, history, year, example, components: COMPONENTS });
    },

    async weightsForm(_req: Request, res: Response) {
      res.render('scores/weights', { ...(await weightsView(res, null, {})), done: _req.query.done === '1' });
    },

    async setWeights(req: Request, res: Response) {
      const parsed = WeightsForm.safeParse(req.body);
      const values = Object.fromEntries(['w_s', 'w_e', 'w_r', 'w_p', 'w_a', 'w_i', 'note'].map((k) => [k, formString(req.body, k, k === 'note' ? 300 : 10)]));
      try {
        if (!parsed.success)
          throw new ValidationError(
            Object.entries(fieldErrors(parsed.error)).map(([field, key]) => ({ field, key })),
            422,
          );
        const w = parsed.data;
        await scores.setWeights(actorOf(req.user!), { s: w.w_s, e: w.w_e, r: w.w_r, p: w.w_p, a: w.w_a, i: w.w_i }, w.note ?? null);
      } catch (err) {
        if (err instanceof ValidationError) return renderInvalid(logger, req, res, 'scores/weights', { ...(await weightsView(res, values, fieldErrors(err))), done: false });
        throw err;
      }
      res.redirect(303, pageUrl(lngOf(res), 'admin_weights', {}, { done: '1' }));
    },
  };
}
