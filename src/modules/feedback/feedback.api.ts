import { z } from 'zod';
import { api, ApiOperation, operation } from '../../lib/api';
import { sendRows } from '../../lib/http';
import { MUNICIPALITY_NOT_FOUND, UbigeoParams, type MunicipalitiesService } from '../municipalities';
import { BulkSatisfactionQuery, SatisfactionQuery } from './feedback.schemas';
import type { FeedbackService } from './feedback.service';

const rating = (what: string) => z.number().describe(`${what}, on the 1–5 rating scale, 4 decimals`);
const SatisfactionRow = z.object({
  ubigeo: api.ubigeo(),
  year: z.number().int().describe('year of the ratings'),
  quarter: z.number().int().min(1).max(4).nullable().describe('quarter 1–4, null for the year as a whole'),
  area: z.string().nullable().describe('service area code, "all" for every area, or pb_item:<id> for a finished participatory-budget project'),
  n: z.number().int().describe('residents who rated (at least 5 in a published group)'),
  mean: rating('mean rating'),
  ci_low: rating('lower bound of the 95 % t-interval of the mean'),
  ci_high: rating('upper bound of the 95 % t-interval of the mean'),
  shrunk_mean: rating('mean shrunk towards the department mean: (n·mean + 10·μ)/(n + 10); null for projects').nullable(),
});
export const SATISFACTION_FIELDS = Object.keys(SatisfactionRow.shape);
const YearlyRow = z.object({
  ubigeo: api.ubigeo(),
  department_code: z.string().describe('INEI department code (2 digits)'),
  year: z.number().int().describe('year of the ratings'),
  n: z.number().int().describe('ratings in the published cells'),
  sum: z.number().describe('sum of those ratings (1–5 each)'),
  mean: rating('mean rating'),
  ci_low: rating('lower bound of the 95 % t-interval of the mean'),
  ci_high: rating('upper bound of the 95 % t-interval of the mean'),
});
export const YEARLY_SATISFACTION_FIELDS = Object.keys(YearlyRow.shape);
const r4 = (v: number) => Math.round(v * 10000) / 10000;

/** Published satisfaction aggregates (groups with at least 5 residents) as open data. */
export function feedbackApi(feedback: FeedbackService, municipalities: MunicipalitiesService): ApiOperation[] {
  return [
    operation({
      id: 'getMunicipalitySatisfaction',
      path: '/municipalities/:ubigeo/satisfaction',
      tag: 'satisfaction',
      summary: { es: 'Satisfacción de los vecinos con una municipalidad', en: "Residents' satisfaction with a municipality" },
      description: {
        es: 'Promedios de las calificaciones (1–5) por trimestre, área de servicio y proyecto, solo de grupos con al menos 5 vecinos.',
        en: 'Mean ratings (1–5) by quarter, service area and project, only for groups of at least 5 residents.',
      },
      params: UbigeoParams,
      notFoundKey: MUNICIPALITY_NOT_FOUND,
      query: SatisfactionQuery,
      notFound: true,
      response: api.listing(
        SatisfactionRow,
        z.object({
          ubigeo: api.ubigeo(),
          year: z.number().int().describe('year of the ratings'),
          min_residents: z.number().int().describe('smallest group published'),
          method: z.string().describe('how the figures are computed'),
        }),
      ),
      csv: { columns: SATISFACTION_FIELDS },
      example: { params: { ubigeo: '150101' }, query: { year: '2026' } },
      handle: async ({ params: { ubigeo }, query: q, res }) => {
        await municipalities.municipality(ubigeo);
        const year = q.year ?? feedback.quarterNow().year;
        const [sat, areas] = await Promise.all([feedback.satisfaction(ubigeo, year), feedback.areas(false)]);
        const code = new Map(areas.map((a) => [a.id, a.code]));
        const rows: Array<Record<string, unknown>> = [...sat.byQuarter, ...sat.byArea, ...(sat.overall ? [sat.overall] : [])].map((f) => ({
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
          rows.push({ ubigeo: ubigeo, year, quarter: null, area: `pb_item:${i.pb_item_id}`, n: i.n, mean: r4(i.mean), ci_low: r4(i.ci_low), ci_high: r4(i.ci_high), shrunk_mean: null });
        sendRows(res, q.format, rows, SATISFACTION_FIELDS, `satisfaction-${ubigeo}-${year}`, {
          ubigeo: ubigeo,
          year,
          min_residents: 5,
          method:
            "cells (area × quarter) are published with at least 5 residents; every other row sums published cells only. mean with 95 % t-interval; shrunk_mean = (n·mean + 10·μ)/(n + 10), μ = mean of the department's published cells of the same group",
        });
      },
    }),
    operation({
      id: 'listSatisfaction',
      path: '/satisfaction',
      tag: 'satisfaction',
      summary: { es: 'Satisfacción anual de todas las municipalidades', en: 'Yearly satisfaction of every municipality' },
      description: {
        es: 'Las entradas del componente S del índice: por municipalidad, las calificaciones de las celdas publicadas del año.',
        en: 'The inputs of the score’s S component: per municipality, the ratings of the year’s published cells.',
      },
      query: BulkSatisfactionQuery,
      response: api.listing(
        YearlyRow,
        z.object({ year: z.number().int().describe('year of the ratings'), count: z.number().int().describe('rows answered'), min_residents: z.number().int().describe('smallest group published') }),
      ),
      csv: { columns: YEARLY_SATISFACTION_FIELDS },
      example: { query: { year: '2026', department: '15' } },
      handle: async ({ query: q, res }) => {
        const year = q.year ?? feedback.quarterNow().year;
        const rows = (await feedback.yearly(year, q.department)).map((f) => ({ ...f, mean: r4(f.mean), ci_low: r4(f.ci_low), ci_high: r4(f.ci_high) }));
        sendRows(res, q.format, rows, YEARLY_SATISFACTION_FIELDS, `satisfaction-${year}`, { year, count: rows.length, min_residents: 5 });
      },
    }),
  ];
}
