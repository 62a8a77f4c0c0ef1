import { z } from 'zod';
import { toSoles } from '../../lib/amounts';
import { api, ApiOperation, operation } from '../../lib/api';
import { sendRows } from '../../lib/http';
import { COMMITMENT_CSV_COLUMNS, COMMITMENT_RECORD_COLUMNS, ITEM_CSV_COLUMNS, ITEM_RECORD_COLUMNS } from './participation.import';
import type { ProposalRow } from './participation.proposal-queries';
import { HearingForm, Id, ListQuery, ProposalListQuery, RecordQuery } from './participation.schemas';
import type { ParticipationService } from './participation.service';
import { COMMITMENT_STATUSES, HEARING_STATES, ITEM_STATUSES, type CommitmentRow, type ItemRow } from './participation.types';

/** An item as open data: money in soles, flags as booleans. */
export const itemForApi = (i: ItemRow) => ({
  ...i,
  total_cost: toSoles(i.total_cost),
  pia_amount: i.pia_amount == null ? null : toSoles(i.pia_amount),
  baseline_total_cost: i.baseline_total_cost == null ? null : toSoles(i.baseline_total_cost),
  is_example: i.is_example,
  overdue: !!i.overdue,
});
export const commitmentForApi = (c: CommitmentRow) => ({ ...c, is_example: c.is_example, overdue: !!c.overdue });
// The form's fields (from its zod schema) plus the public columns the app keeps; the stored file name stays private.
const HEARING_API_COLUMNS = ['id', 'ubigeo', 'municipality', ...Object.keys(HearingForm.shape), 'has_report', 'withdrawn_at', 'withdrawn_reason', 'is_example'];
/** The public history of one record, as JSON or CSV. */
export const HISTORY_COLUMNS = ['at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'actor_role', 'actor_ubigeo', 'status', 'progress_pct', 'note'];

const text = (what: string) => z.string().nullable().describe(what);
const date = (what: string) => api.isoDate(what).nullable();
/** Every field the participation API answers, described once; the rows below take theirs by column name. */
const FIELDS: Record<string, z.ZodType> = {
  id: z.number().int().describe('identifier of the record'),
  ubigeo: api.ubigeo(),
  municipality: z.string().describe('name of the municipality'),
  department: z.string().describe('name of its department'),
  year: z.number().int().describe('year of the participatory budget process'),
  priority: z.number().int().describe('priority agreed in the process (1 = first)'),
  title_es: z.string().describe('title in Spanish'),
  title_en: text('title in English'),
  description_es: text('description in Spanish'),
  description_en: text('description in English'),
  cui: text('unique investment code (CUI, Invierte.pe)'),
  total_cost: api.soles('total cost'),
  pia_amount: api.soles('amount in the opening budget (PIA)').nullable(),
  funding_source: text('funding source'),
  beneficiaries: z.number().int().nullable().describe('people who benefit'),
  latitude: z.number().nullable().describe('latitude, decimal degrees'),
  longitude: z.number().nullable().describe('longitude, decimal degrees'),
  district_ubigeo: text('ubigeo of the district where it is built'),
  start_date: date('start date'),
  planned_end: date('planned end'),
  status: z.enum([...ITEM_STATUSES, ...COMMITMENT_STATUSES]).describe('status of the project or commitment'),
  progress_pct: api.pct('physical progress').nullable(),
  finished_on: date('date it was finished'),
  baseline_planned_end: date('the first published planned end (promises are judged against it)'),
  baseline_total_cost: api.soles('the first published total cost').nullable(),
  withdrawn_at: api.isoTime('when it was withdrawn from the public record').nullable(),
  withdrawn_reason: text('why it was withdrawn'),
  overdue: z.boolean().describe('true when past its (baseline) date and not finished or fulfilled'),
  is_example: z.boolean().describe('true for example content, not real data'),
  hearing_id: z.number().int().describe('the hearing where the commitment was made'),
  text_es: z.string().describe('the commitment in Spanish'),
  text_en: text('the commitment in English'),
  responsible_office: text('office responsible'),
  due_on: api.isoDate('due date'),
  fulfilled_on: date('date it was fulfilled'),
  baseline_due_on: api.isoDate('the first published due date (promises are judged against it)'),
  held_on: api.isoDate('date of the hearing'),
  state: z.enum(HEARING_STATES).describe('convocada (called), realizada (held), no_realizada (not held) or cancelada (cancelled)'),
  state_reason: text('why it was not held or was cancelled'),
  period_from: date('start of the period accounted for'),
  period_to: date('end of the period accounted for'),
  place: text('where it is held'),
  link: text('link to the broadcast or announcement'),
  agenda_es: text('agenda in Spanish'),
  agenda_en: text('agenda in English'),
  summary_es: text('summary in Spanish'),
  summary_en: text('summary in English'),
  attendance: z.number().int().nullable().describe('people who attended'),
  has_report: z.boolean().describe('true when the hearing report can be downloaded from its page'),
  process_id: z.number().int().describe('the participatory budget process'),
  location: z.string().describe('where the proposal would be built'),
  estimated_cost: api.soles("the proposer's estimated cost"),
  proposer_type: z.enum(['resident', 'organisation']).describe('who proposed: a resident, or an approved monitor on behalf of their organisation'),
  organisation: text('name of the proposing organisation (proposer_type = organisation); no person is ever named'),
  feasibility: z.enum(['feasible', 'unfeasible']).nullable().describe('technical review (null before it)'),
  feasibility_reason: text('public reason of the technical review'),
  reviewed_cost: api.soles('cost after the technical review').nullable(),
  supports: z.number().int().describe('supports by residents'),
  ballots: z.number().int().describe('online ballots that chose it'),
  workshop_votes: z.number().int().nullable().describe('votes at the workshop (null before the tally)'),
  item_id: z.number().int().nullable().describe('the prioritised item it became (winners)'),
  created_at: api.isoTime('when it was proposed'),
};
const PROPOSAL_COLUMNS = [
  'id',
  'process_id',
  'ubigeo',
  'year',
  'title_es',
  'title_en',
  'location',
  'estimated_cost',
  'beneficiaries',
  'proposer_type',
  'organisation',
  'feasibility',
  'feasibility_reason',
  'reviewed_cost',
  'supports',
  'ballots',
  'workshop_votes',
  'item_id',
  'created_at',
  'is_example',
];
/** A published proposal as open data: money in soles, the organisation by name, never an account. */
const proposalForApi = (p: ProposalRow & { year: number }) => ({
  ...Object.fromEntries(PROPOSAL_COLUMNS.map((c) => [c, (p as unknown as Record<string, unknown>)[c] ?? null])),
  estimated_cost: toSoles(p.estimated_cost),
  reviewed_cost: p.reviewed_cost == null ? null : toSoles(p.reviewed_cost),
  organisation: p.proposer_type === 'organisation' ? p.org_name : null,
  is_example: p.is_example,
});
/** The row schema of some columns, each described in FIELDS (a column without a description fails at start-up). */
function rowOf(columns: readonly string[]) {
  return z.object(
    Object.fromEntries(
      columns.map((c) => {
        if (!FIELDS[c]) throw new Error(`participation API: describe the field ${c} in FIELDS`);
        return [c, FIELDS[c]];
      }),
    ),
  );
}
const ITEM_COLUMNS = [...ITEM_CSV_COLUMNS, ...ITEM_RECORD_COLUMNS];
const COMMITMENT_COLUMNS = [...COMMITMENT_CSV_COLUMNS, ...COMMITMENT_RECORD_COLUMNS];
const listMeta = (money: boolean) =>
  z.object({
    count: z.number().int().describe('rows answered'),
    ...(money ? { units: z.string().describe('units of the amounts') } : {}),
    note: z.string().describe('how to tell example content'),
  });
const NOTE = 'rows with is_example = true are example content, not real data';
const HistoryEntry = z
  .looseObject({ at: api.isoTime('when the change was published'), kind: z.string().describe('what happened (created, changed, status, milestone, update, withdrawn…)') })
  .describe('one published change, with the reason and the role (and municipality) that made it; columns as in the CSV: ' + HISTORY_COLUMNS.join(', '));
const recordOf = (base: z.ZodObject, extra: z.ZodRawShape) =>
  z.object({
    data: base
      .partial()
      .extend({
        id: FIELDS.id,
        ubigeo: FIELDS.ubigeo,
        is_example: FIELDS.is_example,
        reprogrammed: z.number().int().describe('how many times the planned date (planned_end, due_on or held_on) was moved after publication'),
        ...extra,
        history: z.array(HistoryEntry).describe('append-only'),
      })
      .loose(),
    meta: z.object({ note: z.string().describe('what the history is') }),
  });
const looseList = (what: string) => z.array(z.looseObject({})).describe(what);
const RecordParams = z.object({ id: Id.describe('identifier of the record (a positive whole number)') });

/** GET /api/v1/participatory-budget/items, /api/v1/accountability/commitments and /hearings (JSON or CSV). */
export function participationApi(service: ParticipationService): ApiOperation[] {
  const listDescription = {
    es: 'Filtros: ubigeo, department, year, status, overdue=1. Las filas con is_example = true son contenido de ejemplo.',
    en: 'Filters: ubigeo, department, year, status, overdue=1. Rows with is_example = true are example content.',
  };
  /** One record with its public history (JSON), or the history alone (?format=csv). */
  const one = (
    id: string,
    path: string,
    summary: { es: string; en: string },
    response: z.ZodType,
    load: (id: number) => Promise<Record<string, unknown> & { history: Array<Record<string, unknown>> }>,
    name: string,
  ) =>
    operation({
      id,
      path,
      tag: 'participation',
      summary,
      description: {
        es: 'El registro con su historial público (JSON); con format=csv, el historial solo.',
        en: 'The record with its public history (JSON); with format=csv, the history alone.',
      },
      params: RecordParams,
      query: RecordQuery,
      response,
      csv: { columns: HISTORY_COLUMNS },
      notFound: true,
      example: { params: { id: '1' } },
      handle: async ({ params, query, res }) => {
        const { history, ...record } = await load(params.id);
        if (query.format === 'csv') return sendRows(res, 'csv', history, HISTORY_COLUMNS, `${name}-${params.id}-history`);
        res.json({
          data: { ...record, history },
          meta: { note: 'history is append-only: every published change with the reason and the role (and municipality) that made it; baseline_* are the first published values' },
        });
      },
    });
  return [
    operation({
      id: 'listParticipatoryBudgetItems',
      path: '/participatory-budget/items',
      tag: 'participation',
      summary: { es: 'Proyectos del presupuesto participativo', en: 'Participatory budget projects' },
      description: listDescription,
      query: ListQuery,
      response: api.listing(rowOf(ITEM_COLUMNS), listMeta(true)),
      csv: { columns: ITEM_COLUMNS },
      example: { query: { ubigeo: '150101' } },
      handle: async ({ query: f, res }) => {
        const rows = (await service.listItems({ ...f, overdue: f.overdue === '1' })).map(itemForApi);
        sendRows(res, f.format, rows, ITEM_COLUMNS, 'participatory-budget-items', { count: rows.length, units: 'total_cost and pia_amount in PEN (soles)', note: NOTE });
      },
    }),
    operation({
      id: 'listParticipatoryBudgetProposals',
      path: '/participatory-budget/proposals',
      tag: 'participation',
      summary: { es: 'Propuestas publicadas del presupuesto participativo', en: 'Published participatory budget proposals' },
      description: {
        es: 'Filtros: ubigeo, year. Quién propuso (proposer_type: resident u organisation, y el nombre de la organización), la evaluación técnica, apoyos, votos en línea y del taller. Nunca un correo.',
        en: 'Filters: ubigeo, year. Who proposed (proposer_type: resident or organisation, and the name of the organisation), the technical review, supports, online and workshop votes. Never an email.',
      },
      query: ProposalListQuery,
      response: api.listing(rowOf(PROPOSAL_COLUMNS), listMeta(true)),
      csv: { columns: PROPOSAL_COLUMNS },
      example: { query: { ubigeo: '150101' } },
      handle: async ({ query: f, res }) => {
        const rows = (await service.proposals.publicProposals(f)).map(proposalForApi);
        sendRows(res, f.format, rows, PROPOSAL_COLUMNS, 'participatory-budget-proposals', { count: rows.length, units: 'estimated_cost and reviewed_cost in PEN (soles)', note: NOTE });
      },
    }),
    operation({
      id: 'listCommitments',
      path: '/accountability/commitments',
      tag: 'participation',
      summary: { es: 'Compromisos de las audiencias de rendición de cuentas', en: 'Commitments made at accountability hearings' },
      description: listDescription,
      query: ListQuery,
      response: api.listing(rowOf(COMMITMENT_COLUMNS), listMeta(false)),
      csv: { columns: COMMITMENT_COLUMNS },
      example: { query: { ubigeo: '150101' } },
      handle: async ({ query: f, res }) => {
        const rows = (await service.listCommitments({ ...f, overdue: f.overdue === '1' })).map(commitmentForApi);
        sendRows(res, f.format, rows, COMMITMENT_COLUMNS, 'accountability-commitments', { count: rows.length, note: NOTE });
      },
    }),
    operation({
      id: 'listHearings',
      path: '/accountability/hearings',
      tag: 'participation',
      summary: { es: 'Audiencias públicas de rendición de cuentas', en: 'Public accountability hearings' },
      description: listDescription,
      query: ListQuery,
      response: api.listing(rowOf(HEARING_API_COLUMNS), listMeta(false)),
      csv: { columns: HEARING_API_COLUMNS },
      example: { query: { ubigeo: '150101' } },
      handle: async ({ query: f, res }) => {
        const rows = (await service.listHearings({ ...f, overdue: undefined })).map((h) => ({ ...h, has_report: !!h.report_file }));
        sendRows(res, f.format, rows, HEARING_API_COLUMNS, 'accountability-hearings', { count: rows.length, note: NOTE });
      },
    }),
    one(
      'getParticipatoryBudgetItem',
      '/participatory-budget/items/:id',
      { es: 'Un proyecto con su historial', en: 'One project with its history' },
      recordOf(rowOf(ITEM_COLUMNS), { milestones: looseList('milestones published, oldest first'), disputes: looseList('disputes of its evidence') }),
      async (id) => {
        const p = await service.itemPage(id);
        return { ...itemForApi(p.item), reprogrammed: p.reprogrammed, milestones: p.milestones, disputes: p.disputes, history: p.history as unknown as Array<Record<string, unknown>> };
      },
      'participatory-budget-item',
    ),
    one(
      'getCommitment',
      '/accountability/commitments/:id',
      { es: 'Un compromiso con su historial', en: 'One commitment with its history' },
      recordOf(rowOf(COMMITMENT_COLUMNS), { updates: looseList('progress updates published'), disputes: looseList('disputes of its evidence') }),
      async (id) => {
        const p = await service.commitmentPage(id);
        return { ...commitmentForApi(p.commitment), reprogrammed: p.reprogrammed, updates: p.updates, disputes: p.disputes, history: p.history as unknown as Array<Record<string, unknown>> };
      },
      'accountability-commitment',
    ),
    one(
      'getHearing',
      '/accountability/hearings/:id',
      { es: 'Una audiencia con sus compromisos e historial', en: 'One hearing with its commitments and history' },
      recordOf(rowOf(HEARING_API_COLUMNS), { commitments: z.array(rowOf(COMMITMENT_COLUMNS).partial().loose()).describe('the commitments made at the hearing') }),
      async (id) => {
        const p = await service.hearingPage(id);
        // The stored file's name stays private: the API says whether a report exists and where.
        const h = Object.fromEntries(Object.entries(p.hearing).filter(([k]) => !k.startsWith('report_')));
        return {
          ...h,
          has_report: !!p.hearing.report_file,
          reprogrammed: p.reprogrammed,
          commitments: p.commitments.map(commitmentForApi),
          history: p.history as unknown as Array<Record<string, unknown>>,
        };
      },
      'accountability-hearing',
    ),
  ];
}
