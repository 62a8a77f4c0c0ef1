/** One error family. `key` is a translation key, translated only at the edge. */
export class AppError extends Error {
  constructor(
    public readonly key: string,
    public readonly status: number,
    public readonly params: Record<string, unknown> = {},
  ) {
    super(key);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(key = 'errors:not_found.title', params: Record<string, unknown> = {}) {
    super(key, 404, params);
  }
}

export class ForbiddenError extends AppError {
  constructor(key = 'errors:forbidden.title') {
    super(key, 403);
  }
}

export class UnauthorizedError extends AppError {
  constructor(key = 'errors:unauthorized.title') {
    super(key, 401);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(
    key = 'errors:too_many.title',
    public readonly retryAfterSeconds = 60,
  ) {
    super(key, 429);
  }
}

export interface FieldIssue {
  field: string;
  key: string;
  params?: Record<string, unknown>;
}

export class ValidationError extends AppError {
  constructor(
    public readonly issues: FieldIssue[],
    status = 400,
  ) {
    super('errors:validation.title', status);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor() {
    super('errors:unavailable.title', 503);
  }
}

const DB_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'SQLITE_BUSY', 'SQLITE_CANTOPEN']);

/** True when an error means "the database cannot be reached right now", not a bug. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; name?: string; message?: string; errors?: unknown[] };
  if (e.name === 'KnexTimeoutError') return true;
  if (e.code && DB_DOWN_CODES.has(e.code)) return true;
  if (Array.isArray(e.errors)) return e.errors.some(isDatabaseUnavailable);
  return /connect ECONNREFUSED|Connection lost|Pool is closed|The database connection is not open/.test(e.message ?? '');
}
