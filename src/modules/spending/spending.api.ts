import { z } from 'zod';
import { AMOUNT_COLUMNS, toSoles } from '../../lib/amounts';
import { api, ApiOperation, operation } from '../../lib/api';
import { NotFoundError } from '../../lib/errors';
import { pageOf, sendRows, sendSerialized, serializeRows } from '../../lib/http';
import { MUNICIPALITY_NOT_FOUND, UbigeoParams, type MunicipalitiesService } from '../municipalities';
import { ExecutionApiQuery, HistoryApiQuery, MunicipalityExecutionApiQuery, MunicipalityHistoryApiQuery } from './spending.schemas';
import type { HistoryService } from './history.service';
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
const approx = () => z.boolean().describe('true when cut_off is approximate (a partial year: the date its snapshot was seen)');

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
  cut_off_approximate: approx(),
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
  cut_off_approximate: approx(),
  partial: partial(),
  rank_national: z.number().int().nullable().describe('rank among all municipalities by execution_pct (1 = highest)'),
  rank_department: z.number().int().nullable().describe('rank among the municipalities of its department'),
});
const MUNI_EXECUTION_FIELDS = Object.keys(MunicipalityExecution.shape);

/** Where the computed history rows come from (every aggregate row names it). */
export const HISTORY_SOURCE = 'Resultados Abiertos: Σ devengado ÷ Σ PIM of the municipalities (MEF, Consulta Amigable)';
const HistoryRow = z.object({
  level: z.enum(['national', 'department']).describe('national (code PE) or department'),
  code: z.string().describe('PE, or the department code (2 digits)'),
  name: z.string().describe('Perú or the department name'),
  year: z.number().int().describe('budget year (2023 is absent: no source has it)'),
  pim: api.soles('modified budget (PIM), summed over the municipalities'),
  devengado: api.soles('accrued spending (devengado), summed over the municipalities'),
  execution_pct: api.pct('execution: Σ devengado / Σ PIM × 100, one decimal'),
  municipalities: z.number().int().describe('municipalities (and predecessors) with data that year'),
  paper_execution_pct: api.pct("the reference article's Table 1 value (departments only)").nullable(),
  difference_pts: z.number().nullable().describe('execution_pct minus paper_execution_pct, in percentage points'),
  partial: partial(),
  cut_off: cutOff(),
  cut_off_approximate: approx(),
  source: z.string().describe('where the row comes from'),
});
export const HISTORY_FIELDS = Object.keys(HistoryRow.shape);
const MunicipalityHistoryRow = z.object({
  ubigeo: api.ubigeo(),
  year: z.number().int().describe('budget year (2023 and years before the municipality existed are absent)'),
  pim: api.soles('modified budget (PIM)').nullable(),
  devengado: api.soles('accrued spending (devengado)').nullable(),
  execution_pct: api.pct('execution: devengado / PIM × 100').nullable(),
  department_execution_pct: api.pct("its department's execution (Σ devengado / Σ PIM)").nullable(),
  national_execution_pct: api.pct('national execution of local governments (Σ devengado / Σ PIM)').nullable(),
  revenue_total: api.soles('revenue collected').nullable(),
  own_taxes: api.soles('own municipal taxes collected').nullable(),
  canon: api.soles('canon, sobrecanon and royalties received').nullable(),
  fiscal_autonomy_pct: api.pct('fiscal autonomy: own_taxes / revenue_total × 100').nullable(),
  canon_dependence_pct: api.pct('dependence on extractive transfers: canon / revenue_total × 100').nullable(),
  partial: partial(),
  cut_off: cutOff(),
  cut_off_approximate: approx(),
  source: z.string().describe('where the row comes from'),
});
const MUNI_HISTORY_FIELDS = Object.keys(MunicipalityHistoryRow.shape);

const soles = <T extends Record<string, unknown>>(r: T) => ({ ...r, ...Object.fromEntries(AMOUNT_COLUMNS.map((c) => [c, toSoles(Number(r[c]))])) });

/** Execution totals as open data: amounts in soles, execution_pct = devengado / PIM × 100. */
export function spendingApi(svc: SpendingService, municipalities: MunicipalitiesService, history: HistoryService): ApiOperation[] {
  return [
    operation({
      id: 'listExecutionHistory',
      path: '/history/execution',
      tag: 'spending',
      summary: { es: 'Ejecución 2012–2025, nacional y por departamento', en: 'Execution 2012–2025, national and by department' },
      description: {
        es: 'Avance de ejecución de los gobiernos locales por año, sumado de los datos municipales, con el valor de la Tabla 1 del artículo de referencia al lado. 2023 falta: ninguna fuente lo tiene.',
        en: "Local governments' execution per year, summed from the municipal data, with the reference article's Table 1 value beside it. 2023 is missing: no source has it.",
      },
      query: HistoryApiQuery,
      response: api.listing(
        HistoryRow,
        z.looseObject({
          count: z.number().int().describe('rows answered'),
          source: z.string().describe('where the rows come from'),
          gaps: z.array(z.number().int()).describe('years without data'),
          max_difference_pts: z.number().nullable().describe('largest |difference_pts| over the departments and years of Table 1'),
          units: z.string().describe('units of the figures'),
        }),
      ),
      csv: { columns: HISTORY_FIELDS },
      version: 'imports',
      example: { query: { level: 'national' } },
      handle: async ({ query: q, res }) => {
        const h = await history.departmentHistory();
        // A partial year's cut-off is the date the snapshot was seen (approximate); a full year's is 31 Dec.
        const meta = (year: number) => ({ partial: Boolean(h.partial[year]), cut_off: h.cutOff[year] ?? null, cut_off_approximate: Boolean(h.partial[year]), source: HISTORY_SOURCE });
        const sums = (n: { pim: number | null; devengado: number | null; pct: number | null; count?: number | null }) => ({
          pim: toSoles(n.pim ?? 0),
          devengado: toSoles(n.devengado ?? 0),
          execution_pct: n.pct,
          municipalities: n.count ?? null,
        });
        const rows: Record<string, unknown>[] = [];
        if (q.level !== 'department')
          h.years.forEach((year, i) => {
            const n = h.national[i];
            if (n) rows.push({ level: 'national', code: 'PE', name: 'Perú', year, ...sums(n), paper_execution_pct: null, difference_pts: null, ...meta(year) });
          });
        if (q.level !== 'national')
          for (const d of h.rows)
            for (const y of d.years)
              if (y.pct !== null) rows.push({ level: 'department', code: d.code, name: d.name, year: y.year, ...sums(y), paper_execution_pct: y.paper, difference_pts: y.diff, ...meta(y.year) });
        sendRows(res, q.format, rows, HISTORY_FIELDS, 'execution-history', {
          count: rows.length,
          source: HISTORY_SOURCE,
          paper: 'Table 1 of the reference article (execution % of local governments by department, 2012–2020 and 2022, source “Consulta Amigable del MEF”)',
          gaps: h.years.filter((_, i) => !h.national[i]),
          max_difference_pts: h.maxDiff,
          units: 'PEN (soles); execution_pct = Σ devengado / Σ pim × 100; predecessor municipalities counted in their department in the years they existed',
        });
      },
    }),
    operation({
      id: 'getMunicipalityHistory',
      path: '/municipalities/:ubigeo/history',
      tag: 'spending',
      summary: { es: 'Ejecución e ingresos de una municipalidad, 2012–2025', en: "A municipality's execution and revenue, 2012–2025" },
      description: {
        es: 'Por año: PIM, devengado y avance con el de su departamento y el nacional, e ingresos con autonomía fiscal y dependencia del canon. También para las municipalidades predecesoras (160109, 160114).',
        en: 'Per year: PIM, accrued spending and execution beside its department and the nation, and revenue with fiscal autonomy and canon dependence. Also for the predecessor municipalities (160109, 160114).',
      },
      params: UbigeoParams,
      notFoundKey: MUNICIPALITY_NOT_FOUND,
      query: MunicipalityHistoryApiQuery,
      response: api.listing(
        MunicipalityHistoryRow,
        z.looseObject({
          ubigeo: api.ubigeo(),
          predecessor_of: z.string().nullable().describe('the successor, when this code is a predecessor municipality'),
          predecessors: z.array(z.string()).describe('codes of its predecessor municipalities'),
          gaps: z.array(z.number().int()).describe('years without execution data'),
          units: z.string().describe('units of the figures'),
        }),
      ),
      csv: { columns: MUNI_HISTORY_FIELDS },
      notFound: true,
      version: 'imports',
      example: { params: { ubigeo: '150101' } },
      handle: async ({ params: { ubigeo }, query: q, res }) => {
        if (!(await municipalities.predecessor(ubigeo))) await municipalities.municipality(ubigeo); // 404 when neither a municipality nor a predecessor
        const h = await history.historyFor(ubigeo);
        const e = h.execution;
        const rev = new Map(h.revenue.years.map((y, i) => [y, h.revenue.own[i]]));
        const rows: Record<string, unknown>[] = [];
        e.years.forEach((year, i) => {
          const o = e.own[i];
          const rv = rev.get(year) ?? null;
          if (!o && !rv) return;
          rows.push({
            ubigeo,
            year,
            pim: o ? toSoles(o.pim) : null,
            devengado: o ? toSoles(o.devengado) : null,
            execution_pct: o?.pct ?? null,
            department_execution_pct: e.department[i]?.pct ?? null,
            national_execution_pct: e.national[i]?.pct ?? null,
            revenue_total: rv ? toSoles(rv.total ?? 0) : null,
            own_taxes: rv && rv.own_taxes !== null ? toSoles(rv.own_taxes) : null,
            canon: rv && rv.canon !== null ? toSoles(rv.canon) : null,
            fiscal_autonomy_pct: rv?.autonomy_pct ?? null,
            canon_dependence_pct: rv?.canon_pct ?? null,
            partial: Boolean(e.partial[year]) && Boolean(o),
            cut_off: o ? (e.cutOff[year] ?? null) : null,
            cut_off_approximate: Boolean(e.partial[year]) && Boolean(o),
            source: 'MEF, Consulta Amigable (execution); MEF, Transparencia Económica, ingresos (revenue)',
          });
        });
        sendRows(res, q.format, rows, MUNI_HISTORY_FIELDS, `history-${ubigeo}`, {
          ubigeo,
          predecessor_of: h.predecessor?.successor_ubigeo ?? null,
          predecessors: h.predecessors.map((p) => p.ubigeo),
          gaps: e.years.filter((_, i) => !e.own[i]),
          units:
            'PEN (soles); execution_pct = devengado / pim × 100; context: Σ devengado / Σ pim; fiscal_autonomy_pct = own_taxes / revenue_total × 100; canon_dependence_pct = canon / revenue_total × 100',
        });
      },
    }),
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
          cut_off_approximate: approx(),
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
        const body = await svc.memo(
          `api:execution:${JSON.stringify([q.level, year, q.department ?? null, q.province ?? null, q.type ?? null, q.band ?? null, q.format, q.limit ?? null, q.offset ?? null])}`,
          async () => {
            const muni = q.level === 'municipality';
            const data = await svc.ranking({
              level: q.level,
              year,
              department: q.department,
              province: muni ? q.province : undefined,
              type: muni ? q.type : undefined,
              band: muni ? q.band : undefined,
              sort: 'rank',
            });
            const all = data.rows.map((row) => soles({ ...row, year, cut_off: data.year.cut_off, cut_off_approximate: data.year.cut_off_approximate, partial: data.year.partial }));
            const page = pageOf(all, q.format, q, '/api/v1/execution', { level: q.level, year, department: q.department, province: q.province, type: q.type, band: q.band });
            return serializeRows(q.format, page.rows, EXECUTION_FIELDS, {
              level: q.level,
              year,
              count: all.length,
              paging: page.paging,
              partial: data.year.partial,
              cut_off: data.year.cut_off,
              cut_off_approximate: data.year.cut_off_approximate,
              source: data.year.label,
              units: 'PEN (soles); execution_pct = devengado / pim × 100',
              total: soles({ ...data.total }),
            });
          },
        );
        sendSerialized(res, q.format, body, `execution-${q.level}-${year}`);
      },
    }),
  ];
}
