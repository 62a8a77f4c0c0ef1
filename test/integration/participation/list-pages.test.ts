import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

const NOW = '2026-01-01T00:00:00.000Z';

eachDialect('participatory budget list, a page at a time, on %s', (dialect) => {
  let t: TestApp;
  let total: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.db('pb_processes').insert({ ubigeo: '080101', year: 2023, is_example: false, created_at: NOW, updated_at: NOW });
    const proc = await t.db('pb_processes').where({ ubigeo: '080101', year: 2023 }).first();
    const rows = Array.from({ length: 130 }, (_, i) => ({
      process_id: proc.id,
      ubigeo: '080101',
      year: 2023,
      priority: i + 1,
      title_es: `Obra de prueba número ${String(i + 1).padStart(3, '0')}`,
      total_cost: 100_000,
      baseline_total_cost: 100_000,
      status: 'en_ejecucion',
      progress_pct: 10,
      is_example: false,
      created_at: NOW,
      updated_at: NOW,
    }));
    for (let i = 0; i < rows.length; i += 50) await t.db('pb_items').insert(rows.slice(i, i + 50));
    total = Number((await t.db('pb_items').count({ n: '*' }).first())!.n);
  });
  afterAll(async () => t.cleanup());

  it('when there are more items than fit on a page, then the list shows the true total, 100 rows and links to the other pages', async () => {
    const page = await request(t.app).get('/es/presupuesto-participativo').expect(200);
    expect(total).toBeGreaterThan(130);
    expect(page.text).toContain(`${total} proyectos`);
    expect(page.text.match(/<tr>\s*<td><a href="\/es\/presupuesto-participativo\/proyectos\//g)).toHaveLength(100);
    expect(page.text).toMatch(/<nav class="pagination" aria-label="Páginas">/);
    expect(page.text).toContain('href="/es/presupuesto-participativo?page=2" rel="next"');
  });

  it('when a reader filters and moves to the second page, then the filter is kept and the remaining rows follow in priority order', async () => {
    const first = await request(t.app).get('/en/participatory-budget?ubigeo=080101&year=2023').expect(200);
    expect(first.text).toContain('130 items');
    expect(first.text).toContain('Showing 1–100 of 130.');
    expect(first.text).toContain('href="/en/participatory-budget?ubigeo=080101&amp;year=2023&amp;page=2"');
    const second = await request(t.app).get('/en/participatory-budget?ubigeo=080101&year=2023&page=2').expect(200);
    expect(second.text).toContain('Showing 101–130 of 130.');
    const titles = [...second.text.matchAll(/Obra de prueba número (\d{3})/g)].map((m) => Number(m[1]));
    expect(titles).toEqual(Array.from({ length: 30 }, (_, i) => 101 + i));
    expect(second.text).toContain('rel="prev"');
    expect(second.text).not.toContain('rel="next"');
    // The download link offers the whole filtered list, not one page.
    expect(second.text).toContain('/api/v1/participatory-budget/items?ubigeo=080101&amp;year=2023');
    expect(second.text).not.toMatch(/participatory-budget\/items\?[^"]*page=/);
  });

  it('when the page asked for is past the end or not a number, then the last page is shown or a localized 400 explains it', async () => {
    const past = await request(t.app).get('/es/presupuesto-participativo?ubigeo=080101&year=2023&page=99').expect(200);
    expect(past.text).toContain('Se muestran 101–130 de 130.');
    const bad = await request(t.app).get('/es/presupuesto-participativo?page=dos').expect(400);
    expect(bad.text).toContain('La página debe ser un número entre 1 y 9999.');
  });
});
