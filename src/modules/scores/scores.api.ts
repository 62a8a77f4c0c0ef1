import { Router } from 'express';
import { pageOf, parse, sendRows } from '../../lib/http';
import { ScoresApiQuery } from './scores.schemas';
import type { ScoresService } from './scores.service';

export const SCORE_FIELDS = [
  'ubigeo',
  'name',
  'year',
  'score',
  'coverage',
  's',
  'e',
  'r',
  'p',
  'a',
  'i',
  'department_code',
  'type',
  'population',
  'n_ratings',
  'mean_rating',
  'dept_mean',
  'weights_id',
];

/** Results scores as open data, and the weights (in force and history). */
export function scoresApi(scores: ScoresService, defaultYear: () => number): Router {
  const r = Router();
  r.get('/scores', async (req, res) => {
    const q = parse(ScoresApiQuery, req.query);
    const year = q.year ?? (await scores.years())[0] ?? defaultYear();
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
  });
  r.get('/scores/weights', async (req, res) => {
    const format = req.query.format === 'csv' ? 'csv' : 'json';
    const history = await scores.weightHistory();
    sendRows(
      res,
      format,
      history.map((w) => ({ ...w })),
      ['id', 'w_s', 'w_e', 'w_r', 'w_p', 'w_a', 'w_i', 'valid_from', 'note'],
      'score-weights',
      { in_force: history[0]?.id ?? null },
    );
  });
  return r;
}
