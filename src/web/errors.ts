import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { i18n as I18n } from 'i18next';
import { isLang, Lang, negotiateLanguage } from '../i18n';
import { AppError, isDatabaseUnavailable, NotFoundError, TooManyRequestsError, ValidationError } from '../lib/errors';
import { Logger, urlForLog } from '../lib/logger';
import { viewContext } from './locals';

const isApi = (req: Request) => req.path.startsWith('/api/');

function languageOf(req: Request): Lang {
  const prefix = req.path.split('/')[1];
  if (isLang(prefix)) return prefix;
  // The API takes ?lang=es|en before Accept-Language.
  if (isApi(req) && typeof req.query.lang === 'string' && isLang(req.query.lang)) return req.query.lang;
  return negotiateLanguage(req.get('accept-language'));
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'too_large',
  422: 'invalid',
  429: 'too_many_requests',
  500: 'server_error',
  503: 'unavailable',
};

/** The problem's `type`: the documentation of its code (the English page, so that it is the same URI in both languages). */
export const problemType = (code: string) => `/en/api#problem-${code}`;

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError());
}

/** The one error handler: localized page or JSON, an error id, never a stack or SQL. */
export function errorHandler(i18n: I18n, logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const errorId = crypto.randomBytes(6).toString('hex');
    let status = 500;
    let key = 'errors:server.title';
    let issues: ValidationError['issues'] = [];
    let params: Record<string, unknown> = {};
    if (err instanceof AppError) {
      status = err.status;
      key = err.key;
      params = err.params;
      if (err instanceof ValidationError) issues = err.issues;
    } else if (isDatabaseUnavailable(err)) {
      status = 503;
      key = 'errors:unavailable.title';
    } else if (err && typeof err === 'object' && 'status' in err && typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      // body-parser and friends: malformed or too large input from the client.
      status = err.status;
      key = status === 413 ? 'errors:too_large.title' : 'errors:bad_request.title';
    }

    const logCtx = { errorId, status, method: req.method, path: urlForLog(req.originalUrl), ip: req.ip, userId: req.user?.id ?? null };
    if (status >= 500 && status !== 503) logger.error({ ...logCtx, err }, 'request failed');
    else if (status === 503) logger.warn({ ...logCtx, cause: (err as Error)?.message }, 'database unavailable');
    else if (status !== 404) logger.warn({ ...logCtx, key, fields: issues.map((i) => i.field) }, 'request rejected');

    if (res.headersSent) {
      res.end();
      return;
    }
    const lng = languageOf(req);
    const t = i18n.getFixedT(lng);
    if (status === 503) res.set('Retry-After', '30');
    if (err instanceof TooManyRequestsError && !res.get('Retry-After')) res.set('Retry-After', String(err.retryAfterSeconds));
    res.set('Cache-Control', 'no-store');
    res.status(status);
    const message = String(t(key, params as never));
    const details = issues.map((i) => ({ field: i.field, message: String(t(i.key, { ...(i.params ?? {}), field: i.field } as never)) }));
    if (isApi(req)) {
      // RFC 9457 problem details, the one error shape of the API (web/openapi.ts describes it).
      const code = CODES[status] ?? 'error';
      res.removeHeader('ETag');
      res.removeHeader('Last-Modified');
      res.type('application/problem+json; charset=utf-8');
      res.set('Content-Language', lng);
      res.send(
        JSON.stringify({
          type: problemType(code),
          title: String(t(`errors:problem.${code}`)),
          status,
          detail: message,
          instance: req.originalUrl,
          code,
          invalid_params: details.map((d) => ({ name: d.field, reason: d.message })),
          error_id: errorId,
        }),
      );
      return;
    }
    try {
      const ctx = viewContext(i18n, lng, req, res);
      res.render('errors/error', { ...ctx, status, message, details, errorId, title: message }, (renderErr, html) => {
        if (renderErr) {
          logger.error({ errorId, err: renderErr }, 'error page failed to render');
          res.type('text/plain').send(`${message} (${errorId})`);
          return;
        }
        res.send(html);
      });
    } catch (e) {
      logger.error({ errorId, err: e }, 'error page failed');
      res.type('text/plain').send(`${message} (${errorId})`);
    }
  };
}
