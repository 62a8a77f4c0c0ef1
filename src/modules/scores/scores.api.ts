import { z } from 'zod';
import { api, ApiOperation, operation } from '../../lib/api';
import { pageOf, sendRows } from '../../lib/http';
import { ScoresApiQuery, WeightsApiQuery } from './scores.schemas';
import { scoreDefaultYear, type ScoresService } from './scores.service';

const component = (what: string) => z.number().nullable().describe(`${what}, 0–100 (null: no data)`);
const ScoreRow = z.object({
  ubigeo: api.ubigeo(),
  name: z.string().describe('name of the municipality as the MEF lists it'),
  year: z.number().int().describe('the year scored'),
  score: z.number().nullable().describe('results score, 0–100: Σ w·C / Σ w over the components with data (null: none has data)'),
  coverage: z.number().describe('share of the total weight with data, 0–1 (1 = every component has data)'),
  s: component('S, residents’ satisfaction'),
  e: component('E, budget execution: min(100, devengado / PIM × 100)'),
  r: component('R, results orientation: share of devengado in budget programmes'),
  p: component('P, participatory budget delivery'),
  a: component('A, accountability hearings and commitments kept'),
  i: component('I, indicators on track: weighted share of the year’s indicator targets met'),
  department_code: z.string().describe('INEI department code (2 digits)'),
  type: z.enum(['provincial', 'distrital']).describe('provincial or district municipality'),
  population: z.number().int().describe('inhabitants, INEI projection at 2025-06-30'),
  n_ratings: z.number().int().describe('resident ratings behind S'),
  mean_rating: z.number().nullable().describe('mean rating of the published cells, 1–5'),
  dept_mean: z.number().nullable().describe('mean rating of the department (μ of the shrinkage), 1–5'),
  weights_id: z.number().int().nullable().describe('id of the weights used (see /scores/weights)'),
});
export const SCORE_FIELDS = Object.keys(ScoreRow.shape);
const weight = (c: string) => z.number().describe(`weight of ${c}, 0–10`);
const WeightsRow = z.object({
  id: z.number().int().describe('version of the weights'),
  w_s: weight('S'),
  w_e: weight('E'),
  w_r: weight('R'),
  w_p: weight('P'),
  w_a: weight('A'),
  w_i: weight('I'),
  valid_from: api.isoTime('in force from'),
  note: z.string().nullable().describe('why they were set'),
});
const WEIGHT_FIELDS = Object.keys(WeightsRow.shape);

/** Results scores as open data, and the weights (in force and history). */
export function scoresApi(scores: ScoresService, defaultYear: () => Promise<number>): ApiOperation[] {
  return [
    operation({
      id: 'listScores',
      path: '/scores',
      tag: 'scores',
      summary: { es: 'Índice de resultados por municipalidad', en: 'Results score per municipality' },
      description: {
        es: 'El índice (0–100) y sus seis componentes de cada municipalidad en un año; JSON de 100 en 100 filas (limit, offset), CSV completo.',
        en: "Each municipality's score (0–100) and its six components in one year; JSON 100 rows at a time (limit, offset), CSV whole.",
      },
      query: ScoresApiQuery,
      response: api.listing(
        ScoreRow,
        z.object({
          year: z.number().int().describe('the year scored'),
          count: z.number().int().describe('rows in the whole listing'),
          paging: api.paging(),
          weights: z.object({ id: z.number().int(), s: z.number(), e: z.number(), r: z.number(), p: z.number(), a: z.number(), i: z.number() }).describe('the weights in force'),
          formula: z.string().describe('how score and coverage are computed'),
        }),
      ),
      csv: { columns: SCORE_FIELDS },
      version: 'scores',
      example: { query: { year: '2024', department: '15', limit: '5' } },
      handle: async ({ query: q, res }) => {
        const year = q.year ?? scoreDefaultYear(await scores.years(), await defaultYear());
        let rows = await scores.list({ year, department: q.department, type: q.type, band: q.band });
        if (q.coverage === 'full') rows = rows.filter((x) => x.coverage >= 0.9995);
        const weights = await scores.weights();
        const page = pageOf(rows, q.format, q, '/api/v1/scores', { year, department: q.department, type: q.type, band: q.band, coverage: q.coverage });
        sendRows(res, q.format, page.rows, SCORE_FIELDS, `scores-${year}`, {
          year,
          count: rows.length,
          paging: page.paging,
          weights: { id: weights.id, s: weights.w_s, e: weights.w_e, r: weights.w_r, p: weights.w_p, a: weights.w_a, i: weights.w_i },
          formula: 'score = Σ w·C / Σ w over components with data; coverage = Σ w (with data) / Σ w (all)',
        });
      },
    }),
    operation({
      id: 'listScoreWeights',
      path: '/scores/weights',
      tag: 'scores',
      summary: { es: 'Pesos del índice (vigentes e históricos)', en: 'Score weights (in force and past)' },
      query: WeightsApiQuery,
      response: api.listing(WeightsRow, z.object({ in_force: z.number().int().nullable().describe('id of the weights in force (the first row)') })),
      csv: { columns: WEIGHT_FIELDS },
      version: 'scores',
      example: {},
      handle: async ({ query, res }) => {
        const history = await scores.weightHistory();
        sendRows(
          res,
          query.format,
          history.map((w) => ({ ...w })),
          WEIGHT_FIELDS,
          'score-weights',
          { in_force: history[0]?.id ?? null },
        );
      },
    }),
  ];
}
