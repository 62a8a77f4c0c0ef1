import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

const text = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

eachDialect('pages a resident understands at a glance on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  describe('the municipality page', () => {
    it('when Miraflores (150122) is opened, then its headline gives the 2024 execution % and accrued spending, matching the API figures', async () => {
      const api = (await request(t.app).get('/api/v1/municipalities/150122/execution?year=2024').expect(200)).body;
      const res = await request(t.app).get('/es/municipalidades/150122').expect(200);
      const headline = text(/<p class="headline" data-headline>([\s\S]*?)<\/p>/.exec(res.text)![1]);
      expect(headline).toContain(`${api.execution_pct.toFixed(1)} %`);
      expect(headline).toContain(`S/ ${Math.round(api.devengado).toLocaleString('en-US')}`);
      expect(headline).toContain('2024');
    });

    it('when Miraflores is opened, then its ranks in province, department, country and peers link to those rankings, and the province rank agrees with the province page', async () => {
      const res = await request(t.app).get('/es/municipalidades/150122').expect(200);
      const ranks = /<ul class="ranks">([\s\S]*?)<\/ul>/.exec(res.text)![1];
      const links = [...ranks.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[1].replace(/&amp;/g, '&'), m[2]]);
      expect(links.map(([href]) => href)).toEqual(['/es/provincias/1501', '/es/departamentos/15', '/es/ejecucion?level=municipality', '/es/ejecucion?level=municipality&type=distrital&band=50k_200k']);
      for (const [href] of links) await request(t.app).get(href).expect(200);
      // The province page lists Miraflores at the rank the municipality page gives.
      const province = await request(t.app).get('/es/provincias/1501').expect(200);
      const row = /<tr>\s*<td class="num" data-label="Puesto">(\d+)<\/td>\s*<th scope="row"[^>]*><a href="\/es\/municipalidades\/150122">Miraflores<\/a>/.exec(province.text);
      expect(row).not.toBeNull();
      expect(links[0][1]).toBe(`${row![1]}.º de 43`);
      // The peer ranking has as many rows as the municipality page says.
      const peers = await request(t.app).get('/api/v1/execution?level=municipality&type=distrital&band=50k_200k').expect(200);
      expect(links[3][1]).toMatch(new RegExp(`de ${peers.body.meta.count}$`));
      const all = (await request(t.app).get('/api/v1/municipalities?type=distrital').expect(200)).body.data as Array<{ ubigeo: string; population: number }>;
      const band = new Set(all.filter((m) => m.population >= 50000 && m.population < 200000).map((m) => m.ubigeo));
      expect(peers.body.meta.count).toBe(band.size);
      expect(peers.body.data.every((r: { code: string }) => band.has(r.code))).toBe(true);
    });

    it.each(['150122', '150101', '010101', '080101', '150131'])('when %s is opened, then the score component E equals the execution %% shown for that year', async (ubigeo) => {
      const res = await request(t.app).get(`/es/municipalidades/${ubigeo}`).expect(200);
      const headline = /data-headline><span class="big">([\d.]+) %<\/span>[\s\S]*?ejecutado en (\d{4})/.exec(res.text)!;
      const scoreRow = new RegExp(`<tr><th scope="row"[^>]*>${headline[2]}</th>((?:<td[^>]*>[^<]*</td>)+)</tr>`).exec(res.text)!;
      const cells = [...scoreRow[1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
      // score, coverage, S, E, R, P, A
      expect(cells[3]).toBe(String(Math.min(100, Number(headline[1])).toFixed(1)));
    });

    it('when a municipality is opened in English, then the history block has its place and the participation glance uses the participation rules', async () => {
      const res = await request(t.app).get('/en/municipalities/150122').expect(200);
      expect(res.text).toContain('Accrued spending per inhabitant');
      expect(res.text).toContain('Accountability hearings on time');
      expect(res.text).toContain('href="/en/municipalities/150122/delivery"');
    });
  });

  it.each(['/es/', '/en/', '/es/municipalidades/150122', '/en/provinces/1501'])('when %s is opened, then the top navigation has at most 6 entries and the rest is in the footer', async (url) => {
    const res = await request(t.app).get(url).expect(200);
    const nav = /<ul class="nav">([\s\S]*?)<\/ul>/.exec(res.text)![1];
    expect((nav.match(/<li>/g) ?? []).length).toBeLessThanOrEqual(6);
    const foot = /<ul class="foot-nav">([\s\S]*?)<\/ul>/.exec(res.text)![1];
    expect(foot).toMatch(/(mapa|map)"/);
  });

  describe('province pages', () => {
    it('when the province of Lima is opened, then its 43 municipalities are ranked with totals, a chart and its table, in both languages', async () => {
      const es = await request(t.app).get('/es/provincias/1501').expect(200);
      expect((es.text.match(/<th scope="row" data-label="Municipalidad">/g) ?? []).length).toBe(43);
      expect(es.text).toContain('<svg');
      expect(es.text).toContain('Total de la provincia');
      const en = await request(t.app).get('/en/provinces/1501').expect(200);
      expect(en.text).toContain('Province of Lima');
    });
    it('when a province does not exist or the code is malformed, then the answer is a localized 404', async () => {
      const res = await request(t.app).get('/es/provincias/9999').expect(404);
      expect(res.text).toContain('No existe la provincia 9999.');
      await request(t.app).get('/es/provincias/15x1').expect(404);
    });
    it('when the department of Lima is filtered by the province of Lima, then only its 43 municipalities are listed, in proper case', async () => {
      const res = await request(t.app).get('/es/departamentos/15?province=1501').expect(200);
      expect((res.text.match(/<th scope="row" data-label="Municipalidad">/g) ?? []).length).toBe(43);
      expect(res.text).toContain('>Miraflores</a>');
      expect(res.text).not.toContain('MUNICIPALIDAD DISTRITAL');
      expect(res.text).toContain('href="/es/provincias/1501"');
    });
  });

  describe('search', () => {
    it.each([
      ['apurimac', '/es/departamentos/03', 'Apurímac'],
      ['Ancon', '/es/municipalidades/150102', 'Ancón'],
      ['150122', '/es/municipalidades/150122', 'Miraflores'],
      ['1501', '/es/provincias/1501', 'Lima'],
      ['huarochiri', '/es/provincias/1507', 'Huarochirí'],
    ])('when searching "%s", then %s is found with its headline figure', async (q, href, name) => {
      const res = await request(t.app)
        .get(`/es/buscar?q=${encodeURIComponent(q)}`)
        .expect(200);
      const li = new RegExp(`<li><a href="${href}">[^<]*${name}[^<]*</a>[\\s\\S]*?</li>`).exec(res.text);
      expect(li).not.toBeNull();
      expect(li![0]).toMatch(/ejecutó [\d.]+ % en 2024/);
    });
  });

  describe('compare', () => {
    it('when arriving from a municipality page (one ubigeo), then it is chosen, status 200 and no error box', async () => {
      const res = await request(t.app).get('/es/comparar?u=150122').expect(200);
      expect(res.text).not.toContain('error-summary');
      expect(res.text).toContain('<input type="hidden" name="u" value="150122">');
      expect(res.text).toContain('>Miraflores</a>');
    });
    it('when "san isidro" is added by name, then the two San Isidro are offered, and choosing Lima compares both as stacked cards', async () => {
      const offer = await request(t.app).get('/es/comparar?u=150122&add=san+isidro').expect(200);
      expect(offer.text).toContain('value="150131"');
      expect(offer.text).toContain('value="090612"');
      const cmp = await request(t.app).get('/es/comparar?u=150122&u=150131').expect(200);
      expect((cmp.text.match(/<p class="headline" data-headline>/g) ?? []).length).toBe(2);
      expect(cmp.text).toContain('<ul class="cards"');
      expect(cmp.text).not.toContain('<table');
    });
    it('when a unique name is added, then it is chosen directly; an unknown name is said so with 200', async () => {
      const res = await request(t.app).get('/en/compare?u=150122&add=jesus+maria').expect(200);
      expect(res.text).toContain('<input type="hidden" name="u" value="150113">');
      const none = await request(t.app).get('/en/compare?u=150122&add=xyzzy').expect(200);
      expect(none.text).toContain('No municipality is called “xyzzy”');
    });
  });
});
