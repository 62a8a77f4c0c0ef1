import fs from 'node:fs';
import { BrowserContext, Page } from 'playwright-core';
import { useBrowserApp } from '../../helpers/browser';
import { createUser, lastLink, PASSWORD } from '../../helpers/accounts';
import { createAuditService } from '../../../src/modules/audit';
import { createScoresService } from '../../../src/modules/scores';
import { areaIds, eventually, insertRatings } from '../../integration/scores/helpers';

const chromiumPath = process.env.RA_TEST_CHROMIUM;
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const UBIGEO = '150101';

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; impact: string }> }> } };
    const r = await w.axe.run({ runOnly: ['wcag2a', 'wcag2aa'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  });
}

async function loginIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/es/login`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', PASSWORD);
  await page.click('main button[type=submit]');
}

(chromiumPath ? describe : describe.skip)('rating, satisfaction and score in a browser (SQLite, chromium)', () => {
  const app = useBrowserApp();

  it('when a resident registers, confirms and rates without JavaScript, then the aggregate appears at 5 residents and the score and ranking follow', async () => {
    const year = new Date(app.t.now.ms - 5 * 3600_000).getUTCFullYear();
    const quarter = Math.floor(new Date(app.t.now.ms - 5 * 3600_000).getUTCMonth() / 3) + 1;
    const [area] = await areaIds(app.t);
    await insertRatings(app.t, UBIGEO, year, quarter, area, [5, 5, 3, 3]);

    const context: BrowserContext = await app.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${app.base}/es/registro`);
    await page.fill('#reg-email', 'vecina@example.pe');
    await page.fill('#reg-password', PASSWORD);
    await page.click('main button[type=submit]');
    await page.goto(`${app.base}${await lastLink(app.t, 'vecina@example.pe')}`);
    await page.click('main button[type=submit]');
    expect(await page.textContent('h1')).toContain('Cuenta confirmada');
    // Confirming the address signs the resident in.
    expect(await page.textContent('.account-nav')).toContain('vecina@example.pe');

    await page.goto(`${app.base}/es/municipalidades/${UBIGEO}/satisfaccion`);
    expect(await page.textContent('main')).toContain('Aún no hay suficientes calificaciones');
    const scoresBefore = await app.t.db('scores').where({ ubigeo: UBIGEO, year }).first();
    expect(scoresBefore?.s ?? null).toBeNull();

    await page.goto(`${app.base}/es/municipalidades/${UBIGEO}/calificar`);
    await page.selectOption('#r-target', `a${area}`);
    await page.check('#r-score-4');
    await page.fill('#r-comment', 'Recogen la basura a tiempo');
    app.t.now.ms += 5000; // a human takes more than the minimum fill time
    await page.click('main button[type=submit]');
    expect(await page.textContent('.notice')).toContain('Gracias');

    await page.goto(`${app.base}/es/municipalidades/${UBIGEO}/satisfaccion`);
    const main = await page.textContent('main');
    expect(main).toContain('4.00 / 5'); // (5 + 5 + 3 + 3 + 4) / 5, es-PE formatting
    expect(main).not.toContain('vecina@example.pe');

    // The score follows (recomputed in the background) and the ranking shows it.
    const expectedS = Math.round(((4 - 1) / 4) * 100 * 100) / 100; // only published municipality of Lima: μ = x̄
    await eventually(async () => {
      const row = await app.t.db('scores').where({ ubigeo: UBIGEO, year }).first();
      expect(Number(row.s)).toBeCloseTo(expectedS, 2);
    });
    await page.goto(`${app.base}/es/indice?year=${year}&department=15`);
    expect(await page.textContent('main')).toContain('Cobertura parcial: S');
    expect(await page.locator(`main a[href="/es/municipalidades/${UBIGEO}"]`).count()).toBeGreaterThan(0);
    await page.goto(`${app.base}/es/municipalidades/${UBIGEO}`);
    expect(await page.textContent('#score-h')).toContain('Índice de resultados');

    await page.goto(`${app.base}/es/cuenta/opiniones`);
    expect(await page.textContent('main')).toContain('Recogen la basura a tiempo');
    await context.close();
  });

  /** A municipality of its own with enough ratings for the aggregate and the score to be shown, and a signed-in resident. */
  async function expectAccessible(ubigeo: string, email: string, urls: (year: number) => string[]) {
    const year = new Date(app.t.now.ms - 5 * 3600_000).getUTCFullYear();
    const quarter = Math.floor(new Date(app.t.now.ms - 5 * 3600_000).getUTCMonth() / 3) + 1;
    const [area] = await areaIds(app.t);
    await insertRatings(app.t, ubigeo, year, quarter, area, [5, 4, 4, 3, 2]);
    await createScoresService({ db: app.t.db, clock: () => app.t.now.ms, audit: createAuditService() }).recompute({ year, department: ubigeo.slice(0, 2) });
    await createUser(app.t, email, 'resident');
    const checkerContext = await app.browser.newContext({ bypassCSP: true });
    const checker = await checkerContext.newPage();
    await loginIn(checker, app.base, email);
    const failures: string[] = [];
    for (const url of urls(year)) {
      await checker.goto(`${app.base}${url}`);
      const v = await axeViolations(checker);
      if (v.length) failures.push(`${url}: ${v.join(', ')}`);
    }
    expect(failures).toEqual([]);
    await checkerContext.close();
  }

  it('when the rating, satisfaction and score pages are audited in Spanish (a resident signed in for the pages behind login), then axe finds no serious or critical WCAG 2 A/AA violation', async () => {
    await expectAccessible('080101', 'revisora@example.pe', (year) => [
      `/es/indice?year=${year}`,
      '/es/indice/metodologia',
      '/es/municipalidades/080101/satisfaccion',
      '/es/municipalidades/080101/calificar',
      '/es/cuenta/opiniones',
    ]);
  });

  it('when the rating, satisfaction and score pages are audited in English (a resident signed in for the pages behind login), then axe finds no serious or critical WCAG 2 A/AA violation', async () => {
    await expectAccessible('040101', 'reviewer@example.pe', (year) => [
      `/en/score?year=${year}`,
      `/en/score/methodology?ubigeo=040101&year=${year}`,
      '/en/municipalities/040101/satisfaction',
      '/en/municipalities/040101/rate',
      '/en/account/feedback',
      '/en/municipalities/040101',
    ]);
  });
});
