import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

const BASE = 'https://resultados.example.pe';

/** Head facts of one HTML page. */
function head(html: string) {
  const all = (re: RegExp) => [...html.matchAll(re)].map((m) => m[1]);
  const unescape = (s: string | undefined) => (s ?? '').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  return {
    title: unescape(/<title>([^<]*)<\/title>/.exec(html)?.[1]),
    description: unescape(/<meta name="description" content="([^"]*)">/.exec(html)?.[1]),
    canonicals: all(/<link rel="canonical" href="([^"]*)">/g),
    alternates: [...html.matchAll(/<link rel="alternate" hreflang="([^"]*)" href="([^"]*)">/g)].map((m) => ({ hreflang: m[1], href: m[2] })),
    ogImage: /<meta property="og:image" content="([^"]*)">/.exec(html)?.[1],
    ogTitle: /<meta property="og:title" content="([^"]*)">/.exec(html)?.[1],
    twitterCard: /<meta name="twitter:card" content="([^"]*)">/.exec(html)?.[1],
    jsonLd: all(/<script type="application\/ld\+json" nonce="[^"]+">([\s\S]*?)<\/script>/g).map((s) => JSON.parse(s)),
  };
}

const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1].replace(/&amp;/g, '&'));
const local = (url: string) => url.slice(BASE.length);

eachDialect('findable and shareable (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { publicUrl: BASE }, sitemapMaxUrls: 5000 });
  }, 120000);
  afterAll(async () => t?.cleanup());

  it('when robots.txt, the favicon set and the manifests are asked for, then each answers 200 with its type and robots names the sitemap', async () => {
    const robots = await request(t.app).get('/robots.txt').expect(200);
    expect(robots.type).toBe('text/plain');
    expect(robots.text).toContain(`Sitemap: ${BASE}/sitemap.xml`);
    expect(robots.text).toContain('Disallow: /es/admin');
    const ico = await request(t.app).get('/favicon.ico').expect(200);
    expect(ico.type).toBe('image/x-icon');
    expect(ico.body.readUInt16LE(2)).toBe(1); // ICO header
    await request(t.app)
      .get('/icon.svg')
      .expect(200)
      .expect('Content-Type', /image\/svg\+xml/);
    for (const p of ['/apple-touch-icon.png', '/icon-192.png', '/icon-512.png']) {
      const png = await request(t.app).get(p).expect(200).expect('Content-Type', 'image/png');
      expect(png.body.subarray(1, 4).toString()).toBe('PNG');
    }
    const manifest = await request(t.app).get('/manifest-es.webmanifest').expect(200);
    expect(JSON.parse(manifest.text)).toMatchObject({ name: 'Resultados Abiertos', start_url: '/es/', lang: 'es-PE' });
    await request(t.app).get('/manifest-fr.webmanifest').expect(404);
  });

  it('when trailing-slash or default-parameter variants are asked for, then they redirect 301 to the canonical URL', async () => {
    const cases: Array<[string, string]> = [
      ['/es', '/es/'],
      ['/en', '/en/'],
      ['/es/departamentos/', '/es/departamentos'],
      ['/en/municipalities/150101/', '/en/municipalities/150101'],
      ['/es/departamentos/15/?year=2025', '/es/departamentos/15?year=2025'],
      ['/es/ejecucion?level=department', '/es/ejecucion'],
    ];
    for (const [from, to] of cases) {
      const res = await request(t.app).get(from).expect(301);
      expect(res.headers.location).toBe(to);
    }
    const year = (await request(t.app).get('/api/v1/execution').expect(200)).body;
    const defaultYear = year?.year?.year ?? year?.year;
    if (typeof defaultYear === 'number') {
      const res = await request(t.app).get(`/es/departamentos/15?year=${defaultYear}`).expect(301);
      expect(res.headers.location).toBe('/es/departamentos/15');
    }
  });

  it('when a page is viewed, then it has one absolute canonical, absolute hreflang alternates with self and x-default, and OG/Twitter tags whose image answers 200 with a PNG', async () => {
    const res = await request(t.app).get('/es/municipalidades/150101').expect(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    const h = head(res.text);
    expect(h.canonicals).toEqual([`${BASE}/es/municipalidades/150101`]);
    expect(h.alternates).toEqual([
      { hreflang: 'es', href: `${BASE}/es/municipalidades/150101` },
      { hreflang: 'en', href: `${BASE}/en/municipalities/150101` },
      { hreflang: 'x-default', href: `${BASE}/es/municipalidades/150101` },
    ]);
    expect(h.twitterCard).toBe('summary_large_image');
    expect(h.ogImage).toBe(`${BASE}/share/es/m/150101.png`);
    const img = await request(t.app).get(local(h.ogImage!)).expect(200).expect('Content-Type', 'image/png');
    expect(img.body.readUInt32BE(16)).toBe(1200); // IHDR width
    expect(img.body.readUInt32BE(20)).toBe(630);
    expect(img.headers['cache-control']).toMatch(/public/);
    const again = await request(t.app).get(local(h.ogImage!)).expect(200);
    expect(again.headers.etag).toBe(img.headers.etag);
    const org = h.jsonLd.find((j) => j['@type'] === 'GovernmentOrganization');
    expect(org).toMatchObject({ identifier: '150101', url: `${BASE}/es/municipalidades/150101` });
    const dept = head((await request(t.app).get('/en/departments/15').expect(200)).text);
    expect(dept.ogImage).toBe(`${BASE}/share/en/d/15.png`);
    await request(t.app).get(local(dept.ogImage!)).expect(200).expect('Content-Type', 'image/png');
    const home = head((await request(t.app).get('/en/').expect(200)).text);
    await request(t.app).get(local(home.ogImage!)).expect(200).expect('Content-Type', 'image/png');
  });

  it('when the open-data page is viewed, then it carries schema.org Dataset JSON-LD with the nonce and a CSV distribution per dataset that answers 200', async () => {
    const res = await request(t.app).get('/en/data').expect(200);
    const [catalog] = head(res.text).jsonLd;
    expect(catalog['@type']).toBe('DataCatalog');
    expect(catalog.dataset.length).toBeGreaterThan(3);
    for (const d of catalog.dataset) {
      expect(d['@type']).toBe('Dataset');
      expect(d.distribution[0]).toMatchObject({ '@type': 'DataDownload', encodingFormat: 'text/csv' });
    }
    await request(t.app).get(local(catalog.dataset[0].distribution[0].contentUrl)).expect(200);
    const nonce = /nonce="([^"]+)"/.exec(res.text)?.[1];
    expect(res.headers['content-security-policy']).toContain(`'nonce-${nonce}'`);
  });

  it('when the sitemap index is read, then its sitemaps hold at most the URL limit, list every municipality page in both languages with lastmod, and a sample of every kind answers 200 with unique titles and descriptions', async () => {
    const index = await request(t.app)
      .get('/sitemap.xml')
      .expect(200)
      .expect('Content-Type', /application\/xml/);
    const files = locs(index.text);
    expect(files.length).toBeGreaterThan(4); // the 1 891 municipalities × 4 pages × 2 languages do not fit 5 000 per file
    const urls: string[] = [];
    for (const f of files) {
      const xml = (await request(t.app).get(local(f)).expect(200)).text;
      const mine = locs(xml);
      expect(mine.length).toBeLessThanOrEqual(5000);
      expect(xml).toMatch(/<lastmod>\d{4}-\d{2}-\d{2}<\/lastmod>/);
      urls.push(...mine);
    }
    expect(new Set(urls).size).toBe(urls.length);
    expect(urls.filter((u) => /\/(es\/municipalidades|en\/municipalities)\/\d{6}$/.test(u))).toHaveLength(1891 * 2);
    expect(urls).toContain(`${BASE}/es/departamentos/15`);
    expect(urls.filter((u) => /\/(es\/provincias|en\/provinces)\/\d{4}$/.test(u))).toHaveLength(196 * 2);
    expect(urls).toContain(`${BASE}/en/`);

    // A sample of every kind: all static pages, then up to 12 of each parameterised kind (both languages).
    const kind = (u: string) => local(u).replace(/\d+/g, '#');
    const byKind = new Map<string, string[]>();
    for (const u of urls) byKind.set(kind(u), [...(byKind.get(kind(u)) ?? []), u]);
    // Same-named municipalities (five Santa Cruz) and the two Limas must be in the sample.
    const must = ['/es/municipalidades/150101', '/es/departamentos/15', '/en/municipalities/150101', '/en/departments/15'];
    const sample = new Set(must.map((p) => BASE + p));
    const santaCruz = (await request(t.app).get('/api/v1/municipalities?q=santa+cruz').expect(200)).body;
    const santaCruzRows = (Array.isArray(santaCruz) ? santaCruz : (santaCruz.data ?? santaCruz.rows ?? [])) as Array<{ ubigeo: string; district: string }>;
    for (const m of santaCruzRows.filter((r) => r.district === 'Santa Cruz')) for (const lng of ['es/municipalidades', 'en/municipalities']) sample.add(`${BASE}/${lng}/${m.ubigeo}`);
    for (const list of byKind.values()) for (const u of list.filter((_, i) => i % Math.max(1, Math.floor(list.length / 12)) === 0).slice(0, 12)) sample.add(u);
    const titles = new Map<string, string>();
    const descriptions = new Map<string, string>();
    for (const u of sample) {
      const res = await request(t.app).get(local(u));
      expect([u, res.status]).toEqual([u, 200]);
      expect(res.headers['set-cookie']).toBeUndefined();
      const h = head(res.text);
      expect(h.canonicals).toEqual([u]);
      expect(h.alternates.map((a) => a.hreflang)).toEqual(['es', 'en', 'x-default']);
      for (const a of h.alternates) expect(a.href.startsWith(`${BASE}/`)).toBe(true);
      expect(h.title.length).toBeGreaterThan(20);
      expect([u, titles.get(h.title)]).toEqual([u, undefined]);
      expect([u, descriptions.get(h.description)]).toEqual([u, undefined]);
      titles.set(h.title, u);
      descriptions.set(h.description, u);
    }
    expect(santaCruzRows.filter((r) => r.district === 'Santa Cruz').length).toBeGreaterThan(1);
  }, 240000);

  it('when the department and the municipality of Lima are viewed, then their titles differ and say which is which', async () => {
    const d = head((await request(t.app).get('/es/departamentos/15').expect(200)).text).title;
    const m = head((await request(t.app).get('/es/municipalidades/150101').expect(200)).text).title;
    expect(d).toMatch(/^Departamento de Lima — ejecución \d{4}: [\d.,]+ %/);
    expect(m).toMatch(/^Lima \(Lima, Lima\) — ejecución \d{4}: [\d.,]+ %/);
  });

  it('when a search results page is viewed, then it says noindex and names the query in its title', async () => {
    const res = await request(t.app).get('/en/search?q=santa+cruz').expect(200);
    expect(res.text).toContain('<meta name="robots" content="noindex">');
    expect(head(res.text).title).toBe('Search "santa cruz" · Resultados Abiertos');
  });
});
