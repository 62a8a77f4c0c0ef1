import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { NextFunction, Request, Response, Router } from 'express';
import { SESSION_COOKIE } from '../auth';

/** Anonymous public GETs: browsers and a shared proxy (nginx proxy_cache) may keep them briefly. */
export const PUBLIC_CACHE = 'public, max-age=60, stale-while-revalidate=300';
export const PRIVATE_CACHE = 'private, no-store';

/**
 * Decides Cache-Control when the headers go out, unless a handler already chose one (login
 * pages, signed-in users, errors and health checks set no-store themselves):
 * - a request that carried the session cookie, or a response that sets a cookie → private, no-store;
 * - any other successful GET/HEAD (200, 304) → PUBLIC_CACHE;
 * - anything else is left alone (redirects and errors are not cached by default).
 */
export function cacheControl(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return next();
  const withSession = (req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`);
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: unknown[]) {
    const status = typeof args[0] === 'number' ? args[0] : this.statusCode;
    if (!this.getHeader('Cache-Control')) {
      if (withSession || this.getHeader('Set-Cookie')) this.setHeader('Cache-Control', PRIVATE_CACHE);
      else if (status === 200 || status === 304) this.setHeader('Cache-Control', PUBLIC_CACHE);
    }
    return (writeHead as (...a: unknown[]) => Response).apply(this, args);
  } as Response['writeHead'];
  next();
}

/**
 * /static: the stylesheet's URL carries a hash of its content (`?v=`), so a request with the
 * current hash may be kept for a year (immutable); without it, 7 days in production as before.
 */
export function staticAssets(dir: string, production: boolean): { cssHref: string; router: Router } {
  const css = fs.readFileSync(path.join(dir, 'css', 'site.css'));
  const version = crypto.createHash('sha256').update(css).digest('hex').slice(0, 12);
  const opts = { dotfiles: 'ignore' as const, index: false as const, fallthrough: true };
  const versioned = express.static(dir, { ...opts, maxAge: '365d', immutable: true });
  const plain = express.static(dir, { ...opts, maxAge: production ? '7d' : 0 });
  const router = Router();
  router.use((req, res, next) => (req.query.v === version ? versioned(req, res, next) : plain(req, res, next)));
  return { cssHref: `/static/css/site.css?v=${version}`, router };
}
