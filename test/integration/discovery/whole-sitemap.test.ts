import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../../../src/web/http-server';
import { createTestApp, TestApp } from '../../helpers/app';

const BASE = 'https://resultados.example.pe';

/** GET over a keep-alive agent: status and body. */
function get(port: number, agent: http.Agent, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1].replace(/&amp;/g, '&'));
const unescape = (s: string | undefined) => (s ?? '').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/*
 * Every URL of the sitemap (≈ 16 000: every municipality's pages in both languages), on SQLite:
 * each answers 200 with its own canonical, and no two share a title or a description. The
 * per-kind checks of the head (alternates, OG image, JSON-LD) on both databases are in
 * findable.test.ts; this walk is what makes "unique" mean unique across the whole site.
 */
describe('the whole sitemap (sqlite)', () => {
  let t: TestApp;
  let server: http.Server;
  let port: number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  beforeAll(async () => {
    t = await createTestApp('sqlite', { config: { publicUrl: BASE } });
    server = createHttpServer(t.app); // the server src/server.ts runs
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  }, 120000);
  afterAll(async () => {
    agent.destroy();
    await new Promise((r) => server?.close(r));
    await t?.cleanup();
  });

  it('when every URL of every sitemap is requested, then each answers 200 with itself as canonical, and no two pages share a title or a description', async () => {
    const files = locs((await get(port, agent, '/sitemap.xml')).body);
    const urls: string[] = [];
    for (const f of files) urls.push(...locs((await get(port, agent, f.slice(BASE.length))).body));
    expect(urls.length).toBeGreaterThan(1891 * 2 * 4);

    const problems: string[] = [];
    const titles = new Map<string, string>();
    const descriptions = new Map<string, string>();
    let next = 0;
    const worker = async () => {
      while (next < urls.length) {
        const url = urls[next++];
        const { status, body } = await get(port, agent, url.slice(BASE.length));
        if (status !== 200) {
          problems.push(`${url}: ${status}`);
          continue;
        }
        const title = unescape(/<title>([^<]*)<\/title>/.exec(body)?.[1]);
        const description = unescape(/<meta name="description" content="([^"]*)">/.exec(body)?.[1]);
        const canonical = /<link rel="canonical" href="([^"]*)">/.exec(body)?.[1];
        if (canonical !== url) problems.push(`${url}: canonical ${canonical}`);
        if (!title || !description) problems.push(`${url}: no title or description`);
        if (titles.has(title)) problems.push(`${url}: same title as ${titles.get(title)}: ${title}`);
        if (descriptions.has(description)) problems.push(`${url}: same description as ${descriptions.get(description)}`);
        titles.set(title, url);
        descriptions.set(description, url);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(titles.size).toBe(urls.length);
  }, 480000);
});
