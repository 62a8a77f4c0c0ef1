import type { Request, Response } from 'express';
import type { z } from 'zod';
import { ValidationError } from '../lib/errors';
import { Logger, securityEvent, urlForLog } from '../lib/logger';

export type FieldErrors = Record<string, string>;

/** First issue per field as a translation key. */
export function fieldErrors(error: z.ZodError | ValidationError): FieldErrors {
  const out: FieldErrors = {};
  const issues =
    error instanceof ValidationError
      ? error.issues.map((i) => ({ field: i.field, key: i.key }))
      : error.issues.map((i) => ({ field: i.path.join('.') || '_', key: i.message.includes(':') ? i.message : 'errors:validation.invalid' }));
  for (const i of issues) out[i.field] ??= i.key;
  return out;
}

/** A form body parsed by its schema, or a 422 ValidationError with the first issue of each field (translation keys). */
export function validated<T>(schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: z.ZodError } }, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  throw new ValidationError(
    Object.entries(fieldErrors(r.error)).map(([field, key]) => ({ field, key })),
    422,
  );
}

/**
 * Renders a form again with 422 (or the given status), its errors and the user's input, which
 * callers pass explicitly without passwords. Validation failures are security events.
 */
export function renderInvalid(logger: Logger, req: Request, res: Response, view: string, locals: Record<string, unknown> & { errors: FieldErrors }, status = 422): void {
  securityEvent(logger, 'validation_failed', { ip: req.ip, userId: req.user?.id ?? null, path: urlForLog(req.originalUrl), fields: Object.keys(locals.errors).join(',') });
  res.status(status).render(view, locals);
}

/** A string from a form body, or '' (arrays and objects are not strings). */
export const formString = (body: unknown, name: string, max = 300): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};
