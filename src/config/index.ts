import crypto from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/** Validated environment. Fails fast at boot with a readable message on a bad value. */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb|sqlite):/, 'DATABASE_URL must start with mysql://, mariadb:// or sqlite:')
    .optional(),
  DATA_DIR: z.string().default('data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  TRUST_PROXY: z.string().optional(),
  LOAD_REFERENCE_DATA: z.enum(['true', 'false']).default('true'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(8000),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(5000).default(500),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
  PUBLIC_URL: z.url().optional(),
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_SECURE: z.enum(['true', 'false']).default('false'),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  MAIL_FROM: z.string().default('Resultados Abiertos <no-reply@localhost>'),
  OUTBOX_DIR: z.string().default('outbox'),
  SEED_EXAMPLES: z.enum(['true', 'false']).default('true'),
  UPLOADS_DIR: z.string().default('uploads'),
  /** Whole-country downloads produced once per data version (default DATA_DIR/downloads). */
  DOWNLOADS_DIR: z.string().optional(),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  IMPORTS_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(10),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  MEF_UPLOAD_ALLOW_SYNTHETIC: z.enum(['true', 'false']).default('false'),
  RESPONSE_CACHE_MS: z.coerce.number().int().min(0).max(300_000).optional(),
  RESPONSE_CACHE_MB: z.coerce.number().int().min(1).max(4096).default(16),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'REDIS_URL must look like redis://host:6379 or rediss://…')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/, 'REDIS_PREFIX: letters, digits, _ . - (at most 40)')
    .default('ra'),
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(3_600_000).default(300_000),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  JOB_NICE: z.coerce.number().int().min(0).max(19).default(10),
});

export type DbConfig = { client: 'sqlite'; filename: string } | { client: 'mysql'; url: string; poolMax: number };

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  db: DbConfig;
  dataDir: string;
  logLevel: string;
  trustProxy: string | undefined;
  loadReferenceData: boolean;
  shutdownTimeoutMs: number;
  shutdownDrainMs: number;
  /** Signs the session cookie. Required in production; a random one per boot elsewhere. */
  sessionSecret: string;
  /** Base of the links sent by email. */
  publicUrl: string;
  mail: {
    from: string;
    /** SMTP in production; otherwise messages are written to `outboxDir` and logged. */
    smtp: { host: string; port: number; secure: boolean; user?: string; password?: string } | null;
    outboxDir: string;
  };
  /** Load the example participatory budget and hearings (marked as example) on first start. */
  seedExamples: boolean;
  /** Uploaded files (hearing reports, evidence): outside the web root, served only as downloads. */
  uploadsDir: string;
  downloadsDir: string;
  uploadMaxBytes: number;
  /** Bulk CSV imports each user may run per hour. */
  importsPerHour: number;
  /** Most data rows a web CSV upload may have; larger files go through the command line. */
  importMaxRows: number;
  /** Accept files of the synthetic MEF generator in the web upload (demos and tests only). */
  mefAllowSynthetic: boolean;
  /** In-process cache of anonymous public responses: how long an entry is fresh (0 = off) and its size cap. */
  responseCache: { ttlMs: number; maxBytes: number };
  /** Worker processes `npm start` runs (node cluster); 1 = the server runs in the main process. */
  webConcurrency: number;
  /**
   * Shared state for several instances (REDIS_URL): rate-limit counters, response-cache
   * invalidation, the job queue. null: all of it stays in this process. `prefix` starts every
   * key, channel and queue name (several portals or test runs can share one Redis).
   */
  redis: { url: string; prefix: string } | null;
  /** Queued jobs: runs before one is marked failed; how long a worker's lock lasts (a dead worker's job runs again after it). */
  jobs: { attempts: number; lockMs: number };
  /**
   * Niceness of `npm run worker` (0 = as the web processes): on a host shared with web processes,
   * an import yields the CPU to the readers instead of halving their throughput.
   */
  workerNice: number;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set" (as in `DATABASE_URL= npm start`).
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) throw new Error('Invalid configuration:\n  SESSION_SECRET: required in production (32+ random characters)');
  if (e.NODE_ENV === 'production' && !e.SMTP_HOST) throw new Error('Invalid configuration:\n  SMTP_HOST: required in production (account emails)');
  const dataDir = path.resolve(e.DATA_DIR);
  let db: DbConfig;
  if (e.DATABASE_URL && !e.DATABASE_URL.startsWith('sqlite:')) {
    db = { client: 'mysql', url: e.DATABASE_URL.replace(/^mariadb:/, 'mysql:'), poolMax: e.DB_POOL_MAX };
  } else {
    const file = e.DATABASE_URL?.replace(/^sqlite:(\/\/)?/, '') || path.join(dataDir, 'resultados.sqlite');
    db = { client: 'sqlite', filename: file === ':memory:' ? file : path.resolve(file) };
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    db,
    dataDir,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    trustProxy: e.TRUST_PROXY,
    loadReferenceData: e.LOAD_REFERENCE_DATA === 'true',
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    sessionSecret: e.SESSION_SECRET ?? crypto.randomBytes(32).toString('hex'),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    mail: {
      from: e.MAIL_FROM,
      smtp: e.NODE_ENV === 'production' && e.SMTP_HOST ? { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE === 'true', user: e.SMTP_USER, password: e.SMTP_PASSWORD } : null,
      outboxDir: path.resolve(e.OUTBOX_DIR),
    },
    seedExamples: e.SEED_EXAMPLES === 'true',
    uploadsDir: path.resolve(e.UPLOADS_DIR),
    downloadsDir: path.resolve(e.DOWNLOADS_DIR || path.join(dataDir, 'downloads')),
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    importsPerHour: e.IMPORTS_PER_HOUR,
    importMaxRows: e.IMPORT_MAX_ROWS,
    mefAllowSynthetic: e.MEF_UPLOAD_ALLOW_SYNTHETIC === 'true',
    // On by default in production only: in development an edit shows on the next reload.
    responseCache: { ttlMs: e.RESPONSE_CACHE_MS ?? (e.NODE_ENV === 'production' ? 10_000 : 0), maxBytes: e.RESPONSE_CACHE_MB * 1024 * 1024 },
    webConcurrency: e.WEB_CONCURRENCY,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX } : null,
    jobs: { attempts: e.JOB_ATTEMPTS, lockMs: e.JOB_LOCK_MS },
    workerNice: e.JOB_NICE,
  };
}
