import { z } from 'zod';
import * as L from '../../lib/schemas';
import { opt } from '../../lib/schemas';
import { COMMITMENT_STATUSES, ENTITY_TYPES, FOLLOW_TYPES, QUESTION_TOPICS, HEARING_STATES, ITEM_STATUSES } from './participation.types';

const E = (k: string) => `participation:errors.${k}`;
const text = (max: number, key = 'text_long') =>
  z
    .string({ error: E('text_invalid') })
    .trim()
    .max(max, E(key));
const required = (max: number) =>
  z
    .string({ error: E('required') })
    .trim()
    .min(1, E('required'))
    .max(max, E('text_long'));
const isoDate = L.isoDate(E('date_invalid'));
const int = (min: number, max: number, key: string) => L.wholeNumber(min, max, E(key));
/** Soles as the form shows them ("1234.50", "1,234.50") → integer céntimos. */
export const soles = L.soles(E('amount_invalid'));
const url = z
  .string({ error: E('url_invalid') })
  .trim()
  .max(500, E('url_invalid'))
  .regex(/^https?:\/\/[^\s<>"]+$/i, E('url_invalid'));

export const Ubigeo = L.Ubigeo;
export const Id = L.Id;
export const Year = L.year(E('year_invalid'));
/** The public reason a change of the record needs (required by the service when a date, cost or status moves back). */
const reason = opt(text(1000));

export const ListQuery = z.object({
  ubigeo: opt(L.ubigeo(E('ubigeo_invalid'))),
  department: opt(z.string({ error: E('department_invalid') }).regex(/^\d{2}$/, E('department_invalid'))),
  year: opt(Year),
  status: opt(z.enum([...ITEM_STATUSES, ...COMMITMENT_STATUSES], { error: E('status_invalid') })),
  overdue: opt(z.enum(['1'], { error: E('overdue_invalid') })),
  format: L.format(E('format_invalid')),
  page: opt(
    z
      .string({ error: E('page_invalid') })
      .regex(/^\d{1,4}$/, E('page_invalid'))
      .transform(Number),
  ),
});

/** The proposals listing: by municipality and year. */
export const ProposalListQuery = ListQuery.pick({ ubigeo: true, year: true, format: true });

/** One record's API: JSON with its history, or the history as CSV. */
export const RecordQuery = z.object({ format: L.format(E('format_invalid')) });

export const ProcessForm = z.object({
  year: Year,
  ordinance: opt(text(200)),
  agentes_participantes: opt(int(0, 1_000_000, 'number_invalid')),
  /** What the online ballot may spend (soles → céntimos). */
  budget_envelope: opt(soles),
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
  cui: opt(
    z
      .string({ error: E('cui_invalid') })
      .trim()
      .regex(/^\d{5,10}$/, E('cui_invalid')),
  ),
  total_cost: soles,
  pia_amount: opt(soles),
  funding_source: opt(text(100)),
  beneficiaries: opt(int(0, 100_000_000, 'number_invalid')),
  latitude: opt(
    z.coerce
      .number({ error: E('coordinates_invalid') })
      .min(-19, E('coordinates_invalid'))
      .max(0.1, E('coordinates_invalid')),
  ),
  longitude: opt(
    z.coerce
      .number({ error: E('coordinates_invalid') })
      .min(-82, E('coordinates_invalid'))
      .max(-68, E('coordinates_invalid')),
  ),
  district_ubigeo: opt(L.ubigeo(E('ubigeo_invalid'))),
  start_date: opt(isoDate),
  planned_end: opt(isoDate),
  status: z.enum(ITEM_STATUSES, { error: E('status_invalid') }),
  progress_pct: opt(
    z.coerce
      .number({ error: E('progress_invalid') })
      .min(0, E('progress_invalid'))
      .max(100, E('progress_invalid')),
  ),
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
  state: z.enum(HEARING_STATES, { error: E('state_invalid') }).default('convocada'),
  state_reason: opt(text(2000)),
  period_from: opt(isoDate),
  period_to: opt(isoDate),
  place: opt(text(300)),
  link: opt(url),
  agenda_es: opt(text(5000)),
  agenda_en: opt(text(5000)),
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
  reason,
});
/** The reason sent with an edit of a published item, hearing or commitment. */
export const ReasonForm = z.object({ reason });
/** Withdrawal of a published item or hearing: always with a public reason. */
export const WithdrawForm = z.object({ reason: required(1000) });
/** A public answer by the municipality (to an observation or a dispute). */
export const AnswerForm = z.object({ answer: required(3000) });
export type CommitmentUpdateInput = z.infer<typeof CommitmentUpdateForm>;

/** A resident's own words that must say something (at least 10 characters). */
const explained = (max: number, shortKey: string) =>
  z
    .string({ error: E('required') })
    .trim()
    .min(10, E(shortKey))
    .max(max, E('text_long'));

/** A follow: a municipality by its ubigeo, anything else by its id (the entity id is kept as text). */
export const FollowForm = z
  .object({
    entity_type: z.enum(FOLLOW_TYPES, { error: E('entity_invalid') }),
    entity_id: z
      .string({ error: E('entity_invalid') })
      .trim()
      .max(12, E('entity_invalid')),
  })
  .transform((f, ctx) => {
    const ok = f.entity_type === 'municipality' ? Ubigeo.safeParse(f.entity_id).success : Id.safeParse(f.entity_id).success;
    if (!ok) ctx.addIssue({ code: 'custom', path: ['entity_id'], message: E('entity_invalid') });
    return { entity_type: f.entity_type, entity_id: f.entity_type === 'municipality' ? f.entity_id : String(Number(f.entity_id)) };
  });
export const ObservationForm = z.object({
  entity_type: z.enum(ENTITY_TYPES, { error: E('entity_invalid') }),
  entity_id: Id,
  body: explained(3000, 'observation_short'),
});
export const DisputeForm = z.object({
  kind: z.enum(['milestone', 'update'], { error: E('entity_invalid') }),
  id: Id,
  reason: explained(2000, 'dispute_short'),
});
export const ResolveForm = z.object({ resolution: z.enum(['upheld', 'rejected'], { error: E('decision_invalid') }), reason: required(2000) });
export const ImportForm = z.object({ kind: z.enum(['items', 'commitments'], { error: E('import_kind_invalid') }) });

// ---- residents' proposals, review, ballot and workshop tally (issue 13)

/** A resident's proposal: Spanish required, English optional; the honeypot `website` must stay empty. */
export const ProposalForm = z.object({
  title_es: required(200),
  title_en: opt(text(200)),
  body: required(5000),
  body_en: opt(text(5000)),
  location: required(300),
  estimated_cost: soles,
  beneficiaries: int(1, 100_000_000, 'number_invalid'),
  social_gap: required(2000),
  /** An approved monitor proposes on behalf of their organisation (checked against the account). */
  on_behalf: opt(z.enum(['1'], { error: E('choice_invalid') })),
  website: opt(z.string({ error: E('bot') }).max(0, E('bot'))),
});
export type ProposalInput = z.infer<typeof ProposalForm>;

/** The technical review: feasible needs a cost; both need a public reason. */
export const ReviewForm = z
  .object({
    feasibility: z.enum(['feasible', 'unfeasible'], { error: E('feasibility_invalid') }),
    reason: required(2000),
    reviewed_cost: opt(soles),
  })
  .refine((f) => f.feasibility === 'unfeasible' || f.reviewed_cost != null, { path: ['reviewed_cost'], message: E('cost_required') });
export type ReviewInput = z.infer<typeof ReviewForm>;

/** The ballot: the chosen proposal ids (one checkbox each; one or several). */
export const BallotForm = z.object({
  /** "I live in this district" (declared, counted apart). */
  resident: opt(z.enum(['1'], { error: E('choice_invalid') })),
  choice: z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(Id, { error: E('choice_invalid') })
      .min(1, E('choice_required'))
      .max(200, E('choice_invalid')),
  ),
});

/** A support, with the optional declaration of living in the district. */
export const SupportForm = z.object({ resident: opt(z.enum(['1'], { error: E('choice_invalid') })) });

/** The workshop tally: `votes_<id>` per proposal (whole numbers), and the reason of a correction. */
export const TallyForm = z.object({ reason: opt(text(1000)) }).catchall(z.unknown());
export const tallyVotes = int(0, 1_000_000, 'number_invalid');

/** A resident's question to a convened hearing (honeypot `website` must stay empty). */
export const QuestionForm = z.object({
  topic: z.enum(QUESTION_TOPICS, { error: E('topic_invalid') }),
  body: z
    .string({ error: E('question_short') })
    .trim()
    .min(10, E('question_short'))
    .max(2000, E('text_long')),
  website: opt(z.string({ error: E('bot') }).max(0, E('bot'))),
});
export type QuestionInput = z.infer<typeof QuestionForm>;

/** A resident's comment on a published proposal (honeypot `website` must stay empty). */
export const CommentForm = z.object({
  body: z
    .string({ error: E('comment_short') })
    .trim()
    .min(3, E('comment_short'))
    .max(2000, E('text_long')),
  website: opt(z.string({ error: E('bot') }).max(0, E('bot'))),
});
