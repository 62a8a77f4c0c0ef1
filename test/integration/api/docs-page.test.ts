import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';

/** The human documentation of the API: every documented operation, with an example request and its current answer, in both languages. */
describe('the API documentation page', () => {
  let t: TestApp;
  let doc: { paths: Record<string, { get: { operationId: string } }> };
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
  });
  afterAll(async () => t.cleanup());

  const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));

  it.each(['es', 'en'])('when /%s/api is opened, then 200 with a section, an example request and an example response (or a note) for every operation of openapi.json', async (lng) => {
    const res = await request(t.app).get(`/${lng}/api`).expect(200);
    expect(res.text).toContain(`<html lang="${lng}">`);
    for (const { get } of Object.values(doc.paths)) {
      const at = res.text.indexOf(`<h3 id="${get.operationId}">`);
      expect({ op: get.operationId, found: at >= 0 }).toEqual({ op: get.operationId, found: true });
      const section = res.text.slice(at, res.text.indexOf('</section>', at));
      expect(section).toMatch(/<code>\/api\/v1\//);
      expect(section).toMatch(/<pre class="code"|class="hint"/);
    }
    // The example answers are the portal's data: the municipality example shows Lima's ubigeo and name.
    const muni = res.text.slice(res.text.indexOf('<h3 id="getMunicipality">'));
    expect(muni).toMatch(/&#34;ubigeo&#34;: &#34;150101&#34;|"ubigeo": "150101"/);
  });

  it('when the Spanish and English pages are compared, then their headings are translated', async () => {
    const es = (await request(t.app).get('/es/api').expect(200)).text;
    const en = (await request(t.app).get('/en/api').expect(200)).text;
    expect(es).toContain('API de datos abiertos');
    expect(en).toContain('Open-data API');
    expect(es).toContain('Directorio de municipalidades');
    expect(en).toContain('Directory of municipalities');
  });

  it('when every link of the API page and of the footer is followed, then none answers 404', async () => {
    const home = (await request(t.app).get('/es/').expect(200)).text;
    expect(hrefs(home)).toEqual(expect.arrayContaining(['/api/v1', '/es/api']));
    const links = new Set<string>();
    for (const page of ['/es/api', '/en/api', '/es/', '/en/']) {
      const html = (await request(t.app).get(page).expect(200)).text;
      for (const h of hrefs(html)) if (h.startsWith('/') && !h.startsWith('//')) links.add(h.split('#')[0]);
    }
    expect(links.size).toBeGreaterThan(20);
    const broken: string[] = [];
    for (const link of links) {
      const res = await request(t.app).get(link);
      if (res.status === 404) broken.push(link);
    }
    expect(broken).toEqual([]);
  });
});
