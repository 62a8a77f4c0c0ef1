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
});

export type DbConfig =
  | { client: 'sqlite'; filename: string }
  | { client: 'mysql'; url: string; poolMax: number };

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
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set" (as in `DATABASE_URL= npm start`).
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
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
  };
}
