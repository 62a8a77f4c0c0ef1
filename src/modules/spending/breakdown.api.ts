import type { Response } from 'express';
import { z } from 'zod';
import { toSoles } from '../../lib/amounts';
import { api, ApiOperation, operation } from '../../lib/api';
import { NotFoundError } from '../../lib/errors';
import { Format, sendRows } from '../../lib/http';
import { MUNICIPALITY_NOT_FOUND, UbigeoParams, type MunicipalitiesService } from '../municipalities';
import type { AreaRef, BreakdownRow, BreakdownService, By } from './breakdown.service';
import { MEF_GASTO_LABEL } from './mef-gasto.importer';
import { AreaSpendingQuery, FormatOnlyQuery, MunicipalitySpendingQuery } from './spending.schemas';

const BreakdownRowSchema = z.object({
  code: z.string().describe('MEF code of the group (function, category, source, rubro, genérica, project or month 01–12)'),
  name: z.string().describe('its name in Spanish'),
  pia: api.soles('opening budget (PIA)'),
  pim: api.soles('modified budget (PIM)'),
  devengado: api.soles('accrued spending (devengado)'),
  execution_pct: api.pct('devengado / PIM × 100, one decimal').nullable(),
});
export const BREAKDOWN_FIELDS = Object.keys(BreakdownRowSchema.shape);
const UNITS = 'PEN (soles); execution_pct = devengado / pim × 100';

const breakdownMeta = (head: z.ZodRawShape) =>
  z.object({
    ...head,
    year: z.number().int().describe('budget year'),
    by: z.enum(['function', 'category', 'source', 'rubro', 'generic', 'project', 'month']).describe('how the rows are grouped'),
    count: z.number().int().describe('rows answered'),
    truncated: z.boolean().optional().describe('areas only: true when the project listing was cut to the largest projects'),
    source: z.string().describe('the source of the detail, in words'),
    synthetic: z.boolean().describe('true when the detail is synthetic test data, not real figures'),
    cut_off: api.isoDate('the last day the figures cover').nullable(),
    partial: z.boolean().nullable().describe('true while the year is not closed'),
    units: z.string().describe('units of the figures'),
    total: BreakdownRowSchema.omit({ code: true, name: true }).describe('the sums of all rows'),
  });

const out = (r: BreakdownRow) => ({ code: r.code, name: r.name, pia: toSoles(r.pia), pim: toSoles(r.pim), devengado: toSoles(r.devengado), execution_pct: r.execution_pct });

/** The area an API or page request is about: national (PE), a department or a province. */
export function areaRef(level: 'national' | 'department' | 'province', code?: string): AreaRef {
  return level === 'national' ? { level, area: 'PE' } : { level, area: code! };
}

/** Detailed spending breakdowns as open data (JSON or CSV with the same filters as the pages). */
export function breakdownApi(svc: BreakdownService, municipalities: MunicipalitiesService): ApiOperation[] {
  /** The breakdown of an area in the query's year (else its latest), with `head` first in the meta block. */
  const sendBreakdown = async (res: Response, ref: AreaRef, q: { year?: number; by: By; format: Format }, name: string, head: Record<string, unknown>) => {
    const year = q.year ?? (await svc.years(ref))[0];
    if (!year) throw new NotFoundError('spending:errors.no_detail_any');
    const data = await svc.breakdown(ref, year, q.by, 'es');
    sendRows(res, q.format, data.rows.map(out), BREAKDOWN_FIELDS, `spending-${name}-${year}-${q.by}`, {
      ...head,
      year,
      by: q.by,
      count: data.rows.length,
      // Only area listings are cut short (municipalities' projects are all listed).
      ...(ref.level === 'municipality' ? {} : { truncated: data.truncated }),
      source: data.source,
      synthetic: data.synthetic,
      cut_off: data.cut_off,
      partial: data.partial,
      units: UNITS,
      total: { pia: toSoles(data.total.pia), pim: toSoles(data.total.pim), devengado: toSoles(data.total.devengado), execution_pct: data.total.execution_pct },
    });
  };

  return [
    operation({
      id: 'getMunicipalitySpending',
      path: '/municipalities/:ubigeo/spending',
      tag: 'spending',
      summary: { es: 'Gasto detallado de una municipalidad', en: "A municipality's detailed spending" },
      description: {
        es: 'El gasto de un año agrupado por función, categoría, fuente, rubro, genérica, proyecto o mes (datos abiertos detallados del MEF).',
        en: "A year's spending grouped by function, category, source, rubro, genérica, project or month (MEF detailed open data).",
      },
      params: UbigeoParams,
      notFoundKey: MUNICIPALITY_NOT_FOUND,
      query: MunicipalitySpendingQuery,
      response: api.listing(BreakdownRowSchema, breakdownMeta({ ubigeo: api.ubigeo() })),
      csv: { columns: BREAKDOWN_FIELDS },
      notFound: true,
      version: 'imports',
      example: { params: { ubigeo: '150101' }, query: { by: 'function' } },
      handle: async ({ params: { ubigeo }, query: q, res }) => {
        await municipalities.municipality(ubigeo);
        await sendBreakdown(res, { level: 'municipality', area: ubigeo }, q, ubigeo, { ubigeo });
      },
    }),
    operation({
      id: 'getAreaSpending',
      path: '/spending',
      tag: 'spending',
      summary: { es: 'Gasto detallado del país, un departamento o una provincia', en: 'Detailed spending of the country, a department or a province' },
      description: {
        es: 'Lo mismo que el gasto de una municipalidad, sumado sobre las municipalidades del área (level=national, department con code de 2 dígitos, province con code de 4).',
        en: "The same as a municipality's spending, summed over the area's municipalities (level=national, department with a 2-digit code, province with a 4-digit code).",
      },
      query: AreaSpendingQuery,
      response: api.listing(
        BreakdownRowSchema,
        breakdownMeta({ level: z.enum(['national', 'department', 'province']).describe('the area level'), code: z.string().describe('PE, or the department or province code') }),
      ),
      csv: { columns: BREAKDOWN_FIELDS },
      notFound: true,
      version: 'imports',
      example: { query: { level: 'department', code: '15', by: 'category' } },
      handle: async ({ query: q, res }) => {
        const ref = areaRef(q.level, q.code);
        if (q.level === 'department') await municipalities.department(ref.area);
        await sendBreakdown(res, ref, q, `${q.level}-${ref.area}`, { level: q.level, code: ref.area });
      },
    }),
    operation({
      id: 'getCategoryShares',
      path: '/spending/category-shares',
      tag: 'spending',
      summary: { es: 'Reparto nacional del devengado por tipo de categoría presupuestal', en: 'National share of accrued spending by budget category type' },
      query: FormatOnlyQuery,
      response: api.listing(
        z.object({
          year: z.number().int().describe('budget year'),
          programa_presupuestal: api.pct('share of devengado in budget programmes').nullable(),
          acciones_centrales: api.pct('share of devengado in central actions').nullable(),
          apnop: api.pct('share of devengado in APNOP (assignments that do not result in products)').nullable(),
          devengado: api.soles('national accrued spending of the year'),
        }),
        z.object({ source: z.string().describe('the source, in words'), units: z.string().describe('units of the figures') }),
      ),
      csv: { columns: ['year', 'programa_presupuestal', 'acciones_centrales', 'apnop', 'devengado'] },
      version: 'imports',
      example: {},
      handle: async ({ query, res }) => {
        const { values } = await svc.nationalCategoryShares();
        const rows = values.map((v) => ({ year: v.year, ...v.shares, devengado: toSoles(v.total) }));
        sendRows(res, query.format, rows, ['year', 'programa_presupuestal', 'acciones_centrales', 'apnop', 'devengado'], 'spending-category-shares', {
          source: MEF_GASTO_LABEL,
          units: 'share of devengado, %; devengado in PEN',
        });
      },
    }),
  ];
}
