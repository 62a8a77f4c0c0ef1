import type { Auth } from '../../auth';
import type { Db } from '../../db';
import type { BackgroundJobs } from '../../lib/background';
import type { Invalidation } from '../../lib/invalidation';
import { createImportJobs, IMPORT_JOB } from './participation.jobs';
import type { PageRegistrar } from '../../web/pages';
import type { AuditService } from '../audit';
import { participationApi } from './participation.api';
import { participationHandlers } from './participation.handlers';
import { proposalHandlers } from './participation.proposal-handlers';
import { rateLimiter, type RateLimitContext } from '../../web/rate-limit';
import { createBulkImport } from './participation.import';
import { createParticipationService } from './participation.service';
import { createUploads } from './participation.uploads';
import { createMefUpload } from './participation.mef';
import { createBreakdownService } from '../spending';
import { tableSource } from '../moderation';
import type { DisputePort } from '../moderation';
import type { RequestHandler } from 'express';
import { lngOf } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import { FollowForm } from './participation.schemas';
import type { DigestPreferencesPort } from './participation.types';

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

/** Residents' comments on a published proposal, for the neutral moderation queue. */
export const proposalCommentModeration = tableSource({
  type: 'proposal_comment',
  table: 'pb_proposal_comments',
  publishedStatus: 'published',
  contextColumns: ['proposal_id'],
  context: (r) => ({ page: 'pb_proposal', params: { id: Number(r.proposal_id) } }),
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
export type { ParticipationService, PublicPages } from './participation.service';
export { runDigests, unsubscribeToken, verifyUnsubscribeToken } from './participation.digests';
export type { DigestFrequency, DigestPreferencesPort } from './participation.types';
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
  /** Per-account limits of residents' posts (proposals, supports, ballot POSTs, questions, comments), per hour. */
  limits?: Partial<ProposalLimits>;
}

/** Per-account hourly limits of what residents post in a participatory budget (one limiter: web/rate-limit.ts). */
export interface ProposalLimits {
  proposalsPerHour: number;
  supportsPerHour: number;
  ballotPostsPerHour: number;
  questionsPerHour: number;
  commentsPerHour: number;
}
export const DEFAULT_PROPOSAL_LIMITS: ProposalLimits = { proposalsPerHour: 10, supportsPerHour: 120, ballotPostsPerHour: 60, questionsPerHour: 10, commentsPerHour: 20 };

/** What the participation module needs. */
export interface ParticipationModuleDeps extends RateLimitContext {
  db: Db;
  auth: Auth;
  audit: AuditService;
  clock: () => number;
  options: ParticipationOptions;
  /** Where web uploads are queued (and where their job is defined). */
  jobs: BackgroundJobs;
  /** Told when a queued import has changed public data. */
  invalidation: Invalidation;
  /** Keeps each user's digest frequency (accounts module). */
  digestPreferences: DigestPreferencesPort;
}

/** Participatory budget and accountability: public pages and API, officials' forms, follows and observations. */
export function createParticipationModule({ db, auth, audit, logger, clock, options, jobs, invalidation, redis = null, digestPreferences }: ParticipationModuleDeps) {
  const service = createParticipationService({ db, audit, clock });
  const uploads = createUploads({ dir: options.uploadsDir, maxBytes: options.uploadMaxBytes });
  const bulk = createBulkImport({ db, service, audit, clock, perHour: options.importsPerHour, maxRows: options.importMaxRows });
  const mef = createMefUpload({ db, audit, dir: options.uploadsDir, clock, perHour: options.importsPerHour, allowSynthetic: options.mefAllowSynthetic });
  const importJobs = createImportJobs({ db, jobs, bulk, mef, clock, onImported: () => invalidation.invalidate() });
  jobs.define(IMPORT_JOB, importJobs.handle);
  const h = participationHandlers({ service, uploads, bulk, logger, secret: options.secret, mef, breakdown: createBreakdownService({ db }), importJobs, digests: digestPreferences });
  const { requireRole, requireMunicipality } = auth.guards;
  const official = [requireRole('official', 'admin'), requireMunicipality('ubigeo')];
  const resident = requireRole('resident', 'monitor');
  const limits = { ...DEFAULT_PROPOSAL_LIMITS, ...options.limits };
  /** A follow posted without a signed-in user: to the sign-in page (302, as every guarded route), which returns to the followed page. */
  const signInToFollow: RequestHandler = (req, res, next) => {
    if (req.user) return next();
    res.set('Cache-Control', 'no-store');
    const lng = lngOf(res, req.originalUrl);
    const f = FollowForm.safeParse(req.body ?? {});
    const page = f.success ? service.followedPage(f.data.entity_type, f.data.entity_id) : Promise.resolve(null);
    page.then((p) => res.redirect(302, pageUrl(lng, 'login', {}, { returnTo: p ? pageUrl(lng, p.name, p.params) : pageUrl(lng, 'home') })), next);
  };
  const perHour = (name: string, limit: number) => rateLimiter({ logger, redis }, { name, windowMs: 3_600_000, limit, per: 'user' });
  const p = proposalHandlers({ proposals: service.proposals, questions: service.questions, uploads, logger, placeOf: (ubigeo) => service.municipalityPlace(ubigeo) });
  const disputes: DisputePort = { open: () => service.openDisputes(), resolve: (actor, id, resolution, reason) => service.resolveDispute(actor, id, resolution, reason) };
  return {
    service,
    disputes,
    registerPages(reg: PageRegistrar) {
      // Within a method the order counts: pb_item, pb_evidence and pb_proposal before pb_process (two segments too), the `_new` forms before their `:id`.
      reg.pages({
        pb_items: h.items,
        pb_item: h.item,
        pb_evidence: h.evidence,
        pb_proposal: p.show,
        pb_process: h.process,
        pb_proposals: p.list,
        pb_results: p.results,
        pb_pabulib: p.pabulib,
        pb_workshop_act: p.act,
        hearings: h.hearings,
        commitments: h.commitments,
        hearing: h.hearing,
        hearing_report: h.report,
        commitment: h.commitment,
        delivery: h.delivery,
        unsubscribe: h.unsubscribe,
      });
      // Residents' forms; each of their posts has its own hourly limit.
      reg.routes('get', [resident], { pb_proposal_new: p.form, pb_ballot: p.ballot });
      reg.routes('post', [resident, perHour('proposal_support', limits.supportsPerHour)], { pb_proposal_support: p.support });
      reg.routes('post', [resident, perHour('proposal_comment', limits.commentsPerHour)], { pb_proposal_comment: p.comment });
      reg.routes('post', [resident, perHour('proposal', limits.proposalsPerHour)], { pb_proposal_new: p.submit });
      reg.routes('post', [resident, perHour('ballot', limits.ballotPostsPerHour)], { pb_ballot: p.vote });
      reg.routes('post', [resident, perHour('hearing_question', limits.questionsPerHour)], { hearing_question: p.ask });
      // Follows change no public page; an anonymous visitor is sent to sign in (and back to the page).
      reg.routes('post', [signInToFollow, requireRole('resident', 'monitor')], { follow: h.follow, unfollow: h.unfollow }, { quiet: true });
      reg.routes('get', [requireRole('resident', 'monitor')], { account_news: h.news });
      reg.routes('post', [requireRole('monitor')], { observe: h.observe, dispute: h.dispute });
      reg.routes('get', official, {
        manage_participation: h.manage,
        manage_process_new: h.processForm,
        manage_process: h.processForm,
        manage_item_new: h.itemForm,
        manage_item: h.itemForm,
        manage_hearing_new: h.hearingForm,
        manage_hearing: h.hearingForm,
        manage_commitment: h.commitmentForm,
        manage_mef_status: h.mefStatus,
        manage_job: h.job,
        manage_proposals: p.manage,
      });
      reg.routes('post', official, {
        manage_process_new: h.saveProcess,
        manage_process: h.saveProcess,
        manage_item_new: h.saveItem,
        manage_item: h.saveItem,
        manage_item_withdraw: h.withdrawItem,
        manage_hearing_withdraw: h.withdrawHearing,
        manage_commitment_new: h.addCommitment,
        manage_commitment: h.saveCommitment,
        manage_commitment_update: h.addCommitmentUpdate,
        manage_observation: h.answerObservation,
        manage_dispute: h.answerDispute,
        manage_proposal_review: p.review,
        manage_winners: p.winners,
        manage_question_answer: p.answer,
      });
      // Uploads: the file parser runs after the guards.
      reg.routes('post', [...official, uploads.single('evidence_file')], { manage_milestone: h.addMilestone });
      reg.routes('post', [...official, uploads.single('report')], { manage_hearing_new: h.saveHearing, manage_hearing: h.saveHearing });
      reg.routes('post', [...official, uploads.single('file')], { manage_import: h.bulkImport, manage_mef: h.mefUpload });
      reg.routes('post', [...official, uploads.single('act')], { manage_tally: p.tally });
    },
    api: participationApi(service),
  };
}
