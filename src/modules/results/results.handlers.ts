import type { Request, Response } from 'express';
import { lngOf, type Lang } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { parse } from '../../lib/http';
import type { Logger } from '../../lib/logger';
import { idOr404, Ubigeo } from '../../lib/schemas';
import { lineChart } from '../../lib/svg';
import { fieldErrors, FieldErrors, renderInvalid, validated } from '../../web/forms';
import { actorOf } from '../audit';
import type { BreakdownService } from '../spending';
import type { ResultsImport } from './results.import';
import { DIRECTIONS, LEVELS, TYPES } from './results.rules';
import * as S from './results.schemas';
import type { ChainIndicator, ResultsService } from './results.service';

const PAGE_SIZE = 50;
const DONE = ['plan', 'objective', 'indicator', 'value'];
const doneOf = (req: Request) => (typeof req.query.done === 'string' && DONE.includes(req.query.done) ? req.query.done : null);
const ubigeoOf = (req: Request) => req.params.ubigeo as string;
const str = (v: unknown) => (v == null ? '' : String(v));
const kept = (body: unknown, fields: readonly string[]): Record<string, string> => {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, typeof b[f] === 'string' ? b[f].slice(0, 2000) : '']));
};
const PLAN_KEYS = Object.keys(S.PlanForm.shape);
const OBJECTIVE_KEYS = Object.keys(S.ObjectiveForm.shape);
const INDICATOR_KEYS = Object.keys(S.IndicatorForm.shape);
const VALUE_KEYS = [...Object.keys(S.ValueForm.shape), 'reason'];

/**
 * One indicator's target-vs-actual chart (server SVG, described; the page shows the same figures
 * in a table next to it). Null when no year has a target or an actual.
 */
export function indicatorChart(i: ChainIndicator, t: (k: string, o?: Record<string, unknown>) => string, num: (n: number) => string, lng: Lang): string | null {
  const years = i.values.filter((v) => v.baseline_target != null || v.actual != null);
  if (!years.length) return null;
  const name = (lng === 'en' && i.name_en) || i.name_es;
  const all = years.flatMap((v) => [v.baseline_target, v.actual]).filter((v): v is number => v != null);
  return lineChart({
    id: `chart-${i.id}`,
    title: t('results:chart.title', { name }),
    desc: years
      .map((v) => t('results:chart.desc', { year: v.year, target: v.baseline_target == null ? '—' : num(v.baseline_target), actual: v.actual == null ? '—' : num(v.actual), unit: i.unit }))
      .join('; '),
    xLabels: years.map((v) => String(v.year)),
    series: [
      { label: t('results:chart.target'), values: years.map((v) => v.baseline_target) },
      { label: t('results:chart.actual'), values: years.map((v) => v.actual) },
    ],
    yMax: Math.max(1, ...all.map((v) => Math.abs(v))) * 1.1,
    format: (v) => num(v),
  });
}

export function resultsHandlers({ service, bulk, logger, breakdown, clock }: { service: ResultsService; bulk: ResultsImport; logger: Logger; breakdown: BreakdownService; clock: () => number }) {
  const common = { levels: LEVELS, types: TYPES, directions: DIRECTIONS };
  const back = (res: Response, name: Parameters<typeof pageUrl>[1], params: Record<string, string | number>, query?: Record<string, string>) =>
    res.redirect(303, pageUrl(lngOf(res), name, params, query));

  /** The linked programmes' spending from detailed MEF data (latest year with data), where present. */
  async function programmeSpending(ubigeo: string, codes: string[], lng: Lang) {
    if (!codes.length) return null;
    const years = await breakdown.years({ level: 'municipality', area: ubigeo });
    if (!years.length) return null;
    try {
      const b = await breakdown.breakdown({ level: 'municipality', area: ubigeo }, years[0], 'category', lng);
      return { year: b.year, source: b.source, cut_off: b.cut_off, synthetic: b.synthetic, rows: new Map(b.rows.filter((r) => codes.includes(r.code)).map((r) => [r.code, r])) };
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  async function manageLocals(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const ubigeo = ubigeoOf(req);
    const chain = await service.chain(ubigeo);
    return {
      title: res.locals.t('results:manage.title'),
      ubigeo,
      municipality: chain.municipality.district,
      plans: chain.plans,
      indicators: chain.indicators,
      plan: Object.fromEntries(PLAN_KEYS.map((k) => [k, ''])),
      objective: Object.fromEntries(OBJECTIVE_KEYS.map((k) => [k, ''])),
      imports: await bulk.recent(ubigeo),
      report: null,
      errors: {},
      objectiveErrors: {},
      objectivePlan: null,
      done: doneOf(req),
      ...common,
      ...extra,
    };
  }

  async function indicatorLocals(req: Request, res: Response, id: number | null, extra: Record<string, unknown> = {}) {
    const ubigeo = ubigeoOf(req);
    const ind = id ? await service.ownIndicator(ubigeo, id) : null;
    const values = ind
      ? {
          ...Object.fromEntries(INDICATOR_KEYS.map((k) => [k, str((ind as unknown as Record<string, unknown>)[k])])),
          pb_item_ids: ind.items.map((i) => i.id).join(', '),
          commitment_ids: ind.commitments.map((c) => c.id).join(', '),
        }
      : { ...Object.fromEntries(INDICATOR_KEYS.map((k) => [k, ''])), direction: 'up', level: 'final_result', type: 'effectiveness' };
    return {
      title: res.locals.t(ind ? 'results:manage.edit_indicator' : 'results:manage.new_indicator'),
      ubigeo,
      indicator: ind,
      values,
      value: { ...Object.fromEntries(VALUE_KEYS.map((k) => [k, ''])), year: String(new Date(clock()).getUTCFullYear()) },
      objectives: await service.objectives(ubigeo),
      errors: {},
      valueErrors: {},
      done: doneOf(req),
      ...common,
      ...extra,
    };
  }

  return {
    /** The public tree: plan → objectives → results → products → linked items, commitments and spending. */
    async chain(req: Request, res: Response) {
      const u = Ubigeo.safeParse(req.params.ubigeo);
      if (!u.success) throw new NotFoundError();
      const chain = await service.chain(u.data);
      const lng = lngOf(res);
      const { t, fmt } = res.locals;
      const chartSvg = new Map(chain.indicators.map((i) => [i.id, indicatorChart(i, t, (n) => fmt.number(n, 2), lng)]));
      const codes = [...new Set(chain.indicators.map((i) => i.pp_code).filter((c): c is string => !!c))];
      res.render('results/chain', {
        title: res.locals.t('results:chain.title', { name: chain.municipality.district }),
        ...chain,
        chartSvg,
        spending: await programmeSpending(u.data, codes, lng),
        apiHref: `/api/v1/results/indicators?ubigeo=${u.data}`,
        ...common,
      });
    },

    /** National list with filters (level, type, programme, department) and pages. */
    async list(req: Request, res: Response) {
      const f = parse(S.ListQuery, req.query);
      const rows = await service.list(f);
      const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
      const page = Math.min(f.page ?? 1, pages);
      const filter = { level: f.level, type: f.type, programme: f.programme, department: f.department };
      res.render('results/list', {
        title: res.locals.t('results:list.title'),
        rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
        total: rows.length,
        page,
        pages,
        pageSize: PAGE_SIZE,
        filter,
        apiHref: `/api/v1/results/indicators?${new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>).toString()}`,
        ...common,
      });
    },

    async manage(req: Request, res: Response) {
      res.render('results/manage', await manageLocals(req, res));
    },

    async savePlan(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      try {
        await service.savePlan(actorOf(req.user!), ubigeo, null, validated(S.PlanForm, req.body));
        back(res, 'manage_results', { ubigeo }, { done: 'plan' });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        renderInvalid(logger, req, res, 'results/manage', { ...(await manageLocals(req, res)), plan: kept(req.body, PLAN_KEYS), errors: fieldErrors(e) });
      }
    },

    async saveObjective(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const planId = idOr404(req.params.id);
      try {
        await service.saveObjective(actorOf(req.user!), ubigeo, planId, validated(S.ObjectiveForm, req.body));
        back(res, 'manage_results', { ubigeo }, { done: 'objective' });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const objectiveErrors: FieldErrors = fieldErrors(e);
        renderInvalid(logger, req, res, 'results/manage', { ...(await manageLocals(req, res)), objective: kept(req.body, OBJECTIVE_KEYS), objectivePlan: planId, objectiveErrors, errors: {} });
      }
    },

    async indicatorForm(req: Request, res: Response) {
      res.render('results/indicator-form', await indicatorLocals(req, res, req.params.id ? idOr404(req.params.id) : null));
    },

    async saveIndicator(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const id = req.params.id ? idOr404(req.params.id) : null;
      try {
        const saved = await service.saveIndicator(actorOf(req.user!), ubigeo, id, validated(S.IndicatorForm, req.body));
        back(res, 'manage_results_indicator', { ubigeo, id: saved.id }, { done: 'indicator' });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        renderInvalid(logger, req, res, 'results/indicator-form', { ...(await indicatorLocals(req, res, id)), values: kept(req.body, INDICATOR_KEYS), errors: fieldErrors(e) });
      }
    },

    async saveValue(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const id = idOr404(req.params.id);
      try {
        const input = validated(S.ValueForm, req.body);
        await service.saveValue(actorOf(req.user!), ubigeo, id, input, validated(S.ReasonForm, req.body).reason);
        back(res, 'manage_results_indicator', { ubigeo, id }, { done: 'value' });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        renderInvalid(logger, req, res, 'results/indicator-form', { ...(await indicatorLocals(req, res, id)), value: kept(req.body, VALUE_KEYS), valueErrors: fieldErrors(e), errors: {} });
      }
    },

    async bulkImport(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const f = parse(S.ImportForm, req.body, 422);
      if (!req.file?.size) throw new ValidationError([{ field: 'file', key: 'results:errors.file_missing' }], 422);
      const text = req.file.buffer.toString('utf8');
      if (text.includes('\u0000')) throw new ValidationError([{ field: 'file', key: 'results:errors.csv_unreadable' }], 422);
      const report = await bulk.run(actorOf(req.user!), ubigeo, f.kind, text, req.file.originalname);
      res.status(report.status === 'done' ? 200 : 422).render('results/manage', await manageLocals(req, res, { report }));
    },
  };
}
