import { Router } from 'express';
import { NotFoundError } from '../../lib/errors';
import { parse, sendRows } from '../../lib/http';
import type { MunicipalitiesService } from '../municipalities';
import { Ubigeo } from '../../lib/schemas';
import { BulkSatisfactionQuery, SatisfactionQuery } from './feedback.schemas';
import type { FeedbackService } from './feedback.service';

export const SATISFACTION_FIELDS = ['ubigeo', 'year', 'quarter', 'area', 'n', 'mean', 'ci_low', 'ci_high', 'shrunk_mean'];
export const YEARLY_SATISFACTION_FIELDS = ['ubigeo', 'department_code', 'year', 'n', 'sum', 'mean', 'ci_low', 'ci_high'];
const r4 = (v: number) => Math.round(v * 10000) / 10000;

/** Published satisfaction aggregates (groups with at least 5 residents) as open data. */
export function feedbackApi(feedback: FeedbackService, municipalities: MunicipalitiesService): Router {
  const r = Router();

  r.get('/municipalities/:ubigeo/satisfaction', async (req, res) => {
    const u = Ubigeo.safeParse(req.params.ubigeo);
    if (!u.success) throw new NotFoundError('municipalities:errors.municipality_not_found', { ubigeo: req.params.ubigeo });
    const q = parse(SatisfactionQuery, req.query);
    await municipalities.municipality(u.data);
    const year = q.year ?? feedback.quarterNow().year;
    const [sat, areas] = await Promise.all([feedback.satisfaction(u.data, year), feedback.areas(false)]);
    const code = new Map(areas.map((a) => [a.id, a.code]));
    const rows = [...sat.byQuarter, ...sat.byArea, ...(sat.overall ? [sat.overall] : [])].map((f) => ({
      ubigeo: u.data,
      year,
      quarter: f.quarter,
      area: f.area_id === null ? 'all' : code.get(f.area_id),
      n: f.n,
      mean: r4(f.mean),
      ci_low: r4(f.ci_low),
      ci_high: r4(f.ci_high),
      shrunk_mean: r4(f.shrunk_mean),
    }));
    // PB items: area = pb_item:<id>; no shrinkage (items are not compared across municipalities).
    for (const i of sat.items) rows.push({ ubigeo: u.data, year, quarter: null, area: `pb_item:${i.pb_item_id}`, n: i.n, mean: r4(i.mean), ci_low: r4(i.ci_low), ci_high: r4(i.ci_high), shrunk_mean: null as unknown as number });
    sendRows(res, q.format, rows, SATISFACTION_FIELDS, `satisfaction-${u.data}-${year}`, { ubigeo: u.data, year, min_residents: 5, method: 'cells (area × quarter) are published with at least 5 residents; every other row sums published cells only. mean with 95 % t-interval; shrunk_mean = (n·mean + 10·μ)/(n + 10), μ = mean of the department\'s published cells of the same group' });
  });

  r.get('/satisfaction', async (req, res) => {
    const q = parse(BulkSatisfactionQuery, req.query);
    const year = q.year ?? feedback.quarterNow().year;
    const rows = (await feedback.yearly(year, q.department)).map((f) => ({ ...f, mean: r4(f.mean), ci_low: r4(f.ci_low), ci_high: r4(f.ci_high) }));
    sendRows(res, q.format, rows, YEARLY_SATISFACTION_FIELDS, `satisfaction-${year}`, { year, count: rows.length, min_residents: 5 });
  });

  return r;
}
