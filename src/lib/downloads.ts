import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Request, Response } from 'express';

/**
 * Large downloads produced once per data version and served from that result (issue 18): the
 * first request of a version writes the file and its gzip next to it (under `dir`, atomically);
 * every later request of that version is a file read, gzipped or not as the client accepts.
 * Concurrent first requests wait for the one production. Older versions of a download are
 * removed when a new one is written.
 */
export interface DownloadCache {
  /** Answers `req` with the download `name` at `version`, producing it with `write` when missing. */
  send(req: Request, res: Response, d: { name: string; version: string; contentType: string; filename: string }, write: (out: Writable) => Promise<void>): Promise<void>;
}

const safe = (s: string) => s.replace(/[^a-z0-9_.-]/gi, '_');

export function createDownloadCache(dir: string): DownloadCache {
  const producing = new Map<string, Promise<void>>();

  async function produce(name: string, base: string, write: (out: Writable) => Promise<void>): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${base}.${process.pid}.${Date.now()}.tmp`;
    const plain = fs.createWriteStream(tmp);
    const gzip = zlib.createGzip({ level: 6 });
    const gzipped = pipeline(gzip, fs.createWriteStream(`${tmp}.gz`));
    // One writer, two files: every chunk goes to the plain file and to the gzip stream.
    const both = new Writable({
      write(chunk: Buffer, _enc, cb) {
        let pending = 2;
        const done = () => --pending === 0 && cb();
        if (plain.write(chunk)) done();
        else plain.once('drain', done);
        if (gzip.write(chunk)) done();
        else gzip.once('drain', done);
      },
      final(cb) {
        plain.end();
        gzip.end();
        cb();
      },
    });
    try {
      await write(both);
      if (!both.writableEnded) both.end();
      await Promise.all([finished(both), finished(plain), gzipped]);
      fs.renameSync(`${tmp}.gz`, `${base}.gz`);
      fs.renameSync(tmp, base); // the plain file last: its presence means both are complete
    } catch (e) {
      plain.destroy();
      gzip.destroy();
      fs.rmSync(tmp, { force: true });
      fs.rmSync(`${tmp}.gz`, { force: true });
      throw e;
    }
    // Earlier versions of this download are no longer served.
    const prefix = `${safe(name)}@`;
    const keep = new Set([path.basename(base), `${path.basename(base)}.gz`]);
    for (const f of fs.readdirSync(dir)) if (f.startsWith(prefix) && !keep.has(f) && !f.endsWith('.tmp')) fs.rmSync(path.join(dir, f), { force: true });
  }

  return {
    async send(req, res, d, write) {
      const base = path.join(dir, `${safe(d.name)}@${safe(d.version)}`);
      if (!fs.existsSync(base)) {
        let p = producing.get(base);
        if (!p) {
          p = produce(d.name, base, write).finally(() => producing.delete(base));
          producing.set(base, p);
        }
        await p;
      }
      const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
      const file = gzip ? `${base}.gz` : base;
      res.type(d.contentType);
      res.attachment(d.filename);
      res.setHeader('Vary', 'Accept-Encoding');
      if (gzip) res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', String(fs.statSync(file).size));
      if (req.method === 'HEAD') return void res.end();
      await pipeline(fs.createReadStream(file), res);
    },
  };
}
