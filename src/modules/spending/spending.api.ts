import { z } from 'zod';
import { AMOUNT_COLUMNS, toSoles } from '../../lib/amounts';
import { api, ApiOperation, operation } from '../../lib/api';
import { NotFoundError } from '../../lib/errors';
import { pageOf, sendRows, sendSerialized, serializeRows } from '../../lib/http';
import { MUNICIPALITY_NOT_FOUND, UbigeoParams, type MunicipalitiesService } from '../municipalities';
import { ExecutionApiQuery, MunicipalityExecutionApiQuery } from './spending.schemas';
import type { SpendingService } from './spending.service';

const AMOUNT_NAMES: Record<(typeof AMOUNT_COLUMNS)[number], string> = {
  pia: 'opening budget (PIA)',
  pim: 'modified budget (PIM)',
  certificacion: 'certified (certificación)',
  compromiso_anual: 'annual commitment (compromiso anual)',
  atencion_compromiso_mensual: 'monthly commitment (atención de compromiso mensual)',
  devengado: 'accrued spending (devengado)',
  girado: 'paid (girado)',
};
/** The seven MEF amounts, in soles. */
export const amountFields = () => Object.fromEntries(AMOUNT_COLUMNS.map((c) => [c, api.soles(AMOUNT_NAMES[c])])) as Record<(typeof AMOUNT_COLUMNS)[number], z.ZodNumber>;
const executionPct = () => api.pct('execution: devengado / PIM × 100, one decimal').nullable();
const source = () => z.string().describe('data source: consulta_amigable (MEF Consulta Amigable totals) or mef_gasto (MEF detailed open data)');
const cutOff = () => api.isoDate('the last day the figures cover').nullable();
const partial = () => z.boolean().describe('true while the year is not closed (figures up to cut_off)');

const ExecutionRow = z.object({
  code: z.string().describe('department code (2 digits), province code (4) or ubigeo (6), by level'),
  name: z.string().describe('name of the department, province or municipality'),
  parent: z.string().nullable().describe('name of the area it belongs to (null for departments)'),
  year: z.number().int().describe('budget year'),
  ...amountFields(),
  execution_pct: executionPct(),
  rank: z.number().int().nullable().describe('1 = highest execution_pct of the level and year; equal percentages share a rank; null without PIM'),
  source: source().nullable(),
  cut_off: cutOff(),
  partial: partial(),
});
export const EXECUTION_FIELDS = Object.keys(ExecutionRow.shape);

const MunicipalityExecution = z.object({
  ubigeo: api.ubigeo(),
  year: z.number().int().describe('budget year'),
  pia: api.soles(AMOUNT_NAMES.pia),
  pim: api.soles(AMOUNT_NAMES.pim),
  certificacion: api.soles(AMOUNT_NAMES.certificacion),
  compromiso_anual: api.soles(AMOUNT_NAMES.compromiso_anual),
  devengado: api.soles(AMOUNT_NAMES.devengado),
  girado: api.soles(AMOUNT_NAMES.girado),
  execution_pct: executionPct(),
  source: source(),
  cut_off: cutOff(),
  partial: partial(),
  rank_national: z.number().int().nullable().describe('rank among all municipalities by execution_pct (1 = highest)'),
  rank_department: z.number().int().nullable().describe('rank among the municipalities of its department'),
});
const MUNI_EXECUTION_FIELDS = Object.keys(MunicipalityExecution.shape);

const soles = <T extends Record<string, unknown>>(r: T) => ({ ...r, ...Object.fromEntries(AMOUNT_COLUMNS.map((c) => [c, toSoles(Number(r[c]))])) });

/** Execution totals as open data: amounts in soles, execution_pct = devengado / PIM × 100. */
export function spendingApi(svc: SpendingService, municipalities: MunicipalitiesService): ApiOperation[] {
  return [
    operation({
      id: 'getMunicipalityExecution',
      path: '/municipalities/:ubigeo/execution',
      tag: 'spending',
      summary: { es: 'Ejecución presupuestal de una municipalidad en un año', en: "A municipality's budget execution in one year" },
      description: {
        es: 'PIA, PIM, certificación, compromiso, devengado y girado en soles, con el avance (devengado / PIM × 100) y su puesto. Sin year: el último año completo.',
        en: 'Opening and modified budget, certified, committed, accrued and paid in soles, with execution (accrued / PIM × 100) and rank. Without year: the latest complete year.',
      },
      params: UbigeoParams,
      notFoundKey: MUNICIPALITY_NOT_FOUND,
      query: MunicipalityExecutionApiQuery,
      response: MunicipalityExecution,
      csv: { columns: MUNI_EXECUTION_FIELDS },
      notFound: true,
      version: 'imports',
      example: { params: { ubigeo: '150101' }, query: { year: '2024' } },
      handle: async ({ params: { ubigeo }, query: q, res }) => {
        await municipalities.municipality(ubigeo);
        const year = q.year ?? (await svc.defaultYear());
        const rows = await svc.forMunicipality(ubigeo);
        const row = rows.find((e) => e.year === year);
        if (!row) throw new NotFoundError('spending:errors.no_data_for_year', { year });
        const out = soles({ ...row, ubigeo: ubigeo });
        if (q.format === 'csv') return sendRows(res, 'csv', [out], MUNI_EXECUTION_FIELDS, `execution-${ubigeo}-${year}`);
        res.json(Object.fromEntries(MUNI_EXECUTION_FIELDS.map((f) => [f, out[f as keyof typeof out] ?? null])));
      },
    }),
    operation({
      id: 'listExecution',
      path: '/execution',
      tag: 'spending',
      summary: { es: 'Ranking de ejecución por departamento, provincia o municipalidad', en: 'Execution ranking by department, province or municipality' },
      description: {
        es: 'Un año de ejecución de todas las áreas de un nivel, ordenadas por puesto; JSON de 100 en 100 filas (limit, offset), CSV completo.',
        en: "A year's execution of every area of one level, in rank order; JSON 100 rows at a time (limit, offset), CSV whole.",
      },
      query: ExecutionApiQuery,
      response: api.listing(
        ExecutionRow,
        z.object({
          level: z.enum(['department', 'province', 'municipality']).describe('the level listed'),
          year: z.number().int().describe('budget year'),
          count: z.number().int().describe('rows in the whole listing'),
          paging: api.paging(),
          partial: partial(),
          cut_off: cutOff(),
          source: z.string().describe('the source and cut-off, in words'),
          units: z.string().describe('units of the figures'),
          total: z.looseObject(amountFields()).describe('the sums of the whole listing (amounts in soles)'),
        }),
      ),
      csv: { columns: EXECUTION_FIELDS },
      notFound: true,
      version: 'imports',
      example: { query: { level: 'department', year: '2024' } },
      handle: async ({ query: q, res }) => {
        const year = q.year ?? (await svc.defaultYear());
        if (year === null) throw new NotFoundError('spending:errors.no_data');
        // The serialised body is memoised with the ranking (same data version).
        const body = await svc.memo(`api:execution:${JSON.stringify([q.level, year, q.department ?? null, q.format, q.limit ?? null, q.offset ?? null])}`, async () => {
          const data = await svc.ranking({ level: q.level, year, department: q.department, sort: 'rank' });
          const all = data.rows.map((row) => soles({ ...row, year, cut_off: data.year.cut_off, partial: data.year.partial }));
          const page = pageOf(all, q.format, q, '/api/v1/execution', { level: q.level, year, department: q.department });
          return serializeRows(q.format, page.rows, EXECUTION_FIELDS, {
            level: q.level,
            year,
            count: all.length,
            paging: page.paging,
            partial: data.year.partial,
            cut_off: data.year.cut_off,
            source: data.year.label,
            units: 'PEN (soles); execution_pct = devengado / pim × 100',
            total: soles({ ...data.total }),
          });
        });
        sendSerialized(res, q.format, body, `execution-${q.level}-${year}`);
      },
    }),
  ];
}
