import type { Knex } from 'knex';
import { typedRow, type Db } from '../../db';

type Q = Db | Knex.Transaction;

const PROPOSAL_COLUMNS = [
  'id',
  'process_id',
  'ubigeo',
  'user_id',
  'title_es',
  'title_en',
  'body',
  'body_en',
  'location',
  'estimated_cost',
  'beneficiaries',
  'social_gap',
  'status',
  'version',
  'decision_reason',
  'feasibility',
  'feasibility_reason',
  'reviewed_cost',
  'reviewed_at',
  'workshop_votes',
  'item_id',
  'is_example',
  'created_at',
  'proposer_type',
  'org_name',
];

export interface ProposalRow {
  id: number;
  process_id: number;
  ubigeo: string;
  user_id: number | null;
  title_es: string;
  title_en: string | null;
  body: string;
  body_en: string | null;
  location: string;
  estimated_cost: number;
  beneficiaries: number;
  social_gap: string;
  status: 'pending' | 'published' | 'rejected';
  version: number;
  decision_reason: string | null;
  feasibility: 'feasible' | 'unfeasible' | null;
  feasibility_reason: string | null;
  reviewed_cost: number | null;
  reviewed_at: string | null;
  workshop_votes: number | null;
  item_id: number | null;
  is_example: boolean;
  created_at: string;
  /** A resident, or an approved monitor on behalf of their organisation (`org_name`, as it was then). */
  proposer_type: 'resident' | 'organisation';
  org_name: string | null;
  supports: number;
  ballots: number;
  /** Of them, from residents who declared they live in the district (counted apart). */
  supports_declared: number;
  ballots_declared: number;
}

const row = typedRow<ProposalRow>({
  numbers: ['id', 'process_id', 'estimated_cost', 'beneficiaries', 'version'],
  nullable: ['user_id', 'reviewed_cost', 'workshop_votes', 'item_id'],
  counts: ['supports', 'ballots', 'supports_declared', 'ballots_declared'],
  flags: ['is_example'],
});

/** Proposals with their support and ballot counts (subqueries: one row each). */
function withCounts(db: Q) {
  return db('pb_proposals as p')
    .select(PROPOSAL_COLUMNS.map((c) => `p.${c}`))
    .select(db.raw('(select count(*) from pb_proposal_supports s where s.proposal_id = p.id) as supports'))
    .select(db.raw('(select count(*) from pb_ballot_choices c where c.proposal_id = p.id) as ballots'))
    .select(db.raw('(select count(*) from pb_proposal_supports s where s.proposal_id = p.id and s.declared_resident = ?) as supports_declared', [true]))
    .select(db.raw('(select count(*) from pb_ballot_choices c join pb_ballots b on b.id = c.ballot_id where c.proposal_id = p.id and b.declared_resident = ?) as ballots_declared', [true]));
}

export async function listProposals(db: Q, processId: number, statuses: string[] = ['published']): Promise<ProposalRow[]> {
  const rows = await withCounts(db).where('p.process_id', processId).whereIn('p.status', statuses).orderBy('p.id');
  return rows.map(row);
}

/** Published proposals of every process (or of one municipality / year), for the open data: with the process's year. */
export async function listPublicProposals(db: Q, f: { ubigeo?: string; year?: number }): Promise<Array<ProposalRow & { year: number }>> {
  const q = withCounts(db).select('p.year').where('p.status', 'published');
  if (f.ubigeo) q.where('p.ubigeo', f.ubigeo);
  if (f.year) q.where('p.year', f.year);
  const rows = await q.orderBy(['p.ubigeo', 'p.year', 'p.id']);
  return rows.map((r: Record<string, unknown>) => ({ ...row(r), year: Number(r.year) }));
}

export async function findProposal(db: Q, id: number): Promise<ProposalRow | null> {
  const r = await withCounts(db).where('p.id', id).first();
  return r ? row(r) : null;
}

export async function proposalOfItem(db: Q, itemId: number): Promise<{ id: number; title_es: string; title_en: string | null } | null> {
  const r = await db('pb_proposals').select('id', 'title_es', 'title_en').where({ item_id: itemId }).first();
  return r ? { id: Number(r.id), title_es: String(r.title_es), title_en: r.title_en ?? null } : null;
}

export async function insertProposal(db: Q, values: Record<string, unknown>): Promise<number> {
  return Number((await db('pb_proposals').insert(values))[0]);
}

export async function updateProposal(db: Q, id: number, values: Record<string, unknown>): Promise<void> {
  await db('pb_proposals').where({ id }).update(values);
}

export async function addSupport(db: Q, r: { proposal_id: number; user_id: number; declared_resident: boolean; created_at: string }): Promise<void> {
  await db('pb_proposal_supports').insert(r).onConflict(['proposal_id', 'user_id']).ignore();
}

export async function hasSupported(db: Q, proposalId: number, userId: number): Promise<boolean> {
  return Boolean(await db('pb_proposal_supports').select('id').where({ proposal_id: proposalId, user_id: userId }).first());
}

export async function findBallot(db: Q, processId: number, userId: number): Promise<{ id: number; created_at: string } | null> {
  const r = await db('pb_ballots').select('id', 'created_at').where({ process_id: processId, user_id: userId }).first();
  return r ? { id: Number(r.id), created_at: String(r.created_at) } : null;
}

/** Inserts the ballot (the unique key (process_id, user_id) refuses a second one) and its choices. */
export async function insertBallot(db: Q, processId: number, userId: number, at: string, proposalIds: number[], declaredResident: boolean): Promise<number> {
  const ballotId = Number((await db('pb_ballots').insert({ process_id: processId, user_id: userId, declared_resident: declaredResident, created_at: at }))[0]);
  await db('pb_ballot_choices').insert(proposalIds.map((proposal_id) => ({ ballot_id: ballotId, proposal_id })));
  return ballotId;
}

export async function countBallots(db: Q, processId: number, declaredOnly = false): Promise<number> {
  const q = db('pb_ballots').count({ n: '*' }).where({ process_id: processId });
  if (declaredOnly) q.where('declared_resident', true);
  const r = await q.first();
  return Number(r?.n ?? 0);
}

/** Every ballot of a process as the ids it chose, in the order ballots were cast (no voter). */
export async function ballotChoices(db: Q, processId: number): Promise<number[][]> {
  const rows = await db('pb_ballots as b')
    .join('pb_ballot_choices as c', 'c.ballot_id', 'b.id')
    .select('b.id as ballot', 'c.proposal_id')
    .where('b.process_id', processId)
    .orderBy(['b.id', 'c.proposal_id']);
  const byBallot = new Map<number, number[]>();
  for (const r of rows) byBallot.set(Number(r.ballot), [...(byBallot.get(Number(r.ballot)) ?? []), Number(r.proposal_id)]);
  return [...byBallot.values()];
}

export async function emailConfirmed(db: Q, userId: number): Promise<boolean> {
  const r = await db('users').select('email_confirmed_at').where({ id: userId }).first();
  return Boolean(r?.email_confirmed_at);
}

/** The highest priority among a process's items (0 without items): winners are added after it. */
export async function maxItemPriority(db: Q, processId: number): Promise<number> {
  const r = await db('pb_items').max({ m: 'priority' }).where({ process_id: processId }).first();
  return Number(r?.m ?? 0);
}

// ---- comments on proposals (moderated like the proposals) ----

export interface CommentRow {
  id: number;
  proposal_id: number;
  body: string;
  status: 'pending' | 'published' | 'rejected';
  decision_reason: string | null;
  created_at: string;
}
const commentRow = (r: Record<string, unknown>): CommentRow => ({ ...(r as unknown as CommentRow), id: Number(r.id), proposal_id: Number(r.proposal_id) });

export async function insertComment(db: Q, values: { proposal_id: number; ubigeo: string; user_id: number; body: string; created_at: string }): Promise<number> {
  return Number((await db('pb_proposal_comments').insert({ ...values, status: 'pending', version: 1, flags: 0 }))[0]);
}

/** A proposal's comments as the public sees them: published ones and the placeholders of hidden ones, oldest first (newest last). */
export async function publicComments(db: Q, proposalId: number): Promise<CommentRow[]> {
  const rows = await db('pb_proposal_comments')
    .select('id', 'proposal_id', 'body', 'status', 'decision_reason', 'created_at')
    .where({ proposal_id: proposalId })
    .whereIn('status', ['published', 'rejected'])
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map(commentRow);
}

/** Published comments created at or after `since` (ISO time), oldest first: what a digest of followed proposals lists. */
export async function commentsSince(db: Q, since: string, proposalIds?: number[]): Promise<CommentRow[]> {
  const q = db('pb_proposal_comments').select('id', 'proposal_id', 'body', 'status', 'decision_reason', 'created_at').where('status', 'published').where('created_at', '>=', since);
  if (proposalIds) q.whereIn('proposal_id', proposalIds.length ? proposalIds : [0]);
  return (await q.orderBy([{ column: 'created_at' }, { column: 'id' }])).map(commentRow);
}

// ---- the workshop's act (a PDF; a correction is a new row with its reason) ----

export interface ActRow {
  id: number;
  process_id: number;
  file_name: string;
  original_name: string;
  sha256: string;
  size_bytes: number;
  reason: string | null;
  actor_role: string;
  actor_ubigeo: string | null;
  uploaded_at: string;
}
const actRow = (r: Record<string, unknown>): ActRow => ({ ...(r as unknown as ActRow), id: Number(r.id), process_id: Number(r.process_id), size_bytes: Number(r.size_bytes) });

export async function insertAct(db: Q, values: Omit<ActRow, 'id'> & { ubigeo: string }): Promise<number> {
  return Number((await db('pb_workshop_acts').insert(values))[0]);
}

/** Every act of a process, the current one (the latest) first. */
export async function actsOf(db: Q, processId: number): Promise<ActRow[]> {
  return (await db('pb_workshop_acts').select('*').where({ process_id: processId }).orderBy('id', 'desc')).map(actRow);
}

export async function findAct(db: Q, id: number): Promise<ActRow | null> {
  const r = await db('pb_workshop_acts').select('*').where({ id }).first();
  return r ? actRow(r) : null;
}

/** The organisation an approved monitor acts for (null for anyone else). */
export async function monitorOrganisation(db: Q, userId: number): Promise<string | null> {
  const r = await db('users').select('org_name').where({ id: userId, role: 'monitor', status: 'active' }).whereNotNull('org_name').first();
  return r?.org_name ? String(r.org_name) : null;
}
