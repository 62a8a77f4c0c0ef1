import { Readable } from 'node:stream';
import type { Db } from '../../db';

/**
 * The participation tables as datasets of the portal's bulk download (`/es/datos`,
 * `/api/v1/datasets/datapackage.json`), handed to the spending module by app.ts. Money in soles; booleans as
 * true/false; every row says whether it is example content.
 */
type Field = { name: string; type: 'string' | 'integer' | 'number' | 'boolean' | 'date'; description: string; unit?: string };

const bool = (db: Db, col: string, as: string) => db.raw(`case when ${col} = 1 then 'true' else 'false' end as ${as}`);
const soles = (db: Db, col: string, as: string) => db.raw(`${col} / 100.0 as ${as}`);
const EXAMPLE: Field = { name: 'is_example', type: 'boolean', description: 'true for example content loaded so the pages are not empty (not real data)' };
const SOURCE = [{ title: 'Resultados Abiertos: published by municipal officials (Ley 28056, Ley 27972 art. 119-A)' }];

/** Feasible, published proposals with a reviewed cost: the projects of a process's ballot and Pabulib file. */
const onBallot = (db: Db, alias: string) =>
  db('pb_proposals as b').count({ n: '*' }).whereRaw(`b.process_id = ${alias}.id`).where({ 'b.status': 'published', 'b.feasibility': 'feasible' }).whereNotNull('b.reviewed_cost');

export const PARTICIPATION_DATASETS = [
  {
    name: 'pb_items',
    title: 'Participatory budget: prioritised items',
    description: 'Items prioritised by participatory budget processes, with cost, status and physical progress. overdue is not stored: planned_end before today and status not culminado.',
    sources: SOURCE,
    fields: [
      { name: 'id', type: 'integer', description: 'Item id (/es/presupuesto-participativo/proyectos/<id>)' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'year', type: 'integer', description: 'Year of the process' },
      { name: 'priority', type: 'integer', description: 'Priority order' },
      { name: 'title_es', type: 'string', description: 'Title (Spanish)' },
      { name: 'title_en', type: 'string', description: 'Title (English, optional)' },
      { name: 'cui', type: 'string', description: 'Código Único de Inversiones' },
      { name: 'total_cost', type: 'number', unit: 'PEN', description: 'Total cost, soles' },
      { name: 'pia_amount', type: 'number', unit: 'PEN', description: 'Amount in the PIA, soles' },
      { name: 'start_date', type: 'date', description: 'Start' },
      { name: 'planned_end', type: 'date', description: 'Planned end (current)' },
      { name: 'baseline_planned_end', type: 'date', description: 'First published planned end (the baseline overdue and the score judge against)' },
      { name: 'status', type: 'string', description: 'en_formulacion | en_ejecucion | culminado | paralizado' },
      { name: 'progress_pct', type: 'number', unit: '%', description: 'Physical progress' },
      { name: 'finished_on', type: 'date', description: 'Date finished' },
      EXAMPLE,
    ] as Field[],
    query: (db: Db) =>
      db('pb_items')
        .select(
          'id',
          'ubigeo',
          'year',
          'priority',
          'title_es',
          'title_en',
          'cui',
          soles(db, 'total_cost', 'total_cost'),
          soles(db, 'pia_amount', 'pia_amount'),
          'start_date',
          'planned_end',
          'baseline_planned_end',
          'status',
          'progress_pct',
          'finished_on',
          bool(db, 'is_example', 'is_example'),
        )
        .orderBy(['ubigeo', 'year', 'priority', 'id'])
        .stream(),
  },
  {
    name: 'hearings',
    title: 'Accountability hearings',
    description: 'Public accountability hearings (the law asks for two a year, in May and September).',
    sources: SOURCE,
    fields: [
      { name: 'id', type: 'integer', description: 'Hearing id' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'held_on', type: 'date', description: 'Date (convened or held)' },
      { name: 'state', type: 'string', description: 'convocada | realizada | no_realizada | cancelada; only realizada counts as held' },
      { name: 'period_from', type: 'date', description: 'Period covered, from' },
      { name: 'period_to', type: 'date', description: 'Period covered, to' },
      { name: 'attendance', type: 'integer', description: 'Attendance' },
      EXAMPLE,
    ] as Field[],
    query: (db: Db) =>
      db('hearings')
        .select('id', 'ubigeo', 'held_on', 'state', 'period_from', 'period_to', 'attendance', bool(db, 'is_example', 'is_example'))
        .orderBy(['ubigeo', 'held_on', 'id'])
        .stream(),
  },
  {
    name: 'commitments',
    title: 'Accountability commitments',
    description: 'Commitments made at hearings and their status. On time = cumplido with fulfilled_on on or before due_on.',
    sources: SOURCE,
    fields: [
      { name: 'id', type: 'integer', description: 'Commitment id' },
      { name: 'hearing_id', type: 'integer', description: 'Hearing id' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'text_es', type: 'string', description: 'Commitment (Spanish)' },
      { name: 'responsible_office', type: 'string', description: 'Responsible office' },
      { name: 'due_on', type: 'date', description: 'Due date (current)' },
      { name: 'baseline_due_on', type: 'date', description: 'First published due date (the baseline)' },
      { name: 'status', type: 'string', description: 'pendiente | en_proceso | cumplido | incumplido' },
      { name: 'fulfilled_on', type: 'date', description: 'Date fulfilled' },
      EXAMPLE,
    ] as Field[],
    query: (db: Db) =>
      db('commitments')
        .select('id', 'hearing_id', 'ubigeo', 'text_es', 'responsible_office', 'due_on', 'baseline_due_on', 'status', 'fulfilled_on', bool(db, 'is_example', 'is_example'))
        .orderBy(['ubigeo', 'due_on', 'id'])
        .stream(),
  },
  {
    name: 'participation_history',
    title: 'Public record of changes (append-only)',
    description:
      'Every published change of participatory-budget processes and items, hearings and commitments: the field, old and new value, the reason (required when a date or amount moves or a status or progress goes back), and the role (with the municipality for officials) that made it; never a person. Rows are only ever added.',
    sources: SOURCE,
    fields: [
      { name: 'id', type: 'integer', description: 'Row id' },
      { name: 'entity_type', type: 'string', description: 'pb_process | pb_item | hearing | commitment' },
      { name: 'entity_id', type: 'integer', description: 'Id of the record' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'at', type: 'string', description: 'When (ISO 8601, UTC)' },
      { name: 'kind', type: 'string', description: 'created | changed | milestone | update | withdrawn | dispute_opened | dispute_answered | dispute_upheld | dispute_rejected' },
      { name: 'field', type: 'string', description: 'Changed field (kind = changed)' },
      { name: 'old_value', type: 'string', description: 'Value before (money in céntimos, as stored)' },
      { name: 'new_value', type: 'string', description: 'Value after (money in céntimos, as stored)' },
      { name: 'reason', type: 'string', description: 'Public reason given for the change' },
      { name: 'actor_role', type: 'string', description: 'official | admin | cli | monitor' },
      { name: 'actor_ubigeo', type: 'string', description: 'Municipality of the official who made the change' },
      EXAMPLE,
    ] as Field[],
    query: (db: Db) =>
      db('participation_history')
        .select('id', 'entity_type', 'entity_id', 'ubigeo', 'at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'actor_role', 'actor_ubigeo', bool(db, 'is_example', 'is_example'))
        .orderBy('id')
        .stream(),
  },
  {
    name: 'pb_proposals',
    title: 'Participatory budget: published proposals',
    description:
      "Residents' and organisations' proposals published after neutral moderation, with the technical review, supports, online ballots and workshop votes. proposer_type says who proposed (resident | organisation) and organisation names the organisation; no person is ever named.",
    sources: [{ title: 'Resultados Abiertos: proposals by residents and organisations, reviewed by municipal officials' }],
    fields: [
      { name: 'id', type: 'integer', description: 'Proposal id (/es/presupuesto-participativo/propuestas/<id>)' },
      { name: 'process_id', type: 'integer', description: 'Participatory budget process id' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'year', type: 'integer', description: 'Year of the process' },
      { name: 'title_es', type: 'string', description: 'Title (Spanish)' },
      { name: 'title_en', type: 'string', description: 'Title (English, optional)' },
      { name: 'location', type: 'string', description: 'Where' },
      { name: 'estimated_cost', type: 'number', unit: 'PEN', description: "Proposer's estimated cost, soles" },
      { name: 'proposer_type', type: 'string', description: 'resident | organisation (an approved monitor on behalf of its organisation)' },
      { name: 'organisation', type: 'string', description: 'Name of the proposing organisation (proposer_type = organisation)' },
      { name: 'feasibility', type: 'string', description: 'feasible | unfeasible (technical review), empty before the review' },
      { name: 'feasibility_reason', type: 'string', description: 'Public reason of the review' },
      { name: 'reviewed_cost', type: 'number', unit: 'PEN', description: 'Cost after the technical review, soles' },
      { name: 'supports', type: 'integer', description: 'Supports by residents' },
      { name: 'ballots', type: 'integer', description: 'Online ballots that chose it' },
      { name: 'workshop_votes', type: 'integer', description: 'Votes at the workshop (participating agents)' },
      { name: 'item_id', type: 'integer', description: 'Prioritised item it became (winners)' },
      { name: 'created_at', type: 'string', description: 'When it was proposed (ISO 8601, UTC)' },
      EXAMPLE,
    ] as Field[],
    query: (db: Db) =>
      db('pb_proposals as p')
        .select(
          'p.id',
          'p.process_id',
          'p.ubigeo',
          'p.year',
          'p.title_es',
          'p.title_en',
          'p.location',
          soles(db, 'p.estimated_cost', 'estimated_cost'),
          'p.proposer_type',
          'p.org_name as organisation',
          'p.feasibility',
          'p.feasibility_reason',
          soles(db, 'p.reviewed_cost', 'reviewed_cost'),
          db.raw('(select count(*) from pb_proposal_supports s where s.proposal_id = p.id) as supports'),
          db.raw('(select count(*) from pb_ballot_choices c where c.proposal_id = p.id) as ballots'),
          'p.workshop_votes',
          'p.item_id',
          'p.created_at',
          bool(db, 'p.is_example', 'is_example'),
        )
        .where('p.status', 'published')
        .orderBy(['p.ubigeo', 'p.year', 'p.id'])
        .stream(),
  },
  {
    name: 'pb_pabulib',
    title: 'Participatory budget: ballots in the Pabulib format, one file per process',
    description:
      'Every process with an online ballot, and where its Pabulib file is (pabulib.org/format: the projects with cost, online votes, workshop votes and proposer type, and every ballot as the chosen project ids, voters numbered 1…n, never an account). pabulib_path is a path on this site.',
    sources: SOURCE,
    fields: [
      { name: 'process_id', type: 'integer', description: 'Participatory budget process id' },
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'year', type: 'integer', description: 'Year of the process' },
      { name: 'budget', type: 'number', unit: 'PEN', description: 'Envelope the ballot may spend, soles' },
      { name: 'num_projects', type: 'integer', description: 'Projects on the ballot (feasible, published proposals)' },
      { name: 'num_votes', type: 'integer', description: 'Online ballots cast' },
      { name: 'pabulib_path', type: 'string', description: 'Path of the Pabulib (.pb) file on this site' },
    ] as Field[],
    query: (db: Db) =>
      Readable.from(
        (async function* () {
          const rows = await db('pb_processes as pr')
            .select('pr.id as process_id', 'pr.ubigeo', 'pr.year', soles(db, 'pr.budget_envelope', 'budget'))
            .select({ num_projects: onBallot(db, 'pr') })
            .select(db.raw('(select count(*) from pb_ballots v where v.process_id = pr.id) as num_votes'))
            .whereExists(onBallot(db, 'pr').clearSelect().select(db.raw('1')))
            .orderBy(['pr.ubigeo', 'pr.year']);
          for (const r of rows) yield { ...r, pabulib_path: `/es/presupuesto-participativo/${r.ubigeo}/${r.year}/pabulib` };
        })(),
      ),
  },
];
