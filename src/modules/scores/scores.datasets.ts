import type { Dataset } from '../spending';
import { scoresVersion } from './scores.queries';

const SELF = { title: 'Resultados Abiertos, computed from the open data (methodology: /es/indice/metodologia)' };
const RESIDENTS = { title: 'Resultados Abiertos residents (aggregates of at least 5 residents only)' };

/** The results score and its weights in the bulk download (datapackage.json). */
export const SCORE_DATASETS: Dataset[] = [
  {
    name: 'scores',
    version: scoresVersion,
    title: 'Results score per municipality and year, with its components',
    description:
      'score = Σ w·C / Σ w over the components with data (S satisfaction, E execution, R results orientation, P participatory delivery, A accountability, each 0–100); coverage = share of the weight with data. Empty = no data.',
    sources: [SELF],
    fields: [
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'year', type: 'integer', description: 'Year' },
      { name: 'score', type: 'number', description: 'Results score 0–100' },
      { name: 'coverage', type: 'number', description: 'Share (0–1) of the total weight that has data' },
      { name: 's', type: 'number', description: 'S satisfaction 0–100' },
      { name: 'e', type: 'number', description: 'E execution 0–100' },
      { name: 'r', type: 'number', description: 'R results orientation 0–100' },
      { name: 'p', type: 'number', description: 'P participatory delivery 0–100' },
      { name: 'a', type: 'number', description: 'A accountability 0–100' },
      {
        name: 'i',
        type: 'number',
        description:
          'I indicators on track 0–100 (optional component; weight 0 until an admin sets one): 100 × Σ level weight of met targets / Σ level weight of the year targets, from results_indicators and results_values',
      },
      { name: 'n_ratings', type: 'integer', description: 'Service-area ratings of the year' },
      { name: 'mean_rating', type: 'number', description: 'Mean rating (1–5) when at least 5 residents rated' },
      { name: 'dept_mean', type: 'number', description: 'μ: mean rating of the published municipalities of the department' },
      { name: 'weights_id', type: 'integer', description: 'Weights used (see score_weights)' },
    ],
    query: (db) => db('scores').select('ubigeo', 'year', 'score', 'coverage', 's', 'e', 'r', 'p', 'a', 'i', 'n_ratings', 'mean_rating', 'dept_mean', 'weights_id').orderBy(['ubigeo', 'year']).stream(),
  },
  {
    name: 'score_weights',
    title: 'Weights of the results score, every version',
    description: 'The latest row is in force.',
    sources: [SELF],
    fields: [
      { name: 'id', type: 'integer', description: 'Version' },
      { name: 'w_s', type: 'number', description: 'Weight of S' },
      { name: 'w_e', type: 'number', description: 'Weight of E' },
      { name: 'w_r', type: 'number', description: 'Weight of R' },
      { name: 'w_p', type: 'number', description: 'Weight of P' },
      { name: 'w_a', type: 'number', description: 'Weight of A' },
      { name: 'w_i', type: 'number', description: 'Weight of I (0 until an admin sets one)' },
      { name: 'valid_from', type: 'string', description: 'In force from (ISO 8601, UTC)' },
      { name: 'note', type: 'string', description: 'Why it changed' },
    ],
    query: (db) => db('score_weights').select('id', 'w_s', 'w_e', 'w_r', 'w_p', 'w_a', 'w_i', 'valid_from', 'note').orderBy('id').stream(),
  },
  {
    name: 'satisfaction',
    title: 'Resident satisfaction per municipality and year (published aggregates)',
    description: 'Service-area ratings 1–5 summed over the published cells (area × quarter with at least 5 residents) per municipality and year; mean = sum / n. These are the inputs of S.',
    sources: [RESIDENTS],
    fields: [
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'year', type: 'integer', description: 'Year' },
      { name: 'n', type: 'integer', description: 'Ratings in published cells' },
      { name: 'sum', type: 'integer', description: 'Sum of those ratings' },
    ],
    query: (db) =>
      db
        .from(
          db('ratings')
            .whereNotNull('area_id')
            .select('ubigeo', 'year', db.raw('count(*) as n'), db.raw('sum(score) as s1'))
            .groupBy('ubigeo', 'year', 'area_id', 'quarter')
            .havingRaw('count(*) >= ?', [5])
            .as('c'),
        )
        .select('c.ubigeo', 'c.year', db.raw('sum(c.n) as n'), db.raw('sum(c.s1) as sum'))
        .groupBy('c.ubigeo', 'c.year')
        .orderBy(['c.ubigeo', 'c.year'])
        .stream(),
  },
];
