import { PagingParams } from '../../lib/http';
import { z } from 'zod';
import { figuresYear, format, opt, ubigeo } from '../../lib/schemas';
import { POPULATION_BANDS } from '../municipalities';

const BANDS = Object.keys(POPULATION_BANDS) as [keyof typeof POPULATION_BANDS, ...Array<keyof typeof POPULATION_BANDS>];

export const YearParam = opt(figuresYear('scores:errors.year'));

const filters = {
  year: YearParam,
  department: opt(z.string({ error: 'municipalities:errors.department_format' }).regex(/^\d{2}$/, 'municipalities:errors.department_format')),
  type: opt(z.enum(['provincial', 'distrital'], { error: 'municipalities:errors.type' })),
  band: opt(z.enum(BANDS, { error: 'scores:errors.band' })),
};

export const RankingQuery = z.object({
  ...filters,
  coverage: opt(z.enum(['full', 'all'], { error: 'scores:errors.coverage' })),
  page: opt(
    z
      .string({ error: 'scores:errors.page' })
      .regex(/^\d{1,4}$/, 'scores:errors.page')
      .transform(Number),
  ),
});
export const ScoresApiQuery = z.object({
  ...filters,
  coverage: opt(z.enum(['full', 'all'], { error: 'scores:errors.coverage' })),
  format: format(),
  ...PagingParams,
});
export const MethodologyQuery = z.object({ ubigeo: opt(ubigeo('scores:errors.ubigeo')), year: YearParam });

const weight = z
  .string({ error: 'scores:errors.weight' })
  .regex(/^\d{1,2}(\.\d{1,3})?$/, 'scores:errors.weight')
  .transform(Number)
  .pipe(z.number().min(0, 'scores:errors.weight').max(10, 'scores:errors.weight'));
export const WeightsForm = z.object({
  w_s: weight,
  w_e: weight,
  w_r: weight,
  w_p: weight,
  w_a: weight,
  /** I is optional: left blank it weighs 0 (the default until an admin sets one). */
  w_i: z.preprocess((v) => (v === undefined || v === '' ? '0' : v), weight),
  note: opt(z.string({ error: 'scores:errors.note' }).trim().max(300, 'scores:errors.note')),
});

/** The weights' history: json (default) or csv. */
export const WeightsApiQuery = z.object({ format: format() });
