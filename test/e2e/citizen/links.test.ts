import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';

/*
 * A link check over the whole site, both languages: every page kind is crawled (each kind of
 * the sitemap, and every kind reached through links: rankings with their filters, search,
 * compare, detail pages…), a few pages of each kind, and EVERY link found on the crawled pages
 * (same site: pages, API downloads, static files) is requested. None may answer 4xx/5xx.
 * Links behind a login answer a redirect to the login page, which is followed.
 */

const PAGES_PER_KIND = 2;
const BASE = 'http://links.test';

/** A page kind: the path with numbers as #, and the names of its query parameters. */
export function kindOf(path: string): string {
  const u = new URL(path, BASE);
  const keys = [...new Set([...u.searchParams.keys()])].sort().join('&');
  return u.pathname.replace(/\d+/g, '#') + (keys ? `?${keys}` : '');
}

function linksIn(html: string, from: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<(?:a|link)\b[^>]*?\shref="([^"]*)"/g)) {
    const raw = m[1].replace(/&amp;/g, '&');
    if (!raw || raw.startsWith('#') || raw.startsWith('mailto:')) continue;
    const u = new URL(raw, BASE + from);
    if (u.origin !== BASE && !/^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(u.origin)) continue; // another site
    out.push(u.pathname + u.search);
  }
  return out;
}

/** Every dotted key path of every namespace, both languages (a raw key on a page is one of these). */
function translationKeys(): Set<string> {
  const keys = new Set<string>();
  const walk = (o: unknown, prefix: string) => {
    if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, prefix ? `${prefix}.${k}` : k);
    if (prefix.includes('.')) keys.add(prefix);
  };
  for (const lng of ['es', 'en']) {
    const dir = path.join(__dirname, '..', '..', '..', 'locales', lng);
    for (const f of fs.readdirSync(dir)) walk(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), '');
  }
  return keys;
}

describe('link check over the whole site', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { config: { publicUrl: BASE } });
  });
  afterAll(async () => t.cleanup());

  it('when every page kind is crawled in both languages and every link found is followed, then none is broken', async () => {
    const status = new Map<string, number>();
    const foundOn = new Map<string, string>();
    const crawledKinds = new Map<string, number>();
    const queue: string[] = ['/es/', '/en/'];
    // Every kind the sitemap lists, both languages.
    const index = (await request(t.app).get('/sitemap.xml').expect(200)).text;
    for (const file of [...index.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => new URL(m[1]).pathname)) {
      const xml = (await request(t.app).get(file).expect(200)).text;
      const byKind = new Map<string, string[]>();
      for (const loc of [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => new URL(m[1]).pathname + new URL(m[1]).search)) {
        const k = kindOf(loc);
        if ((byKind.get(k)?.length ?? 0) < PAGES_PER_KIND) byKind.set(k, [...(byKind.get(k) ?? []), loc]);
      }
      for (const list of byKind.values()) queue.push(...list);
    }
    // Miraflores and its province are the pages of the browser tasks: always crawled.
    queue.push(
      '/es/municipalidades/150122',
      '/en/municipalities/150122',
      '/es/provincias/1501',
      '/en/provinces/1501',
      '/es/comparar?u=150122&u=150131',
      '/en/compare?u=150122&add=san+isidro',
      '/es/mapa?level=province',
      '/en/map?level=province',
      '/es/buscar?q=lima',
      '/en/search?q=lima',
    );

    const check = async (path: string) => {
      if (status.has(path)) return status.get(path)!;
      const res = await request(t.app).get(path).redirects(3);
      status.set(path, res.status);
      return res.status;
    };
    const crawled = new Set<string>();
    const keys = translationKeys();
    const rawKeys: string[] = [];
    const spaced: string[] = [];
    while (queue.length) {
      const path = queue.shift()!;
      if (crawled.has(path)) continue;
      const kind = kindOf(path);
      if ((crawledKinds.get(kind) ?? 0) >= PAGES_PER_KIND && !path.includes('150122')) continue;
      crawled.add(path);
      crawledKinds.set(kind, (crawledKinds.get(kind) ?? 0) + 1);
      const res = await request(t.app).get(path).redirects(3);
      status.set(path, res.status);
      if (res.status !== 200 || !/text\/html/.test(String(res.headers['content-type']))) continue;
      // No raw translation key among the words of the page (e.g. "data.sets.scores").
      const words = res.text.replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]*>/g, ' ');
      // One number style per language (es-PE / en-US grouping with commas): no number grouped with spaces.
      for (const m of words.matchAll(/(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])/g)) spaced.push(`"${m[0]}" on ${path}`);
      for (const m of words.matchAll(/(?:[a-z_]+:)?[a-z_]+(?:\.[a-z0-9_]+)+/g)) {
        // A missing key shows as its path: flag any whose first two or more segments are a known path ("data.sets.nope").
        const parts = m[0].replace(/^[a-z_]+:/, '').split('.');
        if (parts.some((_, i) => i >= 1 && keys.has(parts.slice(0, i + 1).join('.')))) rawKeys.push(`${m[0]} on ${path}`);
      }
      for (const link of linksIn(res.text, path)) {
        if (!foundOn.has(link)) foundOn.set(link, path);
        const s = await check(link);
        if (s === 200 && !link.startsWith('/api/') && !link.startsWith('/static/') && (crawledKinds.get(kindOf(link)) ?? 0) < PAGES_PER_KIND) queue.push(link);
      }
    }
    const broken = [...status.entries()].filter(([, s]) => s >= 400).map(([p, s]) => `${s} ${p} (linked from ${foundOn.get(p) ?? 'the sitemap'})`);
    expect(broken).toEqual([]);
    expect(rawKeys).toEqual([]);
    expect(spaced).toEqual([]);
    // The crawl really covered the site: both languages, the kinds of the issue, many links.
    const kinds = [...crawledKinds.keys()];
    const wanted = [
      '/es/provincias/#',
      '/en/provinces/#',
      '/es/municipalidades/#',
      '/en/municipalities/#',
      '/es/departamentos/#',
      '/en/departments/#',
      '/es/comparar?u',
      '/en/compare?u',
      '/es/mapa',
      '/en/map',
      '/es/mapa?level',
      '/en/map?level',
      '/es/buscar?q',
      '/es/ejecucion?level',
    ];
    expect([wanted.filter((k) => !kinds.includes(k)), kinds.length]).toEqual([[], expect.any(Number)]);
    expect(status.size).toBeGreaterThan(1000);
  }, 300000);
});
