import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

const YEAR = 2031; // a year no other data uses
const COMPLETE = 320;
const PARTIAL = 5;

eachDialect('results score ranking, a page at a time, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const ubigeos: string[] = (
      await t
        .db('municipalities')
        .select('ubigeo')
        .orderBy('ubigeo')
        .limit(COMPLETE + PARTIAL)
    ).map((r: { ubigeo: string }) => r.ubigeo);
    expect(ubigeos).toHaveLength(COMPLETE + PARTIAL);
    const rows = ubigeos.map((ubigeo, i) => {
      const full = i < COMPLETE;
      const score = full ? 90 - i * 0.25 : 50 - i * 0.01; // complete rows: distinct scores, rank i + 1
      return {
        ubigeo,
        year: YEAR,
        s: 50,
        e: 50,
        r: full ? 50 : null,
        p: full ? 50 : null,
        a: full ? 50 : null,
        score,
        coverage: full ? 1 : 0.55,
        n_ratings: 5,
        mean_rating: 3,
        dept_mean: 3,
        weights_id: 1,
        computed_at: '2031-12-31T00:00:00.000Z',
      };
    });
    for (let i = 0; i < rows.length; i += 50) await t.db('scores').insert(rows.slice(i, i + 50));
  });
  afterAll(async () => t.cleanup());

  const ranks = (html: string, group: number) => {
    const section = html.split(`<section aria-labelledby="group-${group}">`)[1].split('</section>')[0];
    return [...section.matchAll(/<tr><td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]));
  };

  it('when a group has more than 300 scores, then the first page shows its top 300 with every other group, says so, and links to the next page', async () => {
    const res = await request(t.app).get(`/es/indice?year=${YEAR}`).expect(200);
    expect(ranks(res.text, 0)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(ranks(res.text, 1)).toHaveLength(PARTIAL);
    expect(res.text).toContain(`Ranking ${YEAR} (${COMPLETE} municipalidades)`);
    expect(res.text).toContain(`Se muestran 1–300 de ${COMPLETE}`);
    expect(res.text).toMatch(/<nav class="pagination" aria-label="Páginas">/);
    expect(res.text).toContain(`href="/es/indice?year=${YEAR}&amp;page=2" rel="next"`);
  });

  it('when the second page is asked, then it shows the rest of the long group in rank order, and a group already shown says so', async () => {
    const res = await request(t.app).get(`/en/score?year=${YEAR}&page=2`).expect(200);
    expect(ranks(res.text, 0)).toEqual(Array.from({ length: COMPLETE - 300 }, (_, i) => 301 + i));
    expect(res.text).toContain(`Showing 301–${COMPLETE} of ${COMPLETE}`);
    expect(res.text).toContain(`All ${PARTIAL} municipalities of this group are on earlier pages.`);
    expect(res.text).toContain('rel="prev"');
    expect(res.text).not.toContain('rel="next"');
  });

  it('when the page is past the end, then the last page is shown; when it is not a number, then a localized 400', async () => {
    const past = await request(t.app).get(`/en/score?year=${YEAR}&page=99`).expect(200);
    expect(ranks(past.text, 0)[0]).toBe(301);
    const bad = await request(t.app).get(`/es/indice?year=${YEAR}&page=dos`).expect(400);
    expect(bad.text).toContain('La página debe ser un número entre 1 y 9999.');
  });
});
