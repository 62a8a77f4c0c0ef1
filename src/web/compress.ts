import zlib from 'node:zlib';
import compressible from 'compressible';
import type { NextFunction, Request, Response } from 'express';
import vary from 'vary';

/**
 * gzip of whole bodies in one call (issue 18).
 *
 * Almost every answer is a body the handler has complete before sending it (`res.render` and
 * `res.json` end in `res.send`, which ends in one `res.end(body)`). The `compression` middleware
 * treats it as a stream: a zlib stream per response, its chunks sent to the thread pool and back.
 * Compressing a 38 KB municipality page in one synchronous call costs about 0.15 ms (gzip level
 * 1) or 0.3 ms (brotli 4); through the stream the same request cost about 0.6 ms more CPU
 * (6.78 against 6.19 ms a request, one page asked 2 000 times, four interleaved runs each).
 *
 * So a body that arrives whole is gzipped here, in one call, with the rules of the `compression`
 * middleware that stays mounted below it for streamed answers (static files, bodies over
 * `maxBytes`, so a large answer never blocks the event loop for long): the same 1 KB threshold,
 * no compression of HEAD, of `Cache-Control: no-transform` or of types that do not compress, and
 * `Vary: Accept-Encoding`. Pages are gzipped even for a browser that also accepts brotli: gzip
 * level 1 costs half of brotli's CPU for about 15 % more bytes, and it is what the response cache
 * keeps and serves (its hits were already gzip), so a page's bytes no longer depend on whether it
 * was a hit.
 */
export interface WholeBodyCompressionOptions {
  /** gzip level (the `compression` middleware's `level`). */
  level: number;
  /** Smallest body compressed (bytes). */
  threshold?: number;
  /** Largest body compressed here; larger ones go to the streaming middleware. */
  maxBytes?: number;
}

/** The portal's gzip level, like nginx's default: a municipality page comes out 13 % larger than at level 6 for half the CPU. */
export const GZIP_LEVEL = 1;

/** Where the gzip of a body compressed here is left on the response (the response cache keeps it: web/response-cache.ts). */
export const GZIPPED_BODY = Symbol('gzipped-body');
export type WithGzippedBody = { [GZIPPED_BODY]?: Buffer };

const NO_TRANSFORM = /(?:^|,)\s*?no-transform\s*?(?:,|$)/;
const NO_BODY_STATUS = new Set([204, 205, 304]);

export function compressWholeBodies({ level, threshold = 1024, maxBytes = 1024 * 1024 }: WholeBodyCompressionOptions) {
  /** Whether to gzip this body here (otherwise it passes on untouched). */
  function gzipHere(req: Request, res: Response, size: number): boolean {
    if (res.headersSent || req.method === 'HEAD' || NO_BODY_STATUS.has(res.statusCode)) return false;
    if (size < threshold || size > maxBytes || res.getHeader('Content-Encoding')) return false;
    const type = res.getHeader('Content-Type');
    if (typeof type !== 'string' || !compressible(type)) return false;
    const cacheControl = res.getHeader('Cache-Control');
    if (typeof cacheControl === 'string' && NO_TRANSFORM.test(cacheControl)) return false;
    return !!req.headers['accept-encoding'] && req.acceptsEncodings('gzip', 'identity') === 'gzip';
  }

  return function wholeBodyCompression(req: Request, res: Response, next: NextFunction): void {
    const end = res.end;
    res.end = function (this: Response, chunk?: unknown, encoding?: unknown, cb?: unknown) {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) {
        const body = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : chunk;
        if (gzipHere(req, res, body.length)) {
          const packed = zlib.gzipSync(body, { level });
          (res as WithGzippedBody)[GZIPPED_BODY] = packed;
          vary(res, 'Accept-Encoding');
          res.setHeader('Content-Encoding', 'gzip');
          res.setHeader('Content-Length', String(packed.length));
          return (end as (...a: unknown[]) => Response).call(this, packed, typeof encoding === 'function' ? encoding : cb);
        }
      }
      return (end as (...a: unknown[]) => Response).call(this, chunk, encoding, cb);
    } as Response['end'];
    next();
  };
}
