import zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { SESSION_COOKIE } from '../auth';
import type { Invalidation } from '../lib/invalidation';
import { PUBLIC_CACHE } from './caching';
import { GZIP_LEVEL, GZIPPED_BODY, WithGzippedBody } from './compress';

/**
 * A short-lived in-process cache of whole public responses ("microcache"), the same thing a
 * reverse proxy's `proxy_cache` does, so a single instance stays fast without one.
 *
 * What is stored: answers to anonymous GETs (no session cookie) that are 200, set no cookie and
 * were marked PUBLIC_CACHE by `cacheControl` — pages behind login, forms with a session, errors
 * and redirects never are. The body is the one the handler gave `res.send` (where `res.render`
 * and `res.json` end), with the headers that describe it, kept in one copy: gzipped when it can be
 * (most clients accept gzip; the rare one that does not gets it inflated), so the same memory holds
 * about four times as many pages. The miss's own gzip is kept when the client asked for gzip
 * (web/compress.ts leaves it on the response); otherwise the body is kept as sent and replaced by
 * its gzip on the first hit that accepts gzip. A streamed answer (a bulk CSV download, a file)
 * has no such body and is not kept.
 *
 * Freshness: an entry serves for `ttlMs`. After that, the first request renders the page again
 * while the others keep getting the previous copy (stale-while-revalidate, one render per URL at
 * a time; concurrent first requests wait for that render instead of each rendering it). A
 * successful POST/PUT/PATCH/DELETE empties the cache through `invalidation` (lib/invalidation.ts),
 * so an edit is visible at once, unless its route was registered as `quiet` (web/pages.ts:
 * signing in, account settings, follows change no public page). With Redis the same signal
 * empties every instance's cache at once, and finished jobs (imports, score recomputes) send it
 * too; without Redis, an edit made by another process (a CLI import) shows within `ttlMs` — the
 * same bound a proxy keeps under the public `max-age`. A request with
 * `Cache-Control: no-cache` (a hard reload) always renders.
 */
export interface ResponseCacheOptions {
  ttlMs: number;
  maxBytes: number;
  clock?: () => number;
  /** Largest body kept (bytes, before gzip). */
  maxEntryBytes?: number;
  /** Where writes announce a change and changes elsewhere arrive (default: this cache only). */
  invalidation?: Invalidation;
}

interface Entry {
  headers: Array<[string, string | number | string[]]>;
  /** The body as sent, until a gzip of it is kept instead (one of the two is always there). */
  body: Buffer | null;
  gzip: Buffer | null;
  /** Length of the body as sent. */
  length: number;
  etag: string | undefined;
  vary: Array<[string, string]>;
  storedAt: number;
  size: number;
}

/** Headers that belong to one response or one connection, never replayed from the cache. */
const NOT_STORED = new Set(['set-cookie', 'content-length', 'content-encoding', 'transfer-encoding', 'date', 'connection', 'keep-alive', 'content-security-policy', 'age', 'x-response-cache']);
const GZIP_MIN_BYTES = 1024;
/** What an entry costs besides its bytes (headers, keys), counted towards `maxBytes`. */
const ENTRY_OVERHEAD = 512;
/** A buffer that holds only its own bytes: zlib's output is a view of a larger chunk (a 9 KB gzip keeps 16 KB). */
const own = (b: Buffer) => (b.byteLength === b.buffer.byteLength ? b : Buffer.from(b));

export interface ResponseCache {
  /** Early in the chain (after the security headers, before logging and compression): answers hits. */
  lookup: (req: Request, res: Response, next: NextFunction) => void;
  /** After compression: keeps the handler's bytes of a miss that `lookup` marked. */
  record: (req: Request, res: Response, next: NextFunction) => void;
  clear: () => void;
}

const hasSession = (req: Request) => (req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`);
const noCacheAsked = (req: Request) => /(^|,)\s*no-cache\s*(,|$)/i.test(String(req.headers['cache-control'] ?? '')) || /no-cache/i.test(String(req.headers.pragma ?? ''));

function varyNames(res: Response): string[] {
  const v = res.getHeader('Vary');
  if (v == null) return [];
  return String(Array.isArray(v) ? v.join(',') : v)
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s && s !== 'accept-encoding'); // served per request below
}

const etagMatches = (header: string | undefined, etag: string | undefined) =>
  !!header && !!etag && header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag.replace(/^W\//, '') || t.trim() === '*');

/** Set by `quietWrite` on the response of a write that keeps the cache. */
const QUIET = Symbol('response-cache-quiet');
type Quiet = Response & { [QUIET]?: true };

/** Marks a write that changes no public page, so that its success keeps the cache (`quiet` routes in web/pages.ts). */
export function quietWrite(_req: Request, res: Response, next: NextFunction): void {
  (res as Quiet)[QUIET] = true;
  next();
}

export function createResponseCache({ ttlMs, maxBytes, clock = Date.now, maxEntryBytes = 4 * 1024 * 1024, invalidation }: ResponseCacheOptions): ResponseCache {
  // Least recently used dropped first once the entries' bytes pass maxBytes; an entry larger
  // than maxBytes is not kept at all.
  const entries = new LRUCache<string, Entry>({ maxSize: Math.max(1, maxBytes), sizeCalculation: (e) => e.size });
  const rendering = new Map<string, Promise<void>>();
  let generation = 0; // bumped by clear(): a render that started before it is not stored

  const clear = () => {
    entries.clear();
    generation++;
  };
  invalidation?.onChange(clear);
  const changed = () => (invalidation ? invalidation.invalidate() : clear());

  function store(key: string, entry: Entry, gen: number) {
    if (gen !== generation) return;
    entries.set(key, entry);
  }

  function serve(req: Request, res: Response, key: string, e: Entry, state: 'hit' | 'stale') {
    for (const [name, value] of e.headers) res.setHeader(name, value);
    res.setHeader('Age', String(Math.max(0, Math.floor((clock() - e.storedAt) / 1000))));
    res.setHeader('X-Response-Cache', state);
    if (etagMatches(req.get('if-none-match'), e.etag)) {
      res.status(304).end();
      return;
    }
    const wantsGzip = e.length >= GZIP_MIN_BYTES && req.acceptsEncodings('gzip', 'identity') === 'gzip';
    if (wantsGzip && !e.gzip) {
      const gzip = own(zlib.gzipSync(e.body!, { level: GZIP_LEVEL }));
      const packed: Entry = { ...e, body: null, gzip, size: gzip.length + ENTRY_OVERHEAD };
      if (entries.peek(key) === e) entries.set(key, packed); // a new object: the cache counts its new size
      e = packed;
    }
    if (wantsGzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', String(wantsGzip ? e.gzip!.length : e.length));
    res.status(200);
    if (req.method === 'HEAD') res.end();
    else res.end(wantsGzip ? e.gzip! : (e.body ?? zlib.gunzipSync(e.gzip!)));
  }

  /** Keeps the body the handler sends (a rendered page, JSON, CSV) and stores it once the answer is out. */
  function capture(req: Request, res: Response, key: string): void {
    const gen = generation;
    let done!: () => void;
    const promise = new Promise<void>((r) => (done = r));
    rendering.set(key, promise);
    const finish = () => {
      if (rendering.get(key) === promise) rendering.delete(key);
      done();
    };
    let sent: Buffer | null = null;
    const send = res.send.bind(res);
    // Express turns an object into JSON and sends that string through res.send again.
    res.send = function (body?: unknown) {
      if (typeof body === 'string')
        sent = Buffer.from(body, 'utf8'); // res.send always encodes strings as UTF-8
      else if (Buffer.isBuffer(body)) sent = body;
      return send(body);
    } as Response['send'];
    res.on('close', () => {
      if (!res.writableFinished) finish(); // aborted: nothing to store
    });
    res.on('finish', () => {
      const body = sent;
      const cacheable =
        body != null && body.length <= maxEntryBytes && req.method === 'GET' && res.statusCode === 200 && !res.getHeader('Set-Cookie') && res.getHeader('Cache-Control') === PUBLIC_CACHE;
      if (!cacheable) return finish();
      const headers = Object.entries(res.getHeaders()).filter(([n, v]) => v !== undefined && !NOT_STORED.has(n)) as Entry['headers'];
      const etag = res.getHeader('ETag') as string | undefined;
      const vary = varyNames(res).map((n): [string, string] => [n, String(req.headers[n] ?? '')]);
      // One copy: the miss's gzip when it was gzipped, else the body as sent (gzipped on its first
      // gzip hit, not now: most long-tail pages are never asked for again within the TTL).
      const packed = (res as WithGzippedBody)[GZIPPED_BODY];
      const gzip = packed ? own(packed) : null;
      const kept = gzip ? { body: null, gzip } : { body, gzip: null };
      store(key, { headers, ...kept, length: body.length, etag, vary, storedAt: clock(), size: (gzip ?? body).length + ENTRY_OVERHEAD }, gen);
      finish();
    });
  }

  /** The key of a miss to record, set by `lookup` for `record`. */
  const MISS = Symbol('response-cache-miss');
  type Marked = Response & { [MISS]?: string };

  function lookup(req: Request, res: Response, next: NextFunction): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // An edit is visible at once to anonymous readers (of every instance, with Redis).
      res.on('finish', () => {
        if (res.statusCode < 400 && !(res as Quiet)[QUIET]) changed();
      });
      return next();
    }
    if (ttlMs <= 0 || hasSession(req)) return next();
    const key = req.originalUrl;
    const forced = noCacheAsked(req);
    const lookup = (): Entry | undefined => {
      const e = entries.peek(key);
      if (!e || !e.vary.every(([n, v]) => String(req.headers[n] ?? '') === v)) return undefined;
      entries.get(key); // most recently used
      return e;
    };
    const e = forced ? undefined : lookup();
    if (e && clock() - e.storedAt < ttlMs) return serve(req, res, key, e, 'hit');
    const inFlight = rendering.get(key);
    if (e && inFlight) return serve(req, res, key, e, 'stale');
    if (!e && inFlight && !forced) {
      // The same page is being rendered: wait for it rather than render it again.
      inFlight.then(() => {
        const again = lookup();
        if (again) return serve(req, res, key, again, 'hit');
        res.setHeader('X-Response-Cache', 'miss');
        if (req.method === 'GET' && !rendering.has(key)) (res as Marked)[MISS] = key;
        next();
      }, next);
      return;
    }
    res.setHeader('X-Response-Cache', 'miss');
    if (req.method === 'GET') (res as Marked)[MISS] = key;
    next();
  }

  function record(req: Request, res: Response, next: NextFunction): void {
    const key = (res as Marked)[MISS];
    if (key !== undefined) capture(req, res, key);
    next();
  }

  return { lookup, record, clear };
}
