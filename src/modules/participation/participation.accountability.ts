import type { Knex } from 'knex';
import type { Db } from '../../db';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor } from '../audit';
import * as q from './participation.queries';
import { actorForRecord as who, pick, RecordWriter, StoredFile, storedFile } from './participation.record';
import { reprogrammingCount as reprogrammings, statusGoesBack as rankBack } from './participation.rules';
import { CommitmentForm, CommitmentInput, CommitmentUpdateInput, HearingForm, HearingInput } from './participation.schemas';
import type { CommitmentRow, ListFilter } from './participation.types';

// The fields each form owns, from its zod schema (one list each; the reason is not a column).
const HEARING_FIELDS = Object.keys(HearingForm.shape) as Array<keyof HearingInput>;
const COMMITMENT_FIELDS = Object.keys(CommitmentForm.shape) as Array<keyof CommitmentInput>;

/**
 * Accountability: hearings, the commitments made at them and their updates over time; public
 * reads, and changes by the officials of each municipality (rows of any other one answer 404).
 */
export function createAccountabilityService({ db, record }: { db: Db; record: RecordWriter }) {
  const { today, nowIso, stamp, audited, recordChanges, reasonedChanges } = record;

  async function ownHearing(trx: Db | Knex.Transaction, ubigeo: string, id: number) {
    const h = await q.findHearing(trx, id);
    if (!h || h.ubigeo !== ubigeo) throw new NotFoundError();
    return h;
  }
  async function ownCommitment(trx: Db | Knex.Transaction, ubigeo: string, id: number) {
    const c = await q.findCommitment(trx, id, today());
    if (!c || c.ubigeo !== ubigeo) throw new NotFoundError();
    return c;
  }

  async function insertCommitment(trx: Knex.Transaction, actor: Actor, ubigeo: string, hearingId: number, input: CommitmentInput): Promise<number> {
    await ownHearing(trx, ubigeo, hearingId);
    const v = pick(input as Record<string, unknown>, COMMITMENT_FIELDS);
    if (v.status === 'cumplido' && !v.fulfilled_on) v.fulfilled_on = today();
    const at = stamp();
    const id = await q.insertCommitment(trx, { ...v, baseline_due_on: v.due_on, hearing_id: hearingId, ubigeo, is_example: false, created_at: at, updated_at: at });
    await q.addHistory(trx, { entity_type: 'commitment', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: String(v.status), progress_pct: null, note: null, ...who(actor) });
    await audited(trx, actor, 'commitment.create', 'commitment', id, ubigeo, null, v);
    return id;
  }

  async function changeCommitment(trx: Knex.Transaction, actor: Actor, ubigeo: string, before: CommitmentRow, input: CommitmentInput, reason?: string | null): Promise<boolean> {
    const v = pick(input as Record<string, unknown>, COMMITMENT_FIELDS);
    if (v.status === 'cumplido' && !v.fulfilled_on) v.fulfilled_on = before.fulfilled_on ?? today();
    if (v.status !== 'cumplido') v.fulfilled_on = null;
    const changes = reasonedChanges('commitment', before as unknown as Record<string, unknown>, v, reason);
    if (!changes.length) return false;
    await q.updateCommitment(trx, before.id, ubigeo, { ...v, updated_at: stamp() });
    await recordChanges(trx, actor, 'commitment', before.id, ubigeo, changes, reason?.trim() || null, v);
    await audited(trx, actor, 'commitment.update', 'commitment', before.id, ubigeo, pick(before as unknown as Record<string, unknown>, COMMITMENT_FIELDS), { ...v, reason: reason ?? null });
    return true;
  }

  /** A hearing's values; a hearing cannot be recorded as held on a date that has not come. */
  function hearingValues(input: HearingInput) {
    const v = pick(input as Record<string, unknown>, HEARING_FIELDS);
    if (v.state === 'realizada' && String(v.held_on) > today()) throw new ValidationError([{ field: 'state', key: 'participation:errors.hearing_future_held' }], 422);
    if ((v.state === 'no_realizada' || v.state === 'cancelada') && !v.state_reason) throw new ValidationError([{ field: 'state_reason', key: 'participation:errors.state_reason_required' }], 422);
    return v;
  }

  return {
    // ---- public reads ----
    listCommitments: (f: ListFilter) => q.listCommitments(db, f, today()),
    listHearings: (f: ListFilter) => q.listHearings(db, f),

    async hearingPage(id: number) {
      const hearing = await q.findHearing(db, id);
      if (!hearing) throw new NotFoundError();
      const [commitments, history] = await Promise.all([q.commitmentsOfHearing(db, id, today()), q.historyOf(db, 'hearing', id)]);
      return { hearing, commitments, history, reprogrammed: reprogrammings(history, 'held_on') };
    },

    async commitmentPage(id: number) {
      const commitment = await q.findCommitment(db, id, today());
      if (!commitment) throw new NotFoundError();
      const [hearing, updates, history, observations, disputes] = await Promise.all([
        q.findHearing(db, commitment.hearing_id),
        q.updatesOf(db, id),
        q.historyOf(db, 'commitment', id),
        q.publicObservations(db, 'commitment', id),
        q.disputesOf(db, 'commitment', id),
      ]);
      return { commitment, hearing, updates, history, observations, disputes, reprogrammed: reprogrammings(history, 'due_on') };
    },

    reportFile: (hearingId: number): Promise<StoredFile> => q.findHearing(db, hearingId).then((h) => storedFile(h?.report_file, h?.report_original_name, 'informe.pdf')),

    // ---- officials (municipality already checked by the route's guard; rows are re-checked here) ----
    ownHearing: (ubigeo: string, id: number) => ownHearing(db, ubigeo, id),
    ownCommitment: (ubigeo: string, id: number) => ownCommitment(db, ubigeo, id),
    updatesOf: (id: number) => q.updatesOf(db, id),

    async createHearing(actor: Actor, ubigeo: string, input: HearingInput, file: StoredFile | null): Promise<number> {
      return db.transaction(async (trx) => {
        const v = { ...hearingValues(input), report_file: file?.name ?? null, report_original_name: file?.originalName ?? null };
        const at = stamp();
        const id = await q.insertHearing(trx, { ...v, ubigeo, is_example: false, created_at: at, updated_at: at });
        await q.addHistory(trx, { entity_type: 'hearing', entity_id: id, ubigeo, at: nowIso(), kind: 'created', status: String(v.state), progress_pct: null, note: null, ...who(actor) });
        await audited(trx, actor, 'hearing.create', 'hearing', id, ubigeo, null, v);
        return id;
      });
    },

    async updateHearing(actor: Actor, ubigeo: string, id: number, input: HearingInput, file: StoredFile | null, reason?: string | null): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownHearing(trx, ubigeo, id);
        if (before.withdrawn_at) throw new ValidationError([{ field: 'reason', key: 'participation:errors.withdrawn' }], 422);
        const v: Record<string, unknown> = hearingValues(input);
        if (file) Object.assign(v, { report_file: file.name, report_original_name: file.originalName });
        const changes = reasonedChanges('hearing', before as unknown as Record<string, unknown>, v, reason);
        if (!changes.length) return;
        await q.updateHearing(trx, id, ubigeo, { ...v, updated_at: stamp() });
        await recordChanges(trx, actor, 'hearing', id, ubigeo, changes, reason?.trim() || null, { status: v.state });
        await audited(trx, actor, 'hearing.update', 'hearing', id, ubigeo, before, { ...v, reason: reason ?? null });
      });
    },

    /** A published hearing is never deleted (nor its report): it is withdrawn with a public reason. */
    async withdrawHearing(actor: Actor, ubigeo: string, id: number, reason: string): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownHearing(trx, ubigeo, id);
        if (before.withdrawn_at) return;
        await q.updateHearing(trx, id, ubigeo, { withdrawn_at: nowIso(), withdrawn_reason: reason, updated_at: stamp() });
        await q.addHistory(trx, { entity_type: 'hearing', entity_id: id, ubigeo, at: nowIso(), kind: 'withdrawn', status: before.state, progress_pct: null, note: null, reason, ...who(actor) });
        await audited(trx, actor, 'hearing.withdraw', 'hearing', id, ubigeo, { withdrawn_at: null }, { withdrawn_at: nowIso(), reason });
      });
    },

    createCommitment: (actor: Actor, ubigeo: string, hearingId: number, input: CommitmentInput) => db.transaction((trx) => insertCommitment(trx, actor, ubigeo, hearingId, input)),
    updateCommitment: (actor: Actor, ubigeo: string, id: number, input: CommitmentInput, reason?: string | null) =>
      db.transaction(async (trx) => changeCommitment(trx, actor, ubigeo, await ownCommitment(trx, ubigeo, id), input, reason)),

    async addCommitmentUpdate(actor: Actor, ubigeo: string, id: number, input: CommitmentUpdateInput): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await ownCommitment(trx, ubigeo, id);
        const v = pick(input as Record<string, unknown>, ['happened_on', 'status', 'text_es', 'text_en', 'evidence_url'] as const);
        await q.insertCommitmentUpdate(trx, { ...v, commitment_id: id, ubigeo, disputed: false, is_example: false, created_at: stamp() });
        const fulfilled = input.status === 'cumplido' ? (before.fulfilled_on ?? input.happened_on) : null;
        await q.updateCommitment(trx, id, ubigeo, { status: input.status, fulfilled_on: fulfilled, updated_at: stamp() });
        if (rankBack(before.status, input.status) && !input.reason?.trim()) throw new ValidationError([{ field: 'reason', key: 'participation:errors.reason_required' }], 422);
        await q.addHistory(trx, {
          entity_type: 'commitment',
          entity_id: id,
          ubigeo,
          at: nowIso(),
          kind: 'update',
          status: input.status,
          progress_pct: null,
          note: String(input.text_es).slice(0, 300),
          field: before.status !== input.status ? 'status' : null,
          old_value: before.status !== input.status ? before.status : null,
          new_value: before.status !== input.status ? input.status : null,
          reason: input.reason?.trim() || null,
          ...who(actor),
        });
        await audited(trx, actor, 'commitment.add_update', 'commitment', id, ubigeo, { status: before.status }, v);
      });
    },

    // used by the bulk import
    insertCommitment,
    changeCommitment,
  };
}
