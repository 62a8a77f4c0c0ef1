import type { Browser, Page } from 'playwright-core';
import { lastLink, PASSWORD } from '../../helpers/accounts';
import { click, collectProblems, DESKTOP, describeWithBrowser, launchBrowser, MOBILE, RunningApp, startApp } from '../../helpers/browser';

/*
 * Task (e): a resident on Miraflores' page registers, confirms the address (the link of the
 * mail, read from the outbox) and rates a service, and ends on the page where they started,
 * signed in. By clicks only, without JavaScript, at 375 × 812 and 1280 × 800, in both languages.
 */

type Lang = 'es' | 'en';
const VIEWPORTS = [
  { id: 'mobile', ...MOBILE },
  { id: 'desktop', ...DESKTOP, height: 800 },
] as const;
const MATRIX = (['es', 'en'] as Lang[]).flatMap((lng) => VIEWPORTS.map((v) => ({ lng, viewport: v, label: `${lng} at ${v.width}×${v.height}` })));
const W = {
  es: {
    start: '/es/municipalidades/150122',
    rate: 'Calificar los servicios',
    register: 'Regístrese',
    create: 'Crear cuenta',
    confirm: 'Confirmar',
    send: 'Enviar calificación',
    thanks: 'Gracias. Su calificación quedó registrada',
  },
  en: {
    start: '/en/municipalities/150122',
    rate: 'Rate the services',
    register: 'Register',
    create: 'Create account',
    confirm: 'Confirm',
    send: 'Send rating',
    thanks: 'Thank you. Your rating was recorded',
  },
};

describeWithBrowser('browser: (e) register, confirm and rate, ending where the resident started', () => {
  let app: RunningApp;
  let browser: Browser;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  }, 30000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function onFirstScreen(page: Page, selector: string, height: number) {
    const box = await page.locator(selector).first().boundingBox();
    expect([page.url(), selector, box ? box.y >= 0 && box.y + box.height <= height : 'missing']).toEqual([page.url(), selector, true]);
  }

  test.each(MATRIX)('when a resident registers, confirms and rates from Miraflores’ page ($label), then 7 clicks end on that page, signed in, with the rating recorded', async ({ lng, viewport }) => {
    const w = W[lng];
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: viewport.width, height: viewport.height }, deviceScaleFactor: 1 });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    const problems = collectProblems(page);
    const email = `vecina-${lng}-${viewport.id}@example.pe`;
    const clicks = { n: 0 };
    try {
      await page.goto(app.baseUrl + w.start);
      await onFirstScreen(page, '[data-headline]', viewport.height);
      await click(page, clicks, page.locator('main a', { hasText: w.rate }));
      // The login page says why rating needs an account, on the first screen.
      await onFirstScreen(page, '[data-headline]', viewport.height);
      await click(page, clicks, page.locator('main a', { hasText: w.register }));
      await onFirstScreen(page, 'main h1', viewport.height);
      await page.fill('#reg-email', email);
      await page.fill('#reg-password', PASSWORD);
      await click(page, clicks, page.getByRole('button', { name: w.create }));
      await onFirstScreen(page, 'main h1', viewport.height);
      // The link of the confirmation mail (clicked in the resident's mail program).
      clicks.n += 1;
      const link = await lastLink(app, email);
      expect(link).toContain('returnTo=');
      await page.goto(app.baseUrl + link);
      await onFirstScreen(page, 'main form button[type=submit]', viewport.height);
      await click(page, clicks, page.getByRole('button', { name: w.confirm }));
      // Signed in by the confirmation, on the rating form of Miraflores.
      expect(new URL(page.url()).pathname).toBe(`${w.start}/${lng === 'es' ? 'calificar' : 'rate'}`);
      await onFirstScreen(page, 'main h1', viewport.height);
      expect(await page.locator('.account-nav').textContent()).toContain(email);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      // Each radio beside its label, with a large tap target.
      const choice = page.locator('label.choice[for="r-score-4"]');
      const [label, radio] = [await choice.boundingBox(), await page.locator('#r-score-4').boundingBox()];
      expect(label!.height).toBeGreaterThanOrEqual(44);
      expect(radio!.y).toBeGreaterThanOrEqual(label!.y);
      expect(radio!.y + radio!.height).toBeLessThanOrEqual(label!.y + label!.height);
      const comment = await page.locator('#r-comment').boundingBox();
      expect(comment!.height).toBeGreaterThanOrEqual(100);
      await page.selectOption('#r-target', { index: 0 });
      clicks.n += 1;
      await page.check('#r-score-4');
      await page.fill('#r-comment', 'Recogen la basura a tiempo');
      app.now.ms += 5000; // a human takes more than the minimum fill time
      await click(page, clicks, page.getByRole('button', { name: w.send }));
      expect(clicks.n).toBe(7);
      expect(new URL(page.url()).pathname).toBe(w.start);
      expect(await page.locator('.notice').textContent()).toContain(w.thanks);
      await onFirstScreen(page, '[data-headline]', viewport.height);
      const user = await app.db('users').where({ email }).first();
      expect(await app.db('ratings').where({ user_id: user.id, ubigeo: '150122' }).count({ n: '*' })).toEqual([{ n: 1 }]);
      expect(problems.list).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
