import { z } from 'zod';
import { figuresYear, format, opt } from '../../lib/schemas';

const intString = (key: string, min: number, max: number) =>
  z
    .union([z.string({ error: key }).regex(/^\d{1,9}$/, key), z.number({ error: key })], { error: key })
    .transform(Number)
    .pipe(z.number().int(key).min(min, key).max(max, key));

/** A rating as posted by the form. Arrays, objects and long strings are rejected with keys. */
export const RatingForm = z
  .object({
    target: z.string({ error: 'feedback:errors.target' }).regex(/^[ap]\d{1,9}$/, 'feedback:errors.target'),
    score: intString('feedback:errors.rating_range', 1, 5),
    delivered: opt(z.enum(['yes', 'no'], { error: 'feedback:errors.delivered' })),
    comment: opt(z.string({ error: 'feedback:errors.comment_long' }).trim().max(1000, 'feedback:errors.comment_long')),
    website: opt(z.string({ error: 'feedback:errors.bot' }).max(0, 'feedback:errors.bot')),
    started: z.string({ error: 'feedback:errors.form_expired' }).max(200, 'feedback:errors.form_expired'),
  })
  .strip();
export type RatingInput = z.infer<typeof RatingForm>;

export const AreaForm = z.object({
  id: opt(
    z.coerce
      .number({ error: 'feedback:errors.area' })
      .int('feedback:errors.area')
      .min(1, 'feedback:errors.area')
      .max(2 ** 31 - 1, 'feedback:errors.area'),
  ),
  code: z
    .string({ error: 'feedback:errors.area_code' })
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,39}$/, 'feedback:errors.area_code'),
  name_es: z.string({ error: 'feedback:errors.area_name' }).trim().min(2, 'feedback:errors.area_name').max(120, 'feedback:errors.area_name'),
  name_en: opt(z.string({ error: 'feedback:errors.area_name' }).trim().max(120, 'feedback:errors.area_name')),
  active: opt(z.enum(['1'], { error: 'feedback:errors.area' })),
  sort_order: opt(intString('feedback:errors.area', 0, 1000)),
});
export const SatisfactionQuery = z.object({
  year: opt(figuresYear('feedback:errors.year')),
  format: format(),
});
export const BulkSatisfactionQuery = SatisfactionQuery.extend({
  department: opt(z.string({ error: 'feedback:errors.department' }).regex(/^\d{2}$/, 'feedback:errors.department')),
});

/** The municipality's public answer to a comment. */
export const AnswerForm = z.object({ answer: z.string({ error: 'feedback:errors.answer_required' }).trim().min(1, 'feedback:errors.answer_required').max(3000, 'feedback:errors.comment_long') });
