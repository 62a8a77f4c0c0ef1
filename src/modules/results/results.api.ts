import { z } from 'zod';
import { api, ApiOperation, operation } from '../../lib/api';
import { pageOf, sendRows } from '../../lib/http';
import { Id } from '../../lib/schemas';
import { INDICATOR_CSV_COLUMNS, OBJECTIVE_CSV_COLUMNS } from './results.import';
import { Format, ListQuery } from './results.schemas';
import { MUNICIPALITY_NOT_FOUND, UbigeoParams } from '../municipalities';
import type { ResultsService } from './results.service';

/** Flags as words in the CSV (true | false | blank when not judged), so that false and "no data" differ. */
const csvFlag = (v: unknown) => (v == null ? '' : v ? 'true' : 'false');
export const HISTORY_COLUMNS = ['indicator_id', 'year', 'at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'actor_role', 'actor_ubigeo'];
const NOTE = 'rows with is_example = true are example content, not real data; on_track compares actual with baseline_target (the first published target) in the indicator direction';

const municipality = () => z.string().describe('name of the municipality');
const IndicatorRow = z
  .looseObject({ ubigeo: api.ubigeo(), municipality: municipality(), year: z.number().int().nullable().describe('year of the target and actual') })
  .describe(`one indicator and year, with the import's columns: ${INDICATOR_CSV_COLUMNS.join(', ')}`);
const ObjectiveRow = z.looseObject({ ubigeo: api.ubigeo(), municipality: municipality() }).describe(`one plan objective, with the import's columns: ${OBJECTIVE_CSV_COLUMNS.join(', ')}`);
const HistoryRow = z
  .looseObject({ at: api.isoTime('when the change was published'), reason: z.string().nullable().describe('the public reason (required when a published value moves)') })
  .describe(`one published change: ${HISTORY_COLUMNS.join(', ')}`);
const note = z.string().describe('how to read the rows (example content, on_track)');
const IndicatorParams = z.object({ id: Id.describe('identifier of the indicator (a positive whole number)') });

/** GET /api/v1/results/indicators, /objectives, /municipalities/:ubigeo/history and /indicators/:id (JSON or CSV with the import's columns). */
export function resultsApi(service: ResultsService): ApiOperation[] {
  return [
    operation({
      id: 'listResultIndicators',
      path: '/results/indicators',
      tag: 'results',
      summary: { es: 'Indicadores con metas y valores alcanzados', en: 'Indicators with targets and actuals' },
      description: {
        es: 'Una fila por indicador y año (las columnas del archivo de importación). Filtros: ubigeo, level, type, programme, department.',
        en: "One row per indicator and year (the import file's columns). Filters: ubigeo, level, type, programme, department.",
      },
      query: ListQuery,
      response: api.listing(IndicatorRow, z.looseObject({ count: z.number().int().describe('rows in the whole listing'), paging: api.paging(), note })),
      csv: { columns: INDICATOR_CSV_COLUMNS },
      example: { query: { ubigeo: '150101' } },
      handle: async ({ query: f, res }) => {
        const all = await service.exportRows(f);
        const rows: Array<Record<string, unknown>> = f.format === 'csv' ? all.map((x) => ({ ...x, on_track: csvFlag(x.on_track), is_example: csvFlag(x.is_example) })) : all;
        const page = pageOf(rows, f.format, f, '/api/v1/results/indicators', { ubigeo: f.ubigeo, level: f.level, type: f.type, programme: f.programme, department: f.department, format: f.format });
        sendRows(res, f.format, page.rows, INDICATOR_CSV_COLUMNS, 'results-indicators', { count: rows.length, paging: page.paging, note: NOTE });
      },
    }),
    operation({
      id: 'listResultObjectives',
      path: '/results/objectives',
      tag: 'results',
      summary: { es: 'Planes de desarrollo concertado y sus objetivos', en: 'Concerted development plans and their objectives' },
      query: ListQuery,
      response: api.listing(ObjectiveRow, z.looseObject({ count: z.number().int().describe('rows answered'), note })),
      csv: { columns: OBJECTIVE_CSV_COLUMNS },
      example: { query: { ubigeo: '150101' } },
      handle: async ({ query: f, res }) => {
        const rows = (await service.objectiveRows(f.ubigeo)).map((x: Record<string, unknown>) => (f.format === 'csv' ? { ...x, is_example: csvFlag(x.is_example) } : x));
        sendRows(res, f.format, rows, OBJECTIVE_CSV_COLUMNS, 'results-objectives', { count: rows.length, note: NOTE });
      },
    }),
    operation({
      id: 'getResultsHistory',
      path: '/results/municipalities/:ubigeo/history',
      tag: 'results',
      summary: { es: 'Historial público de metas y valores de una municipalidad', en: "A municipality's public history of targets and actuals" },
      params: UbigeoParams,
      notFoundKey: MUNICIPALITY_NOT_FOUND,
      query: Format,
      response: api.listing(HistoryRow, z.looseObject({ note: z.string().describe('append-only: who (role), when and why') })),
      csv: { columns: HISTORY_COLUMNS },
      notFound: true,
      example: { params: { ubigeo: '150101' } },
      handle: async ({ params, query: f, res }) => {
        const chain = await service.chain(params.ubigeo);
        sendRows(res, f.format, chain.history as unknown as Record<string, unknown>[], HISTORY_COLUMNS, `results-history-${chain.municipality.ubigeo}`, {
          note: 'append-only: every published target and actual with the reason and the role (and municipality) that set it',
        });
      },
    }),
    operation({
      id: 'getResultIndicator',
      path: '/results/indicators/:id',
      tag: 'results',
      summary: { es: 'Un indicador con sus metas, valores e historial', en: 'One indicator with its targets, actuals and history' },
      params: IndicatorParams,
      query: Format,
      response: z.object({ data: z.looseObject({ id: z.number().int().describe('identifier of the indicator'), ubigeo: api.ubigeo() }), meta: z.object({ note }) }),
      csv: { columns: HISTORY_COLUMNS },
      notFound: true,
      example: { params: { id: '1' } },
      handle: async ({ params: { id }, query: f, res }) => {
        const { children: _children, ...indicator } = await service.indicator(id);
        if (f.format === 'csv') return sendRows(res, 'csv', indicator.history as unknown as Record<string, unknown>[], HISTORY_COLUMNS, `results-indicator-${id}-history`);
        res.json({ data: indicator, meta: { note: NOTE } });
      },
    }),
  ];
}
