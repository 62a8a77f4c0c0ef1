import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';

/** Issue 7's budgets: any page's HTML ≤ 60 kB gzipped, the stylesheet ≤ 20 kB. */
const HTML_BUDGET = 60 * 1024;
const CSS_BUDGET = 20 * 1024;

// The heaviest pages on the bundled national data (every municipality of a department or of the country).
const PAGES = [
  '/es/',
  '/es/departamentos',
  '/es/departamentos/15',
  '/en/departments/15',
  '/es/municipalidades/150101',
  '/es/ejecucion?level=municipality',
  '/en/execution?level=province',
  '/es/historico',
  '/es/indice?year=2024',
  '/en/score?year=2024',
  '/es/presupuesto-participativo',
  '/es/rendicion-de-cuentas/compromisos',
  '/es/gasto?by=function',
  '/es/comparar?u=150101&u=010101&u=040101&u=130101',
];

describe('size budgets on the bundled national data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t.cleanup());

  it('when the heaviest public pages are rendered, then each HTML is at most 60 kB gzipped (as sent)', async () => {
    const sizes: Array<[string, number]> = [];
    for (const url of PAGES) {
      const res = await request(t.app).get(url).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      sizes.push([url, zlib.gzipSync(Buffer.from(res.text)).length]);
    }
    expect(sizes.filter(([, n]) => n > HTML_BUDGET)).toEqual([]);
    // The department page lists all 171 municipalities of Lima: the budget is a real bound for it.
    expect(sizes.find(([u]) => u === '/es/departamentos/15')![1]).toBeGreaterThan(4 * 1024);
  });

  it('when the stylesheet is measured, then it is at most 20 kB (before gzip)', () => {
    const css = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'public', 'css', 'site.css'));
    expect(css.length).toBeLessThanOrEqual(CSS_BUDGET);
  });
});
