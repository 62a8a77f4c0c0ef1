import { z } from 'zod';
import * as L from '../../lib/schemas';
import { opt } from '../../lib/schemas';
import { PagingParams } from '../../lib/http';
import { DIRECTIONS, LEVELS, TYPES } from './results.rules';

const E = (k: string) => `results:errors.${k}`;
const text = (max: number) =>
  z
    .string({ error: E('text_invalid') })
    .trim()
    .max(max, E('text_long'));
const required = (max: number) =>
  z
    .string({ error: E('required') })
    .trim()
    .min(1, E('required'))
    .max(max, E('text_long'));
const url = z
  .string({ error: E('url_invalid') })
  .trim()
  .max(500, E('url_invalid'))
  .regex(/^https?:\/\/[^\s<>"]+$/i, E('url_invalid'));
export const Year = L.year(E('year_invalid'));
const code = z
  .string({ error: E('code_invalid') })
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,20}$/, E('code_invalid'));
/** A figure as people write it: "12.5", "-3", "1,234.5" (thousands commas are dropped). */
export const figure = z
  .string({ error: E('number_invalid') })
  .trim()
  .transform((s) => s.replace(/,/g, ''))
  .refine((s) => /^-?\d{1,12}(\.\d{1,4})?$/.test(s), E('number_invalid'))
  .transform(Number);
/** Ids separated by ";" (the CSV) or "," / spaces (the form). */
const idList = z
  .string({ error: E('ids_invalid') })
  .trim()
  .refine((s) => /^\d{1,10}([;,\s]+\d{1,10})*$/.test(s), E('ids_invalid'))
  .transform((s) => [...new Set(s.split(/[;,\s]+/).map(Number))].sort((a, b) => a - b));

export const PlanForm = z
  .object({
    title_es: required(300),
    title_en: opt(text(300)),
    period_from: Year,
    period_to: Year,
    document_url: opt(url),
    ordinance: opt(text(200)),
  })
  .refine((p) => p.period_to >= p.period_from, { path: ['period_to'], message: E('period_order') });
export type PlanInput = z.infer<typeof PlanForm>;

export const ObjectiveForm = z.object({
  code,
  text_es: required(1000),
  text_en: opt(text(1000)),
  gap_es: opt(text(500)),
  gap_en: opt(text(500)),
});
export type ObjectiveInput = z.infer<typeof ObjectiveForm>;

export const IndicatorForm = z.object({
  code,
  name_es: required(500),
  name_en: opt(text(500)),
  level: z.enum(LEVELS, { error: E('level_invalid') }),
  type: z.enum(TYPES, { error: E('type_invalid') }),
  unit: required(60),
  direction: z.enum(DIRECTIONS, { error: E('direction_invalid') }),
  baseline_value: opt(figure),
  baseline_year: opt(Year),
  objective_code: opt(code),
  parent_code: opt(code),
  pp_code: opt(z.string({ error: E('pp_invalid') }).regex(/^\d{4}$/, E('pp_invalid'))),
  pb_item_ids: opt(idList),
  commitment_ids: opt(idList),
});
export type IndicatorInput = z.infer<typeof IndicatorForm>;

/** A year's target and/or actual; blank leaves the stored value as it is. */
export const ValueForm = z.object({
  year: Year,
  target: opt(figure),
  actual: opt(figure),
  actual_source: opt(text(300)),
});
export type ValueInput = z.infer<typeof ValueForm>;
export const ReasonForm = z.object({ reason: opt(text(1000)) });

export const ImportForm = z.object({ kind: z.enum(['objectives', 'indicators'], { error: E('import_kind') }) });

export const ListQuery = z.object({
  level: opt(z.enum(LEVELS, { error: E('level_invalid') })),
  type: opt(z.enum(TYPES, { error: E('type_invalid') })),
  programme: opt(z.string({ error: E('pp_invalid') }).regex(/^\d{4}$/, E('pp_invalid'))),
  department: opt(z.string({ error: E('department_invalid') }).regex(/^\d{2}$/, E('department_invalid'))),
  ubigeo: opt(L.ubigeo(E('ubigeo_invalid'))),
  format: L.format(E('format_invalid')),
  page: opt(
    z
      .string({ error: E('page_invalid') })
      .regex(/^\d{1,4}$/, E('page_invalid'))
      .transform(Number),
  ),
  ...PagingParams,
});
export const Format = z.object({ format: L.format(E('format_invalid')) });
