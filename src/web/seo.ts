import type { NextFunction, Request, Response } from 'express';

/** Query parameters that never make a different page: tracking tags, one-time tokens, notices. */
const NOT_CANONICAL = /^(utm_.*|fbclid|gclid|token|returnTo|done)$/;

/** The query string of the canonical URL: meaningful parameters only, sorted, '' when none. */
export function canonicalQuery(originalUrl: string): string {
  const i = originalUrl.indexOf('?');
  if (i < 0) return '';
  const params = new URLSearchParams(originalUrl.slice(i + 1));
  const kept = [...params.entries()].filter(([k, v]) => v !== '' && !NOT_CANONICAL.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const s = new URLSearchParams(kept).toString();
  return s ? `?${s}` : '';
}

/**
 * One URL per page: `/es` → `/es/`, and a trailing slash anywhere else under /es or /en
 * (`/es/departamentos/`) is removed; both answer 301 with the query kept. Express matches
 * paths loosely, so without this the variants would answer 200 with the same page.
 */
export function canonicalPaths(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return next();
  const path = req.path;
  const m = /^\/(es|en)(\/.*)?$/.exec(path);
  if (!m) return next();
  const rest = m[2] ?? '';
  let target: string | null = null;
  if (rest === '') target = `/${m[1]}/`;
  else if (rest.length > 1 && (rest.endsWith('/') || rest.includes('//'))) target = `/${m[1]}${rest.replace(/\/{2,}/g, '/').replace(/\/+$/, '')}`;
  if (target === null || target === path) return next();
  const qs = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
  res.set('Cache-Control', 'public, max-age=3600');
  res.redirect(301, target + qs);
}

/**
 * Default-parameter variants (`?year=<default year>`, `?level=department`) redirect 301 to the
 * URL without them; returns true when it answered. `defaults` maps a parameter to its default.
 */
export function redirectDefaults(req: Request, res: Response, defaults: Record<string, string | number | null | undefined>): boolean {
  const i = req.originalUrl.indexOf('?');
  if (i < 0) return false;
  const params = new URLSearchParams(req.originalUrl.slice(i + 1));
  let changed = false;
  for (const [k, v] of Object.entries(defaults)) {
    if (v == null) continue;
    const given = params.getAll(k);
    if (given.length === 1 && (given[0] === String(v) || given[0] === '')) {
      params.delete(k);
      changed = true;
    }
  }
  if (!changed) return false;
  const s = params.toString();
  res.set('Cache-Control', 'public, max-age=3600');
  res.redirect(301, req.originalUrl.slice(0, i) + (s ? `?${s}` : ''));
  return true;
}

/** A municipality named so that same-named ones differ: "Santa Cruz (Cajamarca, Santa Cruz)". */
export function placeName(t: (key: string, opts?: Record<string, unknown>) => string, m: { district: string; department: string; province: string }): string {
  return t('seo:place', { district: m.district, department: m.department, province: m.province });
}

/** JSON-LD for a <script type="application/ld+json"> block: "<" escaped so no text can close it. */
export function jsonLdText(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
