import zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { SESSION_COOKIE } from '../auth';
import { PUBLIC_CACHE } from './caching';

/**
 * A short-lived in-process cache of whole public responses ("microcache"), the same thing a
 * reverse proxy's `proxy_cache` does, so a single instance stays fast without one.
 *
 * What is stored: answers to anonymous GETs (no session cookie) that are 200, set no cookie and
 * were marked PUBLIC_CACHE by `cacheControl` — pages behind login, forms with a session, errors
 * and redirects never are. The body is kept once as sent by the handler and once gzipped (done
 * after the response, off the request path), with the headers that describe it.
 *
 * Freshness: an entry serves for `ttlMs`. After that, the first request renders the page again
 * while the others keep getting the previous copy (stale-while-revalidate, one render per URL at
 * a time; concurrent first requests wait for that render instead of each rendering it). A
 * successful POST/PUT/PATCH/DELETE in this process empties the cache, so an edit made here is
 * visible at once; edits in another instance or a CLI import show within `ttlMs` — the same bound
 * a proxy keeps under the public `max-age`. A request with `Cache-Control: no-cache` (a hard
 * reload) always renders.
 */
export interface ResponseCacheOptions {
  ttlMs: number;
  maxBytes: number;
  clock?: () => number;
  /** Largest body kept (bytes, before gzip). */
  maxEntryBytes?: number;
  /** Writes that change no public page (signing in, account settings): they keep the cache. */
  keepOnWrite?: (req: Request) => boolean;
}

interface Entry {
  headers: Array<[string, string | number | string[]]>;
  body: Buffer;
  gzip: Buffer | null;
  etag: string | undefined;
  vary: Array<[string, string]>;
  storedAt: number;
  size: number;
}

/** Headers that belong to one response or one connection, never replayed from the cache. */
const NOT_STORED = new Set(['set-cookie', 'content-length', 'content-encoding', 'transfer-encoding', 'date', 'connection', 'keep-alive', 'content-security-policy', 'age', 'x-response-cache']);
const GZIP_MIN_BYTES = 1024;

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

export function createResponseCache({ ttlMs, maxBytes, clock = Date.now, maxEntryBytes = 4 * 1024 * 1024, keepOnWrite = () => false }: ResponseCacheOptions): ResponseCache {
  const entries = new Map<string, Entry>();
  const rendering = new Map<string, Promise<void>>();
  let bytes = 0;
  let generation = 0; // bumped by clear(): a render that started before it is not stored

  const drop = (key: string) => {
    const e = entries.get(key);
    if (e) {
      bytes -= e.size;
      entries.delete(key);
    }
  };
  const clear = () => {
    entries.clear();
    bytes = 0;
    generation++;
  };

  function store(key: string, entry: Entry, gen: number) {
    if (gen !== generation) return;
    drop(key);
    entries.set(key, entry);
    bytes += entry.size;
    for (const k of entries.keys()) {
      if (bytes <= maxBytes) break;
      drop(k); // least recently used first (a hit moves its entry to the end)
    }
  }

  function serve(req: Request, res: Response, e: Entry, state: 'hit' | 'stale') {
    for (const [name, value] of e.headers) res.setHeader(name, value);
    res.setHeader('Age', String(Math.max(0, Math.floor((clock() - e.storedAt) / 1000))));
    res.setHeader('X-Response-Cache', state);
    if (etagMatches(req.get('if-none-match'), e.etag)) {
      res.status(304).end();
      return;
    }
    const gz = e.gzip && req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const body = gz ? e.gzip! : e.body;
    if (gz) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', String(body.length));
    res.status(200);
    if (req.method === 'HEAD') res.end();
    else res.end(body);
  }

  function capture(req: Request, res: Response, key: string): void {
    const gen = generation;
    let done!: () => void;
    const promise = new Promise<void>((r) => (done = r));
    rendering.set(key, promise);
    const finish = () => {
      if (rendering.get(key) === promise) rendering.delete(key);
      done();
    };
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => Response;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (chunk == null || typeof chunk === 'function' || tooBig) return;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      size += buf.length;
      if (size > maxEntryBytes) tooBig = true;
      else chunks.push(buf);
    };
    res.write = function (chunk: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    } as Response['write'];
    res.end = function (chunk?: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return end(chunk, ...rest);
    } as Response['end'];
    res.on('close', () => {
      if (!res.writableFinished) finish(); // aborted: nothing to store
    });
    res.on('finish', () => {
      const cacheable = req.method === 'GET' && res.statusCode === 200 && !tooBig && !res.getHeader('Set-Cookie') && res.getHeader('Cache-Control') === PUBLIC_CACHE;
      if (!cacheable) return finish();
      const body = Buffer.concat(chunks, size);
      const headers = Object.entries(res.getHeaders()).filter(([n, v]) => v !== undefined && !NOT_STORED.has(n)) as Entry['headers'];
      const etag = res.getHeader('ETag') as string | undefined;
      const vary = varyNames(res).map((n): [string, string] => [n, String(req.headers[n] ?? '')]);
      const put = (gzip: Buffer | null) => {
        store(key, { headers, body, gzip, etag, vary, storedAt: clock(), size: body.length + (gzip?.length ?? 0) + 512 }, gen);
        finish();
      };
      if (body.length < GZIP_MIN_BYTES) return put(null);
      zlib.gzip(body, (err, gz) => put(err ? null : gz));
    });
  }

  /** The key of a miss to record, set by `lookup` for `record`. */
  const MISS = Symbol('response-cache-miss');
  type Marked = Response & { [MISS]?: string };

  function lookup(req: Request, res: Response, next: NextFunction): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // An edit made through this process is visible at once to anonymous readers.
      if (keepOnWrite(req)) return next();
      res.on('finish', () => {
        if (res.statusCode < 400) clear();
      });
      return next();
    }
    if (ttlMs <= 0 || hasSession(req)) return next();
    const key = req.originalUrl;
    const forced = noCacheAsked(req);
    const lookup = (): Entry | undefined => {
      const e = entries.get(key);
      if (!e || !e.vary.every(([n, v]) => String(req.headers[n] ?? '') === v)) return undefined;
      entries.delete(key); // most recently used goes last
      entries.set(key, e);
      return e;
    };
    const e = forced ? undefined : lookup();
    if (e && clock() - e.storedAt < ttlMs) return serve(req, res, e, 'hit');
    const inFlight = rendering.get(key);
    if (e && inFlight) return serve(req, res, e, 'stale');
    if (!e && inFlight && !forced) {
      // The same page is being rendered: wait for it rather than render it again.
      inFlight.then(() => {
        const again = lookup();
        if (again) return serve(req, res, again, 'hit');
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
