import type { Db } from '../../db';
import { AppError, NotFoundError } from '../../lib/errors';
import type { AuditService } from '../audit';
import { createAccountabilityService } from './participation.accountability';
import { createBudgetService } from './participation.budget';
import { createMonitoringService } from './participation.monitoring';
import * as q from './participation.queries';
import { createProposalService } from './participation.proposals';
import { createQuestionService } from './participation.questions';
import { createRecordWriter } from './participation.record';
import { fulfilledOnTime, hearingsOnTime } from './participation.rules';
import { COMMITMENT_STATUSES, ITEM_STATUSES, ItemRow } from './participation.types';

export interface Deps {
  db: Db;
  audit: AuditService;
  clock?: () => number;
}

/** The public record pages the sitemap lists. */
export interface PublicPages {
  items: number[];
  processes: Array<{ ubigeo: string; year: number }>;
  hearings: number[];
  commitments: number[];
  /** Published proposals. */
  proposals: number[];
  /** Processes with published proposals: their proposals and results pages. */
  proposalProcesses: Array<{ ubigeo: string; year: number }>;
}

export class ConflictError extends AppError {
  constructor(key = 'participation:errors.import_running') {
    super(key, 409);
  }
}

/** Cost-weighted mean progress of items (0–100), null without items. */
export function costWeightedProgress(items: Array<Pick<ItemRow, 'total_cost' | 'progress_pct'>>): number | null {
  const cost = items.reduce((s, i) => s + i.total_cost, 0);
  if (!items.length) return null;
  if (!cost) return items.reduce((s, i) => s + i.progress_pct, 0) / items.length;
  return items.reduce((s, i) => s + i.total_cost * i.progress_pct, 0) / cost;
}

/**
 * Participatory budget (processes, prioritised items, milestones: participation.budget.ts) and
 * accountability (hearings, commitments, updates: participation.accountability.ts), with what
 * residents and monitors do (participation.monitoring.ts), as one service: the pages that read
 * across them (a municipality's delivery, the officials' overview) live here. Every changing
 * method takes the municipality the official acts for and answers 404 for rows of any other one.
 */
/**
 * A municipality's participation counted once, for the delivery page and the municipality page
 * alike: items by status, the required hearings held on time per year, and the commitments due
 * by their baseline date and fulfilled by it.
 */
export function atAGlance(
  rows: {
    items: Array<{ status: string; year: number; is_example: boolean }>;
    hearings: Array<{ held_on: string; state: string; withdrawn_at?: string | null; is_example: boolean }>;
    commitments: Array<{ status: string; fulfilled_on: string | null; baseline_due_on: string; is_example: boolean }>;
  },
  today: string,
) {
  const { items, hearings, commitments } = rows;
  const byStatus = Object.fromEntries(ITEM_STATUSES.map((s) => [s, items.filter((i) => i.status === s).length]));
  const years = [...new Set([...hearings.map((h) => Number(h.held_on.slice(0, 4))), ...items.map((i) => i.year)])].sort((a, b) => b - a);
  const hearingYears = years.map((year) => ({ year, ...hearingsOnTime(hearings, year, today) }));
  // Judged against the baseline: a commitment is due from its first published due date.
  const due = commitments.filter((c) => c.baseline_due_on <= today);
  const onTime = due.filter(fulfilledOnTime).length;
  const hasExamples = items.some((i) => i.is_example) || hearings.some((h) => h.is_example) || commitments.some((c) => c.is_example);
  return { byStatus, hearingYears, due, onTime, dueCount: due.length, hasExamples };
}

export function createParticipationService({ db, audit, clock = Date.now }: Deps) {
  const record = createRecordWriter({ audit, clock });
  const { today } = record;
  const budget = createBudgetService({ db, record });

  return {
    today,
    ...budget,
    /** Residents' proposals, the technical review, the ballot, the workshop tally and the results (issue 13). */
    proposals: createProposalService({ db, record, insertItem: budget.insertItem }),
    /** Residents' questions to convened hearings, and the answers given at them (issue 13). */
    questions: createQuestionService({ db, record }),
    ...createAccountabilityService({ db, record }),
    // ---- residents and monitors: follows, observations, disputes ----
    ...createMonitoringService({ db, audit, clock }),

    /** A municipality's delivery: items by status, cost-weighted progress, hearings held in May and September, commitments fulfilled on time. */
    /** The municipality page's "at a glance": the summary's counts, from narrow reads. */
    async glance(ubigeo: string) {
      return atAGlance(await q.glanceRows(db, ubigeo), today());
    },

    async summary(ubigeo: string) {
      const [items, hearings, commitments] = await Promise.all([q.listItems(db, { ubigeo }, today()), q.listHearings(db, { ubigeo }), q.listCommitments(db, { ubigeo }, today())]);
      const { byStatus, hearingYears, due, onTime, hasExamples } = atAGlance({ items, hearings, commitments }, today());
      const commitmentsByStatus = Object.fromEntries(COMMITMENT_STATUSES.map((s) => [s, commitments.filter((c) => c.status === s).length]));
      return {
        items,
        hearings,
        commitments,
        byStatus,
        progress: costWeightedProgress(items),
        totalCost: items.reduce((s, i) => s + i.total_cost, 0),
        overdueItems: items.filter((i) => i.overdue).length,
        hearingYears,
        commitmentsByStatus,
        dueCount: due.length,
        onTime,
        onTimePct: due.length ? (onTime / due.length) * 100 : null,
        overdueCommitments: commitments.filter((c) => c.overdue).length,
        hasExamples,
      };
    },

    /**
     * Every public record page (ids and process keys) for the sitemap: published proposals, and
     * the proposals and results pages of the processes that have published proposals.
     */
    async publicPages(): Promise<PublicPages> {
      const [items, processes, hearings, commitments, proposals, withProposals] = await Promise.all([
        db('pb_items').select('id').orderBy('id'),
        db('pb_processes').select('ubigeo', 'year').orderBy(['ubigeo', 'year']),
        db('hearings').select('id').orderBy('id'),
        db('commitments').select('id').orderBy('id'),
        db('pb_proposals').select('id').where({ status: 'published' }).orderBy('id'),
        db('pb_processes as pr')
          .select('pr.ubigeo', 'pr.year')
          .whereExists(db('pb_proposals as p').select(db.raw('1')).whereRaw('p.process_id = pr.id').where('p.status', 'published'))
          .orderBy(['pr.ubigeo', 'pr.year']),
      ]);
      const ids = (rows: Array<{ id: number | string }>) => rows.map((r) => Number(r.id));
      const keys = (rows: Array<{ ubigeo: string; year: number | string }>) => rows.map((p) => ({ ubigeo: String(p.ubigeo), year: Number(p.year) }));
      return { items: ids(items), processes: keys(processes), hearings: ids(hearings), commitments: ids(commitments), proposals: ids(proposals), proposalProcesses: keys(withProposals) };
    },

    /** District, province and department names of a municipality (page titles tell same-named ones apart). */
    async municipalityPlace(ubigeo: string): Promise<{ district: string; province: string; department: string }> {
      const m = await db('municipalities as m')
        .join('provinces as p', 'p.code', 'm.province_code')
        .join('departments as d', 'd.code', 'm.department_code')
        .select('m.district', 'p.name as province', 'd.name as department')
        .where('m.ubigeo', ubigeo)
        .first();
      if (!m) throw new NotFoundError();
      return { district: String(m.district), province: String(m.province), department: String(m.department) };
    },

    async municipalityName(ubigeo: string): Promise<string> {
      const name = await q.municipalityDistrict(db, ubigeo);
      if (name == null) throw new NotFoundError();
      return name;
    },

    // ---- officials (municipality already checked by the route's guard) ----
    async manageOverview(ubigeo: string) {
      const [processes, items, hearings, commitments] = await Promise.all([
        q.listProcesses(db, ubigeo),
        q.listItems(db, { ubigeo }, today()),
        q.listHearings(db, { ubigeo }),
        q.listCommitments(db, { ubigeo }, today()),
      ]);
      const [observations, disputes] = await Promise.all([q.observationsToAnswer(db, ubigeo), q.disputesToAnswer(db, ubigeo)]);
      return { processes, items, hearings, commitments, observations, disputes };
    },
  };
}

export type ParticipationService = ReturnType<typeof createParticipationService>;
