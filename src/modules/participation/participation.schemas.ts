import { z } from 'zod';
import { COMMITMENT_STATUSES, ENTITY_TYPES, ITEM_STATUSES } from './participation.types';

const E = (k: string) => `participation:errors.${k}`;
/** '' and missing mean "not given". */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' || v === undefined || v === null ? undefined : v), s.optional());
const text = (max: number, key = 'text_long') => z.string({ error: E('text_invalid') }).trim().max(max, E(key));
const required = (max: number) => z.string({ error: E('required') }).trim().min(1, E('required')).max(max, E('text_long'));
const isoDate = z.string({ error: E('date_invalid') }).regex(/^\d{4}-\d{2}-\d{2}$/, E('date_invalid')).refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), E('date_invalid'));
const int = (min: number, max: number, key: string) => z.coerce.number({ error: E(key) }).int(E(key)).min(min, E(key)).max(max, E(key));
/** Soles as typed by a person ("1234.50", "1,234.50") → integer céntimos. */
export const soles = z
  .string({ error: E('amount_invalid') })
  .trim()
  .transform((s) => s.replace(/,/g, ''))
  .refine((s) => /^\d{1,13}(\.\d{1,2})?$/.test(s), E('amount_invalid'))
  .transform((s) => Math.round(Number(s) * 100));
const url = z.string({ error: E('url_invalid') }).trim().max(500, E('url_invalid')).regex(/^https?:\/\/[^\s<>"]+$/i, E('url_invalid'));

export const Ubigeo = z.string().regex(/^\d{6}$/);
export const Id = z.coerce.number().int().min(1).max(2 ** 31 - 1);
export const Year = int(2000, 2100, 'year_invalid');

export const ListQuery = z.object({
  ubigeo: opt(z.string({ error: E('ubigeo_invalid') }).regex(/^\d{6}$/, E('ubigeo_invalid'))),
  department: opt(z.string({ error: E('department_invalid') }).regex(/^\d{2}$/, E('department_invalid'))),
  year: opt(Year),
  status: opt(z.enum([...ITEM_STATUSES, ...COMMITMENT_STATUSES], { error: E('status_invalid') })),
  overdue: opt(z.enum(['1'], { error: E('overdue_invalid') })),
  format: z.enum(['json', 'csv'], { error: E('format_invalid') }).default('json'),
  page: opt(z.string({ error: E('page_invalid') }).regex(/^\d{1,4}$/, E('page_invalid')).transform(Number)),
});

export const ProcessForm = z.object({
  year: Year,
  ordinance: opt(text(200)),
  agentes_participantes: opt(int(0, 1_000_000, 'number_invalid')),
  preparacion_start: opt(isoDate),
  preparacion_end: opt(isoDate),
  concertacion_start: opt(isoDate),
  concertacion_end: opt(isoDate),
  coordinacion_start: opt(isoDate),
  coordinacion_end: opt(isoDate),
  formalizacion_start: opt(isoDate),
  formalizacion_end: opt(isoDate),
  committee_members: opt(text(2000)),
  committee_contact: opt(text(200)),
});
export type ProcessInput = z.infer<typeof ProcessForm>;

export const ItemForm = z.object({
  year: Year,
  priority: int(1, 999, 'priority_invalid'),
  title_es: required(300),
  title_en: opt(text(300)),
  description_es: opt(text(5000)),
  description_en: opt(text(5000)),
  cui: opt(z.string({ error: E('cui_invalid') }).trim().regex(/^\d{5,10}$/, E('cui_invalid'))),
  total_cost: soles,
  pia_amount: opt(soles),
  funding_source: opt(text(100)),
  beneficiaries: opt(int(0, 100_000_000, 'number_invalid')),
  latitude: opt(z.coerce.number({ error: E('coordinates_invalid') }).min(-19, E('coordinates_invalid')).max(0.1, E('coordinates_invalid'))),
  longitude: opt(z.coerce.number({ error: E('coordinates_invalid') }).min(-82, E('coordinates_invalid')).max(-68, E('coordinates_invalid'))),
  district_ubigeo: opt(z.string({ error: E('ubigeo_invalid') }).regex(/^\d{6}$/, E('ubigeo_invalid'))),
  start_date: opt(isoDate),
  planned_end: opt(isoDate),
  status: z.enum(ITEM_STATUSES, { error: E('status_invalid') }),
  progress_pct: opt(z.coerce.number({ error: E('progress_invalid') }).min(0, E('progress_invalid')).max(100, E('progress_invalid'))),
  finished_on: opt(isoDate),
});
export type ItemInput = z.infer<typeof ItemForm>;

export const MilestoneForm = z.object({
  happened_on: isoDate,
  title_es: required(300),
  title_en: opt(text(300)),
  text_es: opt(text(5000)),
  text_en: opt(text(5000)),
  evidence_url: opt(url),
});
export type MilestoneInput = z.infer<typeof MilestoneForm>;

export const HearingForm = z.object({
  held_on: isoDate,
  period_from: opt(isoDate),
  period_to: opt(isoDate),
  place: opt(text(300)),
  link: opt(url),
  summary_es: opt(text(10000)),
  summary_en: opt(text(10000)),
  attendance: opt(int(0, 10_000_000, 'number_invalid')),
});
export type HearingInput = z.infer<typeof HearingForm>;

export const CommitmentForm = z.object({
  text_es: required(2000),
  text_en: opt(text(2000)),
  responsible_office: opt(text(200)),
  due_on: isoDate,
  status: z.enum(COMMITMENT_STATUSES, { error: E('status_invalid') }).default('pendiente'),
  fulfilled_on: opt(isoDate),
});
export type CommitmentInput = z.infer<typeof CommitmentForm>;

export const CommitmentUpdateForm = z.object({
  happened_on: isoDate,
  status: z.enum(COMMITMENT_STATUSES, { error: E('status_invalid') }),
  text_es: required(2000),
  text_en: opt(text(2000)),
  evidence_url: opt(url),
});
export type CommitmentUpdateInput = z.infer<typeof CommitmentUpdateForm>;

export const FollowForm = z.object({ entity_type: z.enum(ENTITY_TYPES, { error: E('entity_invalid') }), entity_id: Id });
export const ObservationForm = z.object({ entity_type: z.enum(ENTITY_TYPES, { error: E('entity_invalid') }), entity_id: Id, body: z.string({ error: E('required') }).trim().min(10, E('observation_short')).max(3000, E('text_long')) });
export const DecisionForm = z.object({ decision: z.enum(['publish', 'reject'], { error: E('decision_invalid') }) });
export const DisputeForm = z.object({ kind: z.enum(['milestone', 'update'], { error: E('entity_invalid') }), id: Id });
export const ImportForm = z.object({ kind: z.enum(['items', 'commitments'], { error: E('import_kind_invalid') }) });
