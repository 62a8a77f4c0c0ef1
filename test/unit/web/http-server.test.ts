import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHttpServer } from '../../../src/web/http-server';

/** GET over a fresh connection: status, content type and body. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

describe("the portal's HTTP server (src/web/http-server.ts)", () => {
  const app = express();
  app.get('/echo', (req, res) => {
    res.json({ ua: req.get('user-agent'), q: req.query.q, ip: typeof req.ip, isRequest: req instanceof http.IncomingMessage, isResponse: res instanceof http.ServerResponse });
  });
  app.get('/redirect', (_req, res) => res.redirect(302, '/echo'));
  const server = createHttpServer(app);
  const seen: Array<{ request: boolean; response: boolean }> = [];
  // Runs before Express: what the request and response are born with.
  server.prependListener('request', (req, res) => {
    seen.push({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response });
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise((r) => server.close(r)));

  it("when a request arrives, then it and its response already have the app's prototypes, so Express has no prototype to change", async () => {
    seen.length = 0;
    await get(port, '/echo');
    await get(port, '/redirect');
    expect(seen).toEqual([
      { request: true, response: true },
      { request: true, response: true },
    ]);
  });

  it("when Express answers through it, then its request and response methods work and they are still Node's request and response", async () => {
    const r = await get(port, '/echo?q=lima', { 'user-agent': 'probe/1' });
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(JSON.parse(r.body)).toEqual({ ua: 'probe/1', q: 'lima', ip: 'string', isRequest: true, isResponse: true });
    const redirect = await get(port, '/redirect');
    expect(redirect.status).toBe(302);
  });

  it("when the same app is served by a plain Node server, then the request arrives with Node's prototype (what the portal's server avoids)", async () => {
    const plain = http.createServer(app);
    const arrived: boolean[] = [];
    plain.prependListener('request', (req) => arrived.push(Object.getPrototypeOf(req) === app.request));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const r = await get((plain.address() as AddressInfo).port, '/echo');
      expect(r.status).toBe(200);
      expect(arrived).toEqual([false]);
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });
});
