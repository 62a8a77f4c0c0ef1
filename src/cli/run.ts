import { prepareDatabase } from '../bootstrap';
import { loadConfig } from '../config';
import { createDb, Db } from '../db';
import { createLogger } from '../lib/logger';

/** Prints the usage (after the parser's message, if any) to stderr; returns the exit code 2. */
export function usageError(usage: string, message: string): number {
  if (message) process.stderr.write(`${message}\n\n`);
  process.stderr.write(`${usage}\n`);
  return 2;
}

/**
 * Loads the configuration, opens and prepares the database (logging at LOG_LEVEL, default warn),
 * runs `fn` with it and closes it again, whatever `fn` does.
 */
export async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = createDb(config.db);
  try {
    await prepareDatabase(db, logger, config.loadReferenceData);
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** Runs a command's main and exits with its code; a failure prints its message and exits 1. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
