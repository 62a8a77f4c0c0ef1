import type { Knex } from 'knex';
import { isUniqueViolation, type Db } from '../../db';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor } from '../audit';
import * as q from './participation.queries';
import * as pq from './participation.proposal-queries';
import type { ProposalRow } from './participation.proposal-queries';
import { actorForRecord as who, RecordWriter, storedFile, type StoredFile } from './participation.record';
import { currentPhase, fitsEnvelope, prioritise, residentActions } from './participation.rules';
import type { ItemInput, ProposalInput, ReviewInput } from './participation.schemas';
import type { StoredPdf } from './participation.uploads';
import type { ProcessRow } from './participation.types';

export type { ProposalRow };

/** The resident already cast a ballot in this process (the unique key said so). */
export class AlreadyVotedError extends AppError {
  constructor() {
    super('participation:errors.already_voted', 409);
  }
}

/** Who may do what now in a process: its moment (phase) and the actions of that moment. */
export function stageOf(process: ProcessRow, today: string) {
  const moment = currentPhase(process, today);
  return { moment, actions: residentActions(moment) };
}

/** A feasible, published proposal with the cost the ballot and results use (the reviewed one). */
const onBallot = (p: ProposalRow) => p.status === 'published' && p.feasibility === 'feasible' && p.reviewed_cost != null;

/**
 * The participatory budget cycle of issue 13: residents propose (published after neutral
 * moderation, see the moderation module), support and follow proposals; officials review them
 * (feasible / not feasible with a public reason and a cost); confirmed residents cast one ballot
 * per process within the envelope; officials enter the workshop tally; the winners (rule:
 * participation.rules.ts `prioritise`) become prioritised items, linked both ways. Every change by
 * an official after publication lands in the public history with its reason.
 */
export function createProposalService({
  db,
  record,
  insertItem,
}: {
  db: Db;
  record: RecordWriter;
  insertItem: (trx: Knex.Transaction, actor: Actor, ubigeo: string, input: ItemInput) => Promise<number>;
}) {
  const { today, nowIso, audited } = record;

  async function processOf(ubigeo: string, year: number): Promise<ProcessRow> {
    const p = await q.findProcess(db, { ubigeo, year });
    if (!p) throw new NotFoundError();
    return p;
  }
  async function confirmed(userId: number) {
    if (!(await pq.emailConfirmed(db, userId))) throw new ForbiddenError('participation:errors.unconfirmed');
  }
  async function history(trx: Knex.Transaction, actor: Actor, p: { id: number; ubigeo: string }, kind: string, field: string | null, old: string | null, now: string | null, reason: string | null) {
    await q.addHistory(trx, {
      entity_type: 'pb_proposal',
      entity_id: p.id,
      ubigeo: p.ubigeo,
      at: nowIso(),
      kind,
      field,
      old_value: old,
      new_value: now,
      reason,
      status: null,
      progress_pct: null,
      note: null,
      ...who(actor),
    });
  }

  /** Results of a process: ballots and workshop apart, the score, and the winners within the envelope. */
  async function results(process: ProcessRow) {
    const proposals = (await pq.listProposals(db, process.id)).filter(onBallot);
    const [ballotsCast, ballotsDeclared] = await Promise.all([pq.countBallots(db, process.id), pq.countBallots(db, process.id, true)]);
    const envelope = process.budget_envelope ?? 0;
    const { ranked, spent } = prioritise(
      proposals.map((p) => ({ ...p, cost: p.reviewed_cost!, ballots: p.ballots, workshop: p.workshop_votes ?? 0 })),
      envelope,
      ballotsCast,
    );
    return {
      ranked,
      spent,
      envelope,
      ballotsCast,
      ballotsDeclared,
      workshopVotes: proposals.reduce((s, p) => s + (p.workshop_votes ?? 0), 0),
      tallied: proposals.some((p) => p.workshop_votes != null),
    };
  }

  return {
    stageOf: (p: ProcessRow) => stageOf(p, today()),

    /** The public list of a process: published proposals (unfeasible ones too, with their reason). */
    async proposalsPage(ubigeo: string, year: number) {
      const process = await processOf(ubigeo, year);
      return { process, stage: stageOf(process, today()), proposals: await pq.listProposals(db, process.id) };
    },

    /** A published proposal, with its process and public history; anything else is 404. */
    async proposalPage(id: number, userId?: number) {
      const proposal = await pq.findProposal(db, id);
      if (!proposal || proposal.status !== 'published') throw new NotFoundError();
      const process = (await q.findProcess(db, { id: proposal.process_id }))!;
      const [history, supported, following, comments] = await Promise.all([
        q.historyOf(db, 'pb_proposal', id),
        userId ? pq.hasSupported(db, id, userId) : Promise.resolve(false),
        userId ? q.isFollowing(db, userId, 'pb_proposal', id) : Promise.resolve(false),
        pq.publicComments(db, id),
      ]);
      return { proposal, process, stage: stageOf(process, today()), history, supported, following, comments };
    },

    /** The form's page: the process, its moment, and the organisation the user may propose for (approved monitors). */
    async processForProposals(ubigeo: string, year: number, userId?: number) {
      const process = await processOf(ubigeo, year);
      return { process, stage: stageOf(process, today()), organisation: userId ? await pq.monitorOrganisation(db, userId) : null };
    },

    /**
     * A confirmed resident proposes during the proposals phase; it waits for moderation. An
     * approved monitor may propose on behalf of their organisation (its name is kept on the proposal).
     */
    async submit(userId: number, ubigeo: string, year: number, input: ProposalInput): Promise<number> {
      const process = await processOf(ubigeo, year);
      if (!stageOf(process, today()).actions.propose) throw new ForbiddenError('participation:errors.proposals_closed');
      await confirmed(userId);
      const organisation = input.on_behalf ? await pq.monitorOrganisation(db, userId) : null;
      if (input.on_behalf && !organisation) throw new ForbiddenError('participation:errors.not_organisation');
      return pq.insertProposal(db, {
        proposer_type: organisation ? 'organisation' : 'resident',
        org_name: organisation,
        process_id: process.id,
        ubigeo,
        year,
        user_id: userId,
        title_es: input.title_es,
        title_en: input.title_en ?? null,
        body: input.body,
        body_en: input.body_en ?? null,
        location: input.location,
        estimated_cost: input.estimated_cost,
        beneficiaries: input.beneficiaries,
        social_gap: input.social_gap,
        status: 'pending',
        version: 1,
        flags: 0,
        is_example: false,
        created_at: nowIso(),
      });
    },

    /** One support per resident and proposal (the unique key), while supports are open. */
    async support(userId: number, id: number, declaredResident = false): Promise<void> {
      const p = await pq.findProposal(db, id);
      if (!p || p.status !== 'published') throw new NotFoundError();
      const process = (await q.findProcess(db, { id: p.process_id }))!;
      if (!stageOf(process, today()).actions.support) throw new ForbiddenError('participation:errors.supports_closed');
      await confirmed(userId);
      await pq.addSupport(db, { proposal_id: id, user_id: userId, declared_resident: declaredResident, created_at: nowIso() });
    },

    /** A confirmed resident comments on a published proposal; the comment waits for neutral moderation. */
    async comment(userId: number, id: number, body: string): Promise<void> {
      const p = await pq.findProposal(db, id);
      if (!p || p.status !== 'published') throw new NotFoundError();
      await confirmed(userId);
      await pq.insertComment(db, { proposal_id: id, ubigeo: p.ubigeo, user_id: userId, body, created_at: nowIso() });
    },

    /** Published comments since a time (of some proposals, e.g. the followed ones): for a digest. */
    commentsSince: (since: string, proposalIds?: number[]) => pq.commentsSince(db, since, proposalIds),

    // ---- officials (municipality checked by the route's guard; rows re-checked here) ----

    async manageProposals(ubigeo: string, year: number) {
      const process = await processOf(ubigeo, year);
      const [proposals, acts] = await Promise.all([pq.listProposals(db, process.id, ['published']), pq.actsOf(db, process.id)]);
      return { process, stage: stageOf(process, today()), proposals, results: await results(process), acts };
    },

    /** Feasible (with a cost) or not feasible, always with a public reason; every review is in the public history. */
    async review(actor: Actor, ubigeo: string, id: number, f: ReviewInput): Promise<void> {
      await db.transaction(async (trx) => {
        const p = await pq.findProposal(trx, id);
        if (!p || p.ubigeo !== ubigeo || p.status !== 'published') throw new NotFoundError();
        const cost = f.feasibility === 'feasible' ? (f.reviewed_cost ?? null) : null;
        if (p.feasibility === f.feasibility && p.reviewed_cost === cost && p.feasibility_reason === f.reason) return;
        await pq.updateProposal(trx, id, { feasibility: f.feasibility, feasibility_reason: f.reason, reviewed_cost: cost, reviewed_at: nowIso() });
        await history(trx, actor, p, p.feasibility ? 'changed' : 'reviewed', 'feasibility', p.feasibility, f.feasibility, f.reason);
        if (p.reviewed_cost !== cost) await history(trx, actor, p, 'changed', 'reviewed_cost', p.reviewed_cost == null ? null : String(p.reviewed_cost), cost == null ? null : String(cost), f.reason);
        await audited(
          trx,
          actor,
          'pb_proposal.review',
          'pb_proposal',
          id,
          ubigeo,
          { feasibility: p.feasibility, reviewed_cost: p.reviewed_cost },
          { feasibility: f.feasibility, reviewed_cost: cost, reason: f.reason },
        );
      });
    },

    /**
     * The workshop tally per feasible proposal, with the workshop's signed act (a PDF): the first
     * tally needs the act; a tally already entered, or an act already uploaded, changes only with
     * a public reason (a corrected act is a new version; the earlier ones stay public).
     */
    async tally(actor: Actor, ubigeo: string, year: number, votes: Map<number, number>, reason: string | null, act: StoredPdf | null = null): Promise<void> {
      const process = await processOf(ubigeo, year);
      await db.transaction(async (trx) => {
        const proposals = (await pq.listProposals(trx, process.id)).filter(onBallot);
        const changes = proposals.filter((p) => votes.has(p.id) && votes.get(p.id) !== p.workshop_votes);
        const [current] = await pq.actsOf(trx, process.id);
        if (!current && !act && changes.length) throw new ValidationError([{ field: 'act', key: 'participation:errors.act_required' }], 422);
        if ((changes.some((p) => p.workshop_votes != null) || (current && act)) && !reason?.trim()) throw new ValidationError([{ field: 'reason', key: 'participation:errors.reason_required' }], 422);
        if (act) {
          const r = current ? reason!.trim() : null;
          await pq.insertAct(trx, {
            process_id: process.id,
            ubigeo,
            file_name: act.name,
            original_name: act.originalName,
            sha256: act.sha256,
            size_bytes: act.size,
            reason: r,
            ...who(actor),
            uploaded_at: nowIso(),
          });
          await q.addHistory(trx, {
            entity_type: 'pb_process',
            entity_id: process.id,
            ubigeo,
            at: nowIso(),
            kind: current ? 'changed' : 'act_uploaded',
            field: 'workshop_act',
            old_value: current?.sha256 ?? null,
            new_value: act.sha256,
            reason: r,
            status: null,
            progress_pct: null,
            note: null,
            ...who(actor),
          });
          await audited(trx, actor, 'pb_process.workshop_act', 'pb_process', process.id, ubigeo, current ? { sha256: current.sha256 } : null, { sha256: act.sha256, reason: r });
        }
        for (const p of changes) {
          const v = votes.get(p.id)!;
          await pq.updateProposal(trx, p.id, { workshop_votes: v });
          await history(
            trx,
            actor,
            p,
            p.workshop_votes == null ? 'tallied' : 'changed',
            'workshop_votes',
            p.workshop_votes == null ? null : String(p.workshop_votes),
            String(v),
            reason?.trim() || null,
          );
        }
        if (changes.length)
          await audited(
            trx,
            actor,
            'pb_process.workshop_tally',
            'pb_process',
            process.id,
            ubigeo,
            Object.fromEntries(changes.map((p) => [p.id, p.workshop_votes])),
            Object.fromEntries(changes.map((p) => [p.id, votes.get(p.id)])),
          );
      });
    },

    /** The winners without an item yet become prioritised items (after the process's existing priorities), linked both ways. */
    async promoteWinners(actor: Actor, ubigeo: string, year: number): Promise<number> {
      const process = await processOf(ubigeo, year);
      const { ranked } = await results(process);
      return db.transaction(async (trx) => {
        let priority = await pq.maxItemPriority(trx, process.id);
        let made = 0;
        for (const w of ranked.filter((r) => r.wins && r.item_id == null)) {
          const itemId = await insertItem(trx, actor, ubigeo, {
            year,
            priority: ++priority,
            title_es: w.title_es,
            title_en: w.title_en ?? undefined,
            description_es: w.body,
            description_en: w.body_en ?? undefined,
            total_cost: w.reviewed_cost!,
            beneficiaries: w.beneficiaries,
            status: 'en_formulacion',
          });
          await pq.updateProposal(trx, w.id, { item_id: itemId });
          await history(trx, actor, w, 'prioritised', 'item_id', null, String(itemId), null);
          made++;
        }
        return made;
      });
    },

    // ---- the online ballot ----

    async ballotPage(ubigeo: string, year: number, userId: number) {
      const process = await processOf(ubigeo, year);
      const [proposals, ballot] = await Promise.all([pq.listProposals(db, process.id), pq.findBallot(db, process.id, userId)]);
      return { process, stage: stageOf(process, today()), proposals: proposals.filter(onBallot), ballot, envelope: process.budget_envelope ?? 0 };
    },

    /**
     * One ballot per confirmed resident and process, confirmed in one POST: every choice must be a
     * feasible published proposal of the process and their reviewed costs must fit the envelope.
     * The unique key (process_id, user_id) makes a second ballot, even a simultaneous one, a 409.
     */
    async vote(userId: number, ubigeo: string, year: number, choice: number[], declaredResident = false): Promise<void> {
      const process = await processOf(ubigeo, year);
      if (!stageOf(process, today()).actions.vote) throw new ForbiddenError('participation:errors.ballot_closed');
      await confirmed(userId);
      const open = new Map((await pq.listProposals(db, process.id)).filter(onBallot).map((p) => [p.id, p]));
      const chosen = [...new Set(choice)];
      if (chosen.some((id) => !open.has(id))) throw new ValidationError([{ field: 'choice', key: 'participation:errors.choice_invalid' }], 422);
      if (
        !fitsEnvelope(
          chosen.map((id) => open.get(id)!.reviewed_cost!),
          process.budget_envelope ?? 0,
        )
      )
        throw new ValidationError([{ field: 'choice', key: 'participation:errors.over_envelope' }], 422);
      try {
        await db.transaction((trx) => pq.insertBallot(trx, process.id, userId, nowIso(), chosen, declaredResident));
      } catch (e) {
        if (isUniqueViolation(e)) throw new AlreadyVotedError();
        throw e;
      }
    },

    async resultsPage(ubigeo: string, year: number) {
      const process = await processOf(ubigeo, year);
      return { process, stage: stageOf(process, today()), ...(await results(process)), acts: await pq.actsOf(db, process.id) };
    },

    /** One version of a process's workshop act, as a download (404 for another process's act). */
    async actFile(ubigeo: string, year: number, actId: number): Promise<StoredFile> {
      const process = await processOf(ubigeo, year);
      const act = await pq.findAct(db, actId);
      if (!act || act.process_id !== process.id) throw new NotFoundError();
      return storedFile(act.file_name, act.original_name, 'acta-del-taller.pdf');
    },

    /** Published proposals for the open data (proposer type and organisation, never an account). */
    publicProposals: (f: { ubigeo?: string; year?: number }) => pq.listPublicProposals(db, f),

    /** Ballot data of a process in the Pabulib format (participation.pabulib.ts writes it). */
    async pabulibData(ubigeo: string, year: number) {
      const process = await processOf(ubigeo, year);
      const [proposals, ballots, place] = await Promise.all([pq.listProposals(db, process.id), pq.ballotChoices(db, process.id), q.municipalityDistrict(db, ubigeo)]);
      return { process, place: place ?? ubigeo, projects: proposals.filter(onBallot), ballots };
    },

    /** The proposal a prioritised item came from (the link back), or null. */
    proposalOfItem: (itemId: number) => pq.proposalOfItem(db, itemId),
  };
}

export type ProposalService = ReturnType<typeof createProposalService>;
