import fs from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { Express } from 'express';
import type { i18n as I18n } from 'i18next';
import pinoHttp from 'pino-http';
import type { Config } from './config';
import type { Db } from './db';
import { negotiateLanguage } from './i18n';
import { createAuth, createPasswordHasher } from './auth';
import { Logger, urlForLog } from './lib/logger';
import { BackgroundJobs, createBackgroundJobs } from './lib/background';
import { createInvalidation, Invalidation } from './lib/invalidation';
import { createMailer, MailMessage, Mailer } from './lib/mailer';
import type { RedisLink } from './lib/redis';
import { createAccountsModule, createAccountsService, DEFAULT_FORM_LIMITS, DEFAULT_THROTTLE, FormLimits } from './modules/accounts';
import { createAdminModule } from './modules/admin';
import { createAuditService } from './modules/audit';
import { createModerationModule } from './modules/moderation';
import { createParticipationModule, observationModeration, PARTICIPATION_DATASETS, proposalCommentModeration, proposalModeration, questionModeration } from './modules/participation';
import { commentModeration, createFeedbackModule, createFeedbackService, DEFAULT_FEEDBACK_LIMITS, FeedbackLimits, quarterOf } from './modules/feedback';
import { createMunicipalitiesModule, createMunicipalitiesService } from './modules/municipalities';
import { createResultsModule, indicatorInputs, RESULTS_DATASETS } from './modules/results';
import { createScoresModule, createScoresService, SCORE_DATASETS } from './modules/scores';
import { createSiteModule } from './modules/site';
import { createDiscoveryModule } from './modules/discovery';
import { createBreakdownService, createHistoryService, createSpendingModule, createSpendingService, historyView, MEF_GASTO_FILE_JOB, mefGastoFileJob } from './modules/spending';
import { createRevenueService } from './modules/revenue';
import { versionScope } from './lib/data-memo';
import type { ApiOperation } from './lib/api';
import { createApiRouter, DataVersions } from './web/api';
import { apiDocsPage } from './web/api-docs';
import { errorHandler, notFound } from './web/errors';
import { healthRouter, Lifecycle } from './web/health';
import { createPageRegistrar, languageRouters } from './web/pages';
import { cacheControl, staticAssets } from './web/caching';
import { compressWholeBodies, GZIP_LEVEL } from './web/compress';
import { createResponseCache } from './web/response-cache';
import { cspNonce, securityHeaders } from './web/security';
import { canonicalPaths } from './web/seo';
import { createViewEngine } from './web/views';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  i18n: I18n;
  lifecycle?: Lifecycle;
  /** Milliseconds since the epoch; tests move it to check session timeouts. */
  clock?: () => number;
  mailer?: Mailer;
  /** Where requests leave work they do not wait for (mail, imports, score recomputes); server.ts drains it on shutdown. */
  background?: BackgroundJobs;
  /** REDIS_URL's connection: shared rate limits, cache invalidation and job queue (null: this process only). */
  redis?: RedisLink | null;
  /** How a change empties the response caches (of every instance with Redis). */
  invalidation?: Invalidation;
  formLimits?: Partial<FormLimits>;
  loginThrottle?: Partial<typeof DEFAULT_THROTTLE>;
  feedbackLimits?: Partial<FeedbackLimits>;
  /** Minimum time between issuing a rating form and posting it (bots post at once). */
  ratingMinFillMs?: number;
  /** URLs per sitemap file (50 000, the protocol's limit; tests lower it to see the split). */
  sitemapMaxUrls?: number;
}

function projectDir(name: string): string {
  for (const dir of [path.resolve(__dirname, '..', name), path.resolve(__dirname, '..', '..', name)]) {
    if (fs.existsSync(dir)) return dir;
  }
  throw new Error(`${name} folder not found`);
}

/** The one place where modules are wired together. */
export function buildApp({
  config,
  db,
  logger,
  i18n,
  lifecycle = { shuttingDown: false },
  clock = Date.now,
  mailer,
  background,
  redis = null,
  invalidation = createInvalidation(redis, logger),
  formLimits,
  loginThrottle,
  feedbackLimits,
  ratingMinFillMs,
  sitemapMaxUrls,
}: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('env', config.env === 'production' ? 'production' : 'development');
  app.set('views', projectDir('views'));
  app.set('view engine', 'ejs');
  app.engine('ejs', createViewEngine());
  // Compiled templates are kept except in development (where an edited view shows on reload):
  // the tests render what production renders, at production's cost, not a recompile per page.
  app.set('view cache', config.env !== 'development');
  app.set('query parser', 'simple');
  if (config.trustProxy) app.set('trust proxy', /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy);
  app.locals = Object.create(null); // nothing global leaks into templates

  app.use(cspNonce);
  app.use((_req, res, next) => {
    if (lifecycle.shuttingDown) res.set('Connection', 'close'); // draining: clients reconnect elsewhere
    next();
  });
  app.use(securityHeaders(config.env === 'production'));
  // Anonymous public answers kept for a few seconds: a hit is answered here, before logging and
  // compression (it is stored gzipped); a miss is recorded after compression, below. Writes
  // keep it when their route is registered `quiet` (web/pages.ts).
  const responseCache = createResponseCache({ ttlMs: config.responseCache.ttlMs, maxBytes: config.responseCache.maxBytes, clock, invalidation });
  app.use(responseCache.lookup);
  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: { req: (req) => ({ method: req.method, url: urlForLog(req.url), id: req.id }), res: (res) => ({ statusCode: res.statusCode }) },
    }),
  );
  // gzip for HTML, JSON and CSV (adds Vary: Accept-Encoding), at GZIP_LEVEL (issue 18). Whole
  // bodies (pages, JSON) are compressed in one call above the streaming middleware, which then
  // only sees streamed answers (static files, bodies over 1 MB): web/compress.ts.
  app.use(compression({ level: GZIP_LEVEL }));
  app.use(compressWholeBodies({ level: GZIP_LEVEL }));
  const assets = staticAssets(projectDir('public'), config.env === 'production');
  app.locals.cssHref = assets.cssHref; // /static/css/site.css?v=<content hash>
  app.locals.publicUrl = config.publicUrl; // canonical and share URLs are absolute
  app.use('/static', assets.router);
  app.use(cacheControl); // public caching for anonymous GETs, private, no-store with a session
  app.use(healthRouter(db, lifecycle, redis));
  app.use(responseCache.record);
  app.use((_req, _res, next) => versionScope.run(new Map(), next)); // one data-version read per request

  app.get('/', (req, res) => {
    res.set('Vary', 'Accept-Language').set('Cache-Control', 'no-cache');
    res.redirect(302, `/${negotiateLanguage(req.get('accept-language'))}/`);
  });

  const spending = createSpendingService({ db });
  const detailYears = createBreakdownService({ db, memo: spending.memo }).years;
  const municipalitiesService = createMunicipalitiesService({ db, memo: spending.memo });
  const revenue = createRevenueService({ db, memo: spending.memo });
  const history = createHistoryService({ db, spending, municipalities: municipalitiesService, revenue });
  // What every municipality page reads, precomputed for the whole country per data version (issue 18):
  // at start and whenever a request sees the version move (an import on any instance).
  if (config.env === 'production') {
    const warm = async () => {
      const t0 = performance.now();
      try {
        await Promise.all([spending.warm(), revenue.warm(), history.executionSeries('000000'), municipalitiesService.warm(), detailYears({ level: 'municipality', area: '000000' })]);
        logger.info({ ms: Math.round(performance.now() - t0) }, 'municipality summaries precomputed for the data version');
      } catch (err) {
        logger.warn({ err }, 'precomputing municipality summaries failed (pages compute them on demand)');
      }
    };
    spending.memo.onNewVersion(() => void warm());
    setImmediate(() => void warm());
  }
  const audit = createAuditService({ clock });
  // Every job is defined in every process (web and worker); with Redis a worker runs them.
  const jobs = background ?? createBackgroundJobs(logger, { redis });
  const sender = mailer ?? createMailer(config, logger);
  jobs.define('mail', (m) => sender.send(m as unknown as MailMessage));
  /** Every outgoing email is a job: retried, and listed for admins when it fails for good. */
  const queuedMailer: Mailer = { send: async (m) => void (await jobs.enqueue('mail', { ...m })) };
  const accounts = createAccountsService({
    db,
    hasher: createPasswordHasher(config.env),
    mailer: queuedMailer,
    background: jobs,
    i18n,
    audit,
    publicUrl: config.publicUrl,
    clock,
    throttle: loginThrottle,
  });
  const auth = createAuth({ db, config, logger, clock, users: accounts });
  const scores = createScoresService({ db, clock, audit, indicatorInputs, onError: (err) => logger.error({ err }, 'score recompute failed') });
  jobs.define('scores', async (d) => {
    await scores.schedule(String(d.ubigeo), Number(d.year));
    invalidation.invalidate();
  });
  // A national MEF file queued from the command line (`--queue`): a worker imports it, then the scores follow.
  jobs.define(
    MEF_GASTO_FILE_JOB,
    mefGastoFileJob({
      db,
      onImported: async () => {
        await scores.recomputeAll();
        invalidation.invalidate();
      },
    }),
  );
  // The rating answers at once; its department's scores follow in the background (coalesced).
  const feedback = createFeedbackService({
    db,
    clock,
    audit,
    secret: `${config.sessionSecret}:rating-form`,
    minFillMs: ratingMinFillMs,
    onChange: async (ubigeo, year) => {
      await jobs.enqueue('scores', { ubigeo, year });
    },
  });
  const defaultYear = async () => (await spending.defaultYear()) ?? quarterOf(clock()).year;
  const participation = createParticipationModule({
    db,
    digestPreferences: { setFrequency: (userId, frequency) => accounts.setDigestPreferences(userId, { frequency }) },
    auth,
    audit,
    logger,
    clock,
    jobs,
    invalidation,
    redis,
    options: {
      uploadsDir: config.uploadsDir,
      uploadMaxBytes: config.uploadMaxBytes,
      importsPerHour: config.importsPerHour,
      importMaxRows: config.importMaxRows,
      secret: config.sessionSecret,
      mefAllowSynthetic: config.mefAllowSynthetic,
    },
  });
  const modules: Array<{ registerPages: (r: ReturnType<typeof createPageRegistrar>) => void; api?: ApiOperation[] }> = [
    createSiteModule({ municipalities: municipalitiesService, spending }),
    createMunicipalitiesModule({
      db,
      service: municipalitiesService,
      spending,
      scores: (ubigeo) => scores.forMunicipality(ubigeo),
      history: async (ubigeo, place, locals) => historyView(await history.historyFor(ubigeo), place, locals),
      participation: (ubigeo) => participation.service.glance(ubigeo),
      following: (userId, ubigeo) => participation.service.isFollowing(userId, 'municipality', ubigeo),
      detailYears: (ubigeo) => detailYears({ level: 'municipality', area: ubigeo }),
    }),
    createSpendingModule({
      db,
      spending,
      history,
      municipalities: municipalitiesService,
      datasets: [...PARTICIPATION_DATASETS, ...RESULTS_DATASETS, ...SCORE_DATASETS],
      compareScores: (ubigeos, year) => scores.forMunicipalities(ubigeos, year),
      downloadsDir: config.downloadsDir,
    }),
    createAccountsModule({ accounts, auth, logger, config, clock, limits: { ...DEFAULT_FORM_LIMITS, ...formLimits }, redis }),
    createAdminModule({ db, auth, accounts, audit, municipalities: municipalitiesService, jobs }),
    participation,
    createModerationModule({
      db,
      auth,
      audit,
      clock,
      sources: [observationModeration, commentModeration, proposalModeration, questionModeration, proposalCommentModeration],
      disputes: participation.disputes,
    }),
    createFeedbackModule({ feedback, municipalities: municipalitiesService, auth, logger, limits: { ...DEFAULT_FEEDBACK_LIMITS, ...feedbackLimits }, redis }),
    createScoresModule({ scores, municipalities: municipalitiesService, auth, logger, defaultYear }),
    createResultsModule({
      db,
      auth,
      audit,
      logger,
      clock,
      options: { uploadsDir: config.uploadsDir, uploadMaxBytes: config.uploadMaxBytes, importsPerHour: config.importsPerHour, importMaxRows: config.importMaxRows },
    }),
  ];

  // Findable and shareable: one URL per page (301 from slash variants), robots, sitemaps, icons, share images.
  app.use(canonicalPaths);
  app.use(createDiscoveryModule({ municipalities: municipalitiesService, spending, records: () => participation.service.publicPages(), i18n, publicUrl: config.publicUrl, sitemapMaxUrls }).router);

  const apiOperations = modules.flatMap((m) => m.api ?? []);
  const registrar = createPageRegistrar();
  for (const m of modules) m.registerPages(registrar);
  registrar.page('api_docs', apiDocsPage(apiOperations));
  // Every request under /es and /en may carry a session (never created here); all of /admin
  // is for admins who passed the second factor, whatever a module declares.
  const routers = languageRouters(i18n, registrar.registered, { before: auth.before, admin: [auth.guards.requireRole('admin')], last: [auth.csrf.verifyDeferred] });
  for (const { lng, router } of routers) app.use(`/${lng}`, router);

  // The open-data API: every module's operations (lib/api.ts), described by /api/v1/openapi.json.
  const versions: DataVersions = {
    imports: async () => {
      const last = await spending.lastImport();
      return { version: last.version, at: last.at };
    },
    scores: async () => ({ version: await scores.version(), at: null }),
  };
  app.use('/api/v1', createApiRouter(apiOperations, { versions, publicUrl: config.publicUrl }));

  app.use(notFound);
  app.use(errorHandler(i18n, logger));
  return app;
}
