import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import compression from 'compression';
import express from 'express';
import { compressWholeBodies } from '../../../src/web/compress';

// The app's order (src/app.ts): the streaming middleware, then whole-body compression above it.
const app = express();
app.use(compression({ level: 1 }));
app.use(compressWholeBodies({ level: 1, maxBytes: 64 * 1024 }));
const page = `<!doctype html><title>t</title>${'<p>Ejecución del gasto 2012–2025 · año</p>\n'.repeat(200)}`;
const big = 'x,y\n'.repeat(40 * 1024); // 160 KB: over maxBytes, left to the stream
app.get('/page', (_req, res) => void res.type('html').send(page));
app.get('/json', (_req, res) => void res.json({ rows: Array.from({ length: 300 }, (_, i) => ({ i, name: `fila ${i}` })) }));
app.get('/small', (_req, res) => void res.type('html').send('<p>hola</p>'));
app.get('/big', (_req, res) => void res.type('csv').send(big));
app.get('/png', (_req, res) => void res.type('png').send(Buffer.alloc(4096, 7)));
app.get('/no-transform', (_req, res) => void res.set('Cache-Control', 'public, no-transform').type('html').send(page));
app.get('/stream', (_req, res) => {
  res.type('csv');
  res.write(big.slice(0, 1000));
  res.end(big.slice(1000));
});
app.get('/not-modified', (_req, res) => void res.status(304).end());

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => new Promise((r) => server.close(r)));

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: Buffer;
}
const get = (path: string, acceptEncoding?: string, method = 'GET') =>
  new Promise<Raw>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
const decode = (r: Raw) => (r.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(r.bytes) : r.bytes).toString('utf8');

describe('whole-body compression', () => {
  it('when a browser accepts brotli and gzip, then a page comes gzipped in one piece with its exact length and decodes to the page', async () => {
    const r = await get('/page', 'gzip, deflate, br, zstd');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['transfer-encoding']).toBeUndefined();
    expect(Number(r.headers['content-length'])).toBe(r.bytes.length);
    expect(r.bytes.length).toBeLessThan(Buffer.byteLength(page) / 4);
    expect(decode(r)).toBe(page);
    expect(r.headers.vary).toMatch(/Accept-Encoding/i);
  });

  it('when a client accepts only gzip, then pages and JSON come gzipped and decode to the same bytes as without compression', async () => {
    for (const path of ['/page', '/json']) {
      const [gz, plain] = [await get(path, 'gzip'), await get(path, 'identity')];
      expect([path, gz.headers['content-encoding'], plain.headers['content-encoding']]).toEqual([path, 'gzip', undefined]);
      expect(Number(gz.headers['content-length'])).toBe(gz.bytes.length);
      expect(decode(gz)).toBe(plain.bytes.toString('utf8'));
      expect(gz.headers.vary).toMatch(/Accept-Encoding/i);
      expect(plain.headers.vary).toMatch(/Accept-Encoding/i); // a shared cache must not hand the plain copy to everyone
    }
  });

  it('when a client sends no Accept-Encoding, then the body is not compressed', async () => {
    const r = await get('/page');
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.bytes.toString('utf8')).toBe(page);
  });

  it('when a body is under 1 KB, is an image, or says no-transform, or the client refuses gzip, then it is sent as is', async () => {
    for (const [path, accepts] of [
      ['/small', 'gzip, br'],
      ['/png', 'gzip, br'],
      ['/no-transform', 'gzip, br'],
      ['/page', 'gzip;q=0, identity'],
    ]) {
      const r = await get(path, accepts);
      expect([path, r.headers['content-encoding']]).toEqual([path, undefined]);
    }
  });

  it('when a body is larger than the one-call limit or is written in pieces, then the streaming middleware still compresses it', async () => {
    for (const path of ['/big', '/stream']) {
      const r = await get(path, 'gzip');
      expect([path, r.headers['content-encoding'], r.headers['transfer-encoding']]).toEqual([path, 'gzip', 'chunked']);
      expect(decode(r)).toBe(big);
    }
  });

  it('when the request is HEAD or the answer is 304, then no body is sent and nothing breaks', async () => {
    const head = await get('/page', 'gzip', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    const nm = await get('/not-modified', 'gzip');
    expect([nm.status, nm.bytes.length, nm.headers['content-encoding']]).toEqual([304, 0, undefined]);
  });
});
