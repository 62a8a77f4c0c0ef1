import crypto from 'node:crypto';
import express, { NextFunction, Request, Response, Router } from 'express';
import type { ApiOperation, DataVersionName } from '../lib/api';
import { AppError, NotFoundError } from '../lib/errors';
import { parse } from '../lib/http';
import { API_LICENSE, API_VERSION, openApiDocument } from './openapi';

/** A data version and when it last moved (null when unknown: then no Last-Modified). */
export type DataVersions = Record<DataVersionName, () => Promise<{ version: number; at: string | null }>>;

/** 405 for a write to a read-only path (the error handler answers it as a problem). */
export class MethodNotAllowedError extends AppError {
  constructor() {
    super('errors:method_not_allowed.title', 405);
  }
}

const ALLOWED = 'GET, HEAD, OPTIONS';

/**
 * CORS for the read-only API: any origin may GET (a newsroom's browser notebook), never with
 * credentials (no Allow-Credentials: the API has no session); a preflight is answered here.
 */
export function apiCors(req: Request, res: Response, next: NextFunction): void {
  res.set('Access-Control-Allow-Origin', '*');
  res.set('Access-Control-Expose-Headers', 'ETag, Last-Modified, Content-Disposition, Retry-After');
  if (req.method === 'OPTIONS') {
    res.set('Access-Control-Allow-Methods', ALLOWED);
    res.set('Access-Control-Allow-Headers', 'Accept, Accept-Language, If-None-Match, If-Modified-Since, Cache-Control');
    res.set('Access-Control-Max-Age', '86400');
    res.set('Allow', ALLOWED);
    res.status(204).end();
    return;
  }
  next();
}

/** True when the client's copy is still good: If-None-Match first, else If-Modified-Since (RFC 9110 §13.2.2). */
export function notModified(req: Request, etag: string, lastModified: Date | null): boolean {
  const inm = req.get('if-none-match');
  if (inm) return inm.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));
  const ims = req.get('if-modified-since');
  if (!ims || !lastModified) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/**
 * The /api/v1 router: the root, openapi.json and every operation, whose path and query are
 * parsed with the operation's own schemas before its handler runs (so the description cannot
 * drift from the validation). Versioned operations answer 304 before doing any work.
 */
export function createApiRouter(operations: ApiOperation[], { versions, publicUrl }: { versions: DataVersions; publicUrl: string }): Router {
  const ids = new Set<string>();
  for (const op of operations) {
    if (ids.has(op.id)) throw new Error(`API operation id ${op.id} is used twice`);
    ids.add(op.id);
  }
  const doc = openApiDocument(operations, { publicUrl });
  const docText = JSON.stringify(doc);
  // The description's hash is in every versioned ETag: a release that changes a schema changes them all.
  const docHash = crypto.createHash('sha256').update(docText).digest('hex').slice(0, 10);
  const base = publicUrl.replace(/\/$/, '');

  const r = express.Router();
  r.use(apiCors);

  r.get('/', (_req, res) => {
    res.json({
      name: 'Resultados Abiertos — open-data API',
      version: API_VERSION,
      description: 'Budget execution, results scores, satisfaction, participatory budget and accountability of the 1,891 municipalities of Peru. Read-only, no key.',
      licence: API_LICENSE,
      links: {
        openapi: `${base}/api/v1/openapi.json`,
        documentation: { es: `${base}/es/api`, en: `${base}/en/api` },
        bulk_download: `${base}/api/v1/datasets/datapackage.json`,
        bulk_download_page: { es: `${base}/es/datos`, en: `${base}/en/data` },
      },
      operations: operations.map((o) => ({ id: o.id, method: 'GET', path: `/api/v1${o.path}`, summary: o.summary.en })),
    });
  });
  r.get('/openapi.json', (_req, res) => {
    res.type('application/json; charset=utf-8').send(docText);
  });

  for (const op of operations) {
    r.get(op.path, async (req, res) => {
      let params: Record<string, unknown> = {};
      if (op.params) {
        const p = op.params.safeParse(req.params);
        if (!p.success) throw new NotFoundError(op.notFoundKey, { ...req.params });
        params = p.data;
      }
      const query: Record<string, unknown> = op.query ? parse(op.query, req.query) : {};
      if (op.version) {
        const v = await versions[op.version]();
        const etag = `W/"${docHash}-${op.version}-${v.version}"`;
        const at = v.at ? new Date(v.at) : null;
        res.set('ETag', etag);
        if (at) res.set('Last-Modified', at.toUTCString());
        if (notModified(req, etag, at)) {
          res.status(304).end();
          return;
        }
      }
      await op.handle({ params, query, req, res });
    });
  }
  // Every other method on a known path: 405 with Allow.
  for (const path of ['/', '/openapi.json', ...new Set(operations.map((o) => o.path))])
    r.all(path, (_req, res) => {
      res.set('Allow', ALLOWED);
      throw new MethodNotAllowedError();
    });
  return r;
}
