import { CommitmentForm, HearingForm, ItemForm, ProcessForm } from './participation.schemas';
import { PHASES } from './participation.types';

/**
 * The rules of the public record that other modules (the results score) must apply exactly as
 * the participation pages do. Each lives here once; the score imports them through `index.ts`.
 */

// ---------------------------------------------------------------- hearings held on time

/** States of a hearing: convened first, then held, not held or cancelled. */
export { HEARING_STATES } from './participation.types';
export type { HearingState } from './participation.types';

/**
 * Ley 27972 art. 119-A (Ley 31433) asks for two hearings a year, in May and September. A year's
 * first hearing is on time when held by 31 May, the second when held between 1 June and
 * 30 September. Dates are month-day parts of ISO dates.
 */
export const HEARING_WINDOWS = [
  { key: 'first', from: '01-01', to: '05-31' },
  { key: 'second', from: '06-01', to: '09-30' },
] as const;
export type HearingWindow = (typeof HEARING_WINDOWS)[number]['key'];
export const HEARINGS_REQUIRED = HEARING_WINDOWS.length;

/** A hearing counts only once held: state `realizada`, not withdrawn, and not in the future. */
export function countsAsHeld(h: { state: string; held_on: string; withdrawn_at?: string | null }, today: string): boolean {
  return h.state === 'realizada' && !h.withdrawn_at && h.held_on <= today;
}

/** The legal window a date falls in, or null (October to December). */
export function hearingWindowOf(date: string): HearingWindow | null {
  const md = date.slice(5, 10);
  return HEARING_WINDOWS.find((w) => md >= w.from && md <= w.to)?.key ?? null;
}

/** For one year: which windows had a hearing held in them, and how many of the two were met. */
export function hearingsOnTime(hearings: Array<{ state: string; held_on: string; withdrawn_at?: string | null }>, year: number, today: string): { first: boolean; second: boolean; onTime: number } {
  const held = hearings.filter((h) => h.held_on.startsWith(`${year}-`) && countsAsHeld(h, today)).map((h) => hearingWindowOf(h.held_on));
  const first = held.includes('first');
  const second = held.includes('second');
  return { first, second, onTime: Number(first) + Number(second) };
}

// ---------------------------------------------------------------- baselines and reasons

/** Status order: a change to a lower rank goes backwards and needs a reason. */
const STATUS_RANK: Record<string, number> = {
  en_formulacion: 0,
  en_ejecucion: 1,
  paralizado: 1,
  culminado: 2,
  pendiente: 0,
  en_proceso: 1,
  cumplido: 2,
  incumplido: 2,
  convocada: 0,
  realizada: 1,
  no_realizada: 1,
  cancelada: 1,
};

/** A status change to a lower rank (e.g. culminado → en_ejecucion) goes backwards. */
export function statusGoesBack(from: string | null, to: string | null): boolean {
  return from != null && (STATUS_RANK[to ?? ''] ?? 0) < (STATUS_RANK[from] ?? 0);
}

/** Fields of each record kind kept in the public history, and which of them are dates, money, status or progress. */
export const RECORD_FIELDS = {
  pb_process: {
    tracked: Object.keys(ProcessForm.shape),
    dates: ['preparacion_start', 'preparacion_end', 'concertacion_start', 'concertacion_end', 'coordinacion_start', 'coordinacion_end', 'formalizacion_start', 'formalizacion_end'],
    money: ['budget_envelope'],
  },
  pb_item: {
    tracked: Object.keys(ItemForm.shape),
    dates: ['start_date', 'planned_end', 'finished_on'],
    money: ['total_cost', 'pia_amount'],
  },
  hearing: {
    tracked: [...Object.keys(HearingForm.shape), 'report_file'],
    dates: ['held_on', 'period_from', 'period_to'],
    money: [],
  },
  commitment: { tracked: Object.keys(CommitmentForm.shape), dates: ['due_on', 'fulfilled_on'], money: [] },
} as const satisfies Record<string, { tracked: readonly string[]; dates: readonly string[]; money: readonly string[] }>;
export type RecordKind = keyof typeof RECORD_FIELDS;

/** Fields whose move is a reprogramming of the promise (counted and shown against the baseline). */
export const DEADLINE_FIELD: Partial<Record<RecordKind, string>> = { pb_item: 'planned_end', commitment: 'due_on', hearing: 'held_on' };

export interface FieldChange {
  field: string;
  old: string | null;
  new: string | null;
}

const norm = (v: unknown): string | null => (v == null || v === '' ? null : typeof v === 'boolean' ? String(v) : String(v));
const NUMERIC = /^-?\d+(\.\d+)?$/;
/** Equal as stored: '12.50' and 12.5 are the same number; blank and null are both "not given". */
const same = (a: unknown, b: unknown) => {
  const x = norm(a);
  const y = norm(b);
  if (x === y) return true;
  return x != null && y != null && NUMERIC.test(x) && NUMERIC.test(y) && Number(x) === Number(y);
};

/** The fields of `tracked` that differ between the stored row and the new values (any record of the portal). */
export function diffFields(tracked: readonly string[], before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  return tracked.filter((f) => f in after && !same(before[f], after[f])).map((f) => ({ field: f, old: norm(before[f]), new: norm(after[f]) }));
}

/** The tracked fields that differ between the stored row and the new values. */
export function changedFields(kind: RecordKind, before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  return diffFields(RECORD_FIELDS[kind].tracked, before, after);
}

/** A published value that moves needs a public reason; a value filled in for the first time does not. */
export const publishedValueMoves = (c: FieldChange): boolean => c.old != null;

/**
 * Which changes need a public reason: a published date or amount that moves (a value filled in
 * for the first time does not), a status that goes backwards, progress that goes down.
 */
export function changesNeedingReason(kind: RecordKind, changes: FieldChange[]): string[] {
  const spec = RECORD_FIELDS[kind];
  return changes
    .filter((c) => {
      if ((spec.dates as readonly string[]).includes(c.field) || (spec.money as readonly string[]).includes(c.field)) return publishedValueMoves(c);
      if (c.field === 'status' || c.field === 'state') return statusGoesBack(c.old, c.new);
      if (c.field === 'progress_pct') return c.old != null && Number(c.new ?? 0) < Number(c.old);
      return false;
    })
    .map((c) => c.field);
}

/** How many times a published deadline moved, from the public history. */
export function reprogrammingCount(history: Array<{ kind: string; field?: string | null; old_value?: string | null }>, field: string): number {
  return history.filter((h) => h.kind === 'changed' && h.field === field && h.old_value != null).length;
}

/** Overdue: the baseline (first published) end has passed and the item is not finished. */
export function itemOverdue(i: { baseline_planned_end: string | null; status: string; finished_on: string | null }, today: string): boolean {
  return i.baseline_planned_end != null && i.baseline_planned_end < today && i.status !== 'culminado' && i.finished_on == null;
}

/** Overdue: the baseline due date has passed and the commitment is not fulfilled. */
export function commitmentOverdue(c: { baseline_due_on: string; status: string }, today: string): boolean {
  return c.baseline_due_on < today && c.status !== 'cumplido';
}

/** Fulfilled on time: cumplido by its baseline (first published) due date. Moving the date never helps. */
export function fulfilledOnTime(c: { status: string; fulfilled_on: string | null; baseline_due_on: string }): boolean {
  return c.status === 'cumplido' && c.fulfilled_on != null && c.fulfilled_on <= c.baseline_due_on;
}

// ---------------------------------------------------------------- phases of a process and what residents can do

/** Where a process stands on a day: one of its phases, before the first, between two, or after the last. */
export type ProcessMoment = (typeof PHASES)[number] | 'before' | 'between' | 'after' | 'undated';

/**
 * The current phase of a process, from its dates (calendar days, both ends included): the phase
 * whose start ≤ today ≤ end (an open end lasts until the next phase starts); before the first
 * start, `before`; after the last end, `after`; in a gap between phases, `between`; without dates,
 * `undated`.
 */
export function currentPhase(p: Partial<Record<`${(typeof PHASES)[number]}_${'start' | 'end'}`, string | null>>, today: string): ProcessMoment {
  const dated = PHASES.filter((ph) => p[`${ph}_start`]);
  if (!dated.length) return 'undated';
  for (let i = dated.length - 1; i >= 0; i--) {
    const ph = dated[i];
    if (p[`${ph}_start`]! <= today) {
      const end = p[`${ph}_end`];
      if (!end || today <= end) return ph;
      return i === dated.length - 1 ? 'after' : 'between';
    }
  }
  return 'before';
}

/**
 * What a signed-in confirmed resident can do in each moment of the participatory budget (one rule):
 * during **preparación** the municipality takes and shows proposals (submit, support); during
 * **concertación** (the workshops of the agentes participantes) the online ballot is open for the
 * feasible proposals; from **coordinación** on, results are final and public. Following and reading
 * are always possible.
 */
export function residentActions(moment: ProcessMoment): { propose: boolean; support: boolean; vote: boolean; resultsFinal: boolean } {
  return {
    propose: moment === 'preparacion',
    support: moment === 'preparacion',
    vote: moment === 'concertacion',
    resultsFinal: moment === 'coordinacion' || moment === 'formalizacion' || moment === 'after',
  };
}

// ---------------------------------------------------------------- prioritisation: ballot + workshop

/** A ballot fits the envelope when the reviewed costs of its choices add up to at most the envelope. */
export function fitsEnvelope(costs: number[], envelope: number): boolean {
  return costs.reduce((s, c) => s + c, 0) <= envelope;
}

/**
 * Who wins (one rule, shown on the results page): each feasible proposal's **score** is its share
 * of the online ballots (ballots that chose it ÷ ballots cast) plus its share of the workshop
 * (votes of the agentes participantes for it ÷ all workshop votes), so both ways weigh the same
 * however many took part in each. Proposals are taken in order of score (ties: more ballots, then
 * lower cost, then older) while their reviewed cost still fits what is left of the envelope; one
 * that does not fit is skipped and the next is tried (greedy, as most participatory budgets do).
 */
export function prioritise<T extends { id: number; cost: number; ballots: number; workshop: number }>(
  proposals: T[],
  envelope: number,
  ballotsCast: number,
): { ranked: Array<T & { score: number; rank: number; wins: boolean }>; spent: number } {
  const workshopVotes = proposals.reduce((s, p) => s + p.workshop, 0);
  const scored = proposals
    .map((p) => ({ ...p, score: (ballotsCast ? p.ballots / ballotsCast : 0) + (workshopVotes ? p.workshop / workshopVotes : 0) }))
    .sort((a, b) => b.score - a.score || b.ballots - a.ballots || a.cost - b.cost || a.id - b.id);
  let spent = 0;
  const ranked = scored.map((p, i) => {
    const wins = p.score > 0 && spent + p.cost <= envelope;
    if (wins) spent += p.cost;
    return { ...p, rank: i + 1, wins };
  });
  return { ranked, spent };
}

// ---------------------------------------------------------------- questions to a hearing

/** Topics residents group their questions by (participation.types.ts). */
export { QUESTION_TOPICS } from './participation.types';

/** The last day residents may ask: the day before the hearing (the official reads them beforehand). */
export function questionsDeadline(heldOn: string): string {
  const d = new Date(`${heldOn}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Questions are taken while the hearing is convened (not withdrawn) and until its deadline. */
export function questionsOpen(h: { state: string; held_on: string; withdrawn_at?: string | null }, today: string): boolean {
  return h.state === 'convocada' && !h.withdrawn_at && today <= questionsDeadline(h.held_on);
}
