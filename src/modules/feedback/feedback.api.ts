import { Router } from 'express';
import { parse, sendRows } from '../../lib/http';
import { municipalityRequest, type MunicipalitiesService } from '../municipalities';
import { BulkSatisfactionQuery, SatisfactionQuery } from './feedback.schemas';
import type { FeedbackService } from './feedback.service';

export const SATISFACTION_FIELDS = ['ubigeo', 'year', 'quarter', 'area', 'n', 'mean', 'ci_low', 'ci_high', 'shrunk_mean'];
export const YEARLY_SATISFACTION_FIELDS = ['ubigeo', 'department_code', 'year', 'n', 'sum', 'mean', 'ci_low', 'ci_high'];
const r4 = (v: number) => Math.round(v * 10000) / 10000;

/** Published satisfaction aggregates (groups with at least 5 residents) as open data. */
export function feedbackApi(feedback: FeedbackService, municipalities: MunicipalitiesService): Router {
  const r = Router();

  r.get('/municipalities/:ubigeo/satisfaction', async (req, res) => {
    const { ubigeo, q } = await municipalityRequest(municipalities, req, SatisfactionQuery);
    const year = q.year ?? feedback.quarterNow().year;
    const [sat, areas] = await Promise.all([feedback.satisfaction(ubigeo, year), feedback.areas(false)]);
    const code = new Map(areas.map((a) => [a.id, a.code]));
    const rows = [...sat.byQuarter, ...sat.byArea, ...(sat.overall ? [sat.overall] : [])].map((f) => ({
      ubigeo: ubigeo,
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
    for (const i of sat.items)
      rows.push({
        ubigeo: ubigeo,
        year,
        quarter: null,
        area: `pb_item:${i.pb_item_id}`,
        n: i.n,
        mean: r4(i.mean),
        ci_low: r4(i.ci_low),
        ci_high: r4(i.ci_high),
        shrunk_mean: null as unknown as number,
      });
    sendRows(res, q.format, rows, SATISFACTION_FIELDS, `satisfaction-${ubigeo}-${year}`, {
      ubigeo: ubigeo,
      year,
      min_residents: 5,
      method:
        "cells (area × quarter) are published with at least 5 residents; every other row sums published cells only. mean with 95 % t-interval; shrunk_mean = (n·mean + 10·μ)/(n + 10), μ = mean of the department's published cells of the same group",
    });
  });

  r.get('/satisfaction', async (req, res) => {
    const q = parse(BulkSatisfactionQuery, req.query);
    const year = q.year ?? feedback.quarterNow().year;
    const rows = (await feedback.yearly(year, q.department)).map((f) => ({ ...f, mean: r4(f.mean), ci_low: r4(f.ci_low), ci_high: r4(f.ci_high) }));
    sendRows(res, q.format, rows, YEARLY_SATISFACTION_FIELDS, `satisfaction-${year}`, { year, count: rows.length, min_residents: 5 });
  });

  return r;
}
