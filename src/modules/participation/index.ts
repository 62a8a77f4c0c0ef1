import type { Auth } from '../../auth';
import type { Db } from '../../db';
import type { Logger } from '../../lib/logger';
import type { BackgroundJobs } from '../../lib/background';
import type { Invalidation } from '../../lib/invalidation';
import { createImportJobs, IMPORT_JOB } from './participation.jobs';
import type { PageRegistrar } from '../../web/pages';
import type { AuditService } from '../audit';
import { participationApi } from './participation.api';
import { participationHandlers } from './participation.handlers';
import { proposalHandlers } from './participation.proposal-handlers';
import { rateLimiter } from '../../web/rate-limit';
import type { RedisLink } from '../../lib/redis';
import { createBulkImport } from './participation.import';
import { createParticipationService } from './participation.service';
import { createUploads } from './participation.uploads';
import { createMefUpload } from './participation.mef';
import { createBreakdownService } from '../spending';
import { tableSource } from '../moderation';
import type { DisputePort } from '../moderation';

/** Monitors' observations, for the neutral moderation queue. */
export const observationModeration = tableSource({
  type: 'observation',
  table: 'observations',
  publishedStatus: 'published',
  contextColumns: ['entity_type', 'entity_id'],
  context: (r) => ({ page: r.entity_type === 'pb_item' ? 'pb_item' : 'commitment', params: { id: Number(r.entity_id) } }),
});

/** Residents' proposals to a participatory budget, for the neutral moderation queue (officials never moderate). */
export const proposalModeration = tableSource({
  type: 'proposal',
  table: 'pb_proposals',
  publishedStatus: 'published',
  contextColumns: ['year'],
  textColumns: ['title_es', 'title_en', 'body_en', 'location', 'social_gap'],
  context: (r) => ({ page: 'pb_proposals', params: { ubigeo: String(r.ubigeo), year: Number(r.year) } }),
});

/** Residents' questions to a convened hearing, for the neutral moderation queue. */
export const questionModeration = tableSource({
  type: 'question',
  table: 'hearing_questions',
  publishedStatus: 'published',
  contextColumns: ['hearing_id'],
  context: (r) => ({ page: 'hearing', params: { id: Number(r.hearing_id) } }),
});

export { createParticipationService, costWeightedProgress } from './participation.service';
export { progressFor } from './participation.budget';
export { HEARING_WINDOWS, HEARINGS_REQUIRED, hearingsOnTime, fulfilledOnTime, diffFields, publishedValueMoves } from './participation.rules';
export type { FieldChange } from './participation.rules';
// The public record's shared pieces (who, when) and the import guard (rate per user, one import per municipality), reused by results.
export { actorForRecord, dbStamp } from './participation.record';
export { createImportGuard } from './participation.import-guard';
export { emptyReport, readCsvRows, recordImportRun, unneutralise, withImportDefaults, writeAllOrNothing } from './participation.import-run';
export type { BulkImportDeps } from './participation.import-run';
export { createUploads } from './participation.uploads';
export type { ParticipationService } from './participation.service';
export { runDigests, unsubscribeToken, verifyUnsubscribeToken } from './participation.digests';
export { seedExamples } from './participation.examples';
export { PARTICIPATION_DATASETS } from './participation.datasets';
export { createBulkImport } from './participation.import';
export type { ImportReport as BulkImportReport, RowError as BulkRowError } from './participation.import';
export type { RecordChange } from './participation.queries';

export interface ParticipationOptions {
  uploadsDir: string;
  uploadMaxBytes: number;
  importsPerHour: number;
  /** Most data rows a web CSV upload may have (IMPORT_MAX_ROWS). */
  importMaxRows: number;
  secret: string;
  mefAllowSynthetic?: boolean;
  /** Per-account limits of residents' posts (proposals, supports, ballot POSTs), per hour. */
  limits?: Partial<ProposalLimits>;
}

/** Per-account hourly limits of what residents post in a participatory budget (one limiter: web/rate-limit.ts). */
export interface ProposalLimits {
  proposalsPerHour: number;
  supportsPerHour: number;
  ballotPostsPerHour: number;
  questionsPerHour: number;
}
export const DEFAULT_PROPOSAL_LIMITS: ProposalLimits = { proposalsPerHour: 10, supportsPerHour: 120, ballotPostsPerHour: 60, questionsPerHour: 10 };

/** Participatory budget and accountability: public pages and API, officials' forms, follows and observations. */
export function createParticipationModule({
  db,
  auth,
  audit,
  logger,
  clock,
  options,
  jobs,
  invalidation,
  redis = null,
}: {
  db: Db;
  auth: Auth;
  audit: AuditService;
  logger: Logger;
  clock: () => number;
  options: ParticipationOptions;
  /** Where web uploads are queued (and where their job is defined). */
  jobs: BackgroundJobs;
  /** Told when a queued import has changed public data. */
  invalidation: Invalidation;
  /** Shared rate-limit counters (REDIS_URL). */
  redis?: RedisLink | null;
}) {
  const service = createParticipationService({ db, audit, clock });
  const uploads = createUploads({ dir: options.uploadsDir, maxBytes: options.uploadMaxBytes });
  const bulk = createBulkImport({ db, service, audit, clock, perHour: options.importsPerHour, maxRows: options.importMaxRows });
  const mef = createMefUpload({ db, audit, dir: options.uploadsDir, clock, perHour: options.importsPerHour, allowSynthetic: options.mefAllowSynthetic });
  const importJobs = createImportJobs({ db, jobs, bulk, mef, clock, onImported: () => invalidation.invalidate() });
  jobs.define(IMPORT_JOB, importJobs.handle);
  const h = participationHandlers({ service, uploads, bulk, logger, secret: options.secret, mef, breakdown: createBreakdownService({ db }), importJobs });
  const { requireRole, requireMunicipality } = auth.guards;
  const official = [requireRole('official', 'admin'), requireMunicipality('ubigeo')];
  const resident = requireRole('resident', 'monitor');
  const limits = { ...DEFAULT_PROPOSAL_LIMITS, ...options.limits };
  const perHour = (name: string, limit: number) => rateLimiter({ logger, redis }, { name, windowMs: 3_600_000, limit, per: 'user' });
  const p = proposalHandlers({ proposals: service.proposals, questions: service.questions, logger });
  const disputes: DisputePort = { open: () => service.openDisputes(), resolve: (actor, id, resolution, reason) => service.resolveDispute(actor, id, resolution, reason) };
  return {
    service,
    disputes,
    registerPages(reg: PageRegistrar) {
      reg.page('pb_items', h.items);
      reg.page('pb_item', h.item);
      reg.page('pb_evidence', h.evidence);
      reg.page('pb_proposal', p.show); // before pb_process: /propuestas/:id has two segments too
      reg.route('post', 'pb_proposal_support', [resident, perHour('proposal_support', limits.supportsPerHour)], p.support);
      reg.page('pb_process', h.process);
      reg.page('pb_proposals', p.list);
      reg.route('get', 'pb_proposal_new', [resident], p.form);
      reg.route('post', 'pb_proposal_new', [resident, perHour('proposal', limits.proposalsPerHour)], p.submit);
      reg.route('get', 'pb_ballot', [resident], p.ballot);
      reg.route('post', 'pb_ballot', [resident, perHour('ballot', limits.ballotPostsPerHour)], p.vote);
      reg.page('pb_results', p.results);
      reg.page('pb_pabulib', p.pabulib);
      reg.page('hearings', h.hearings);
      reg.page('commitments', h.commitments);
      reg.page('hearing', h.hearing);
      reg.page('hearing_report', h.report);
      reg.page('commitment', h.commitment);
      reg.page('delivery', h.delivery);
      reg.page('unsubscribe', h.unsubscribe);
      reg.route('post', 'follow', [requireRole('resident', 'monitor')], h.follow, { quiet: true }); // changes no public page
      reg.route('post', 'unfollow', [requireRole('resident', 'monitor')], h.unfollow, { quiet: true });
      reg.route('post', 'observe', [requireRole('monitor')], h.observe);
      reg.route('post', 'dispute', [requireRole('monitor')], h.dispute);
      reg.route('get', 'manage_participation', official, h.manage);
      reg.route('get', 'manage_process_new', official, h.processForm);
      reg.route('post', 'manage_process_new', official, h.saveProcess);
      reg.route('get', 'manage_process', official, h.processForm);
      reg.route('post', 'manage_process', official, h.saveProcess);
      reg.route('get', 'manage_item_new', official, h.itemForm);
      reg.route('post', 'manage_item_new', official, h.saveItem);
      reg.route('get', 'manage_item', official, h.itemForm);
      reg.route('post', 'manage_item', official, h.saveItem);
      reg.route('post', 'manage_item_withdraw', official, h.withdrawItem);
      reg.route('post', 'manage_milestone', [...official, uploads.single('evidence_file')], h.addMilestone);
      reg.route('get', 'manage_hearing_new', official, h.hearingForm);
      reg.route('post', 'manage_hearing_new', [...official, uploads.single('report')], h.saveHearing);
      reg.route('get', 'manage_hearing', official, h.hearingForm);
      reg.route('post', 'manage_hearing', [...official, uploads.single('report')], h.saveHearing);
      reg.route('post', 'manage_hearing_withdraw', official, h.withdrawHearing);
      reg.route('post', 'manage_commitment_new', official, h.addCommitment);
      reg.route('get', 'manage_commitment', official, h.commitmentForm);
      reg.route('post', 'manage_commitment', official, h.saveCommitment);
      reg.route('post', 'manage_commitment_update', official, h.addCommitmentUpdate);
      reg.route('post', 'manage_observation', official, h.answerObservation);
      reg.route('post', 'manage_dispute', official, h.answerDispute);
      reg.route('post', 'manage_import', [...official, uploads.single('file')], h.bulkImport);
      reg.route('post', 'manage_mef', [...official, uploads.single('file')], h.mefUpload);
      reg.route('get', 'manage_mef_status', official, h.mefStatus);
      reg.route('get', 'manage_job', official, h.job);
      reg.route('get', 'manage_proposals', official, p.manage);
      reg.route('post', 'manage_proposal_review', official, p.review);
      reg.route('post', 'manage_tally', official, p.tally);
      reg.route('post', 'manage_winners', official, p.winners);
      reg.route('post', 'hearing_question', [resident, perHour('hearing_question', limits.questionsPerHour)], p.ask);
      reg.route('post', 'manage_question_answer', official, p.answer);
    },
    api: participationApi(service),
  };
}
