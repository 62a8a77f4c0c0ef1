import http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { createMailer } from '../../../src/lib/mailer';
import { createLogger } from '../../../src/lib/logger';
import { runDigests } from '../../../src/modules/participation';
import { TestApp } from '../../helpers/app';
import { createUser, formToken, mailsTo, PASSWORD } from '../../helpers/accounts';
import { chromiumPath, closeBrowserApp, formatViolations, MOBILE, noJsContext, openBrowserApp, overflowingElements, runAxe, signInPage } from '../../helpers/browser';
import { createProcessAndItem, itemForm, official } from '../../helpers/participation';

/**
 * Issue 13, "follow a municipality", in a browser without JavaScript at 375 px, in both
 * languages: a resident signs in, follows a municipality, its official changes an item, the
 * digest job runs, the captured email lists the change and its link opens the item's page, and
 * the account's "what's new" page shows the same line. Axe on the pages this adds to.
 */
(chromiumPath ? describe : describe.skip)('following a municipality in a browser (SQLite, chromium, no JavaScript)', () => {
  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    ({ t, base, server, browser } = await openBrowserApp());
  });
  afterAll(() => closeBrowserApp({ t, server, browser }));

  const axe = async (page: Page) => [new URL(page.url()).pathname, formatViolations(await runAxe(page, { scriptsDisabled: true }))];
  const clean = (page: Page) => [new URL(page.url()).pathname, ''];

  const cases = [
    { lng: 'es', ubigeo: '150108', name: 'Chorrillos', email: 'vecina-sigue@example.pe', muni: '/es/municipalidades', news: '/es/cuenta/novedades', account: '/es/cuenta' },
    { lng: 'en', ubigeo: '150109', name: 'Cieneguilla', email: 'neighbour-follows@example.pe', muni: '/en/municipalities', news: '/en/account/whats-new', account: '/en/account' },
  ] as const;

  for (const c of cases) {
    it(`when a resident follows ${c.name} (${c.lng}) and its official changes an item, then the digest lists it, its link opens the item, and what's new shows it`, async () => {
      await createUser(t, c.email, 'resident');
      const context = await noJsContext(browser, MOBILE);
      const page = await signInPage(context, base, c.email, PASSWORD, c.lng);
      if (c.lng === 'en') {
        // The digest in English: the account's preferences form.
        await page.goto(`${base}${c.account}`);
        expect(await axe(page)).toEqual(clean(page));
        await page.selectOption('#digest-lang', 'en');
        await page.selectOption('#digest-frequency', 'weekly');
        await page.click('form[action="/en/account/digest"] button[type=submit]');
        expect(await page.textContent('main')).toContain('Digest preferences saved.');
        await page.selectOption('#digest-frequency', 'daily');
        await page.click('form[action="/en/account/digest"] button[type=submit]');
      }
      await page.goto(`${base}${c.muni}/${c.ubigeo}`);
      await page.click('button.follow-button');
      expect(new URL(page.url()).pathname).toBe(`${c.muni}/${c.ubigeo}`);
      expect(await page.textContent('.follow-box')).toContain(c.lng === 'es' ? 'Ahora sigue este elemento.' : 'You now follow this.');
      expect(await axe(page)).toEqual(clean(page));

      // Something changes: the municipality's official publishes an item, then stops it with a reason.
      t.now.ms += 1000;
      const a = await official(t, `alcaldia-${c.ubigeo}@example.pe`, c.ubigeo);
      const itemId = await createProcessAndItem(t, a, c.ubigeo, { title_es: `Mercado de ${c.name}`, title_en: `${c.name} market` });
      t.now.ms += 1000;
      const token = await formToken(a, `/es/gestion/${c.ubigeo}/proyectos/${itemId}`);
      await a
        .post(`/es/gestion/${c.ubigeo}/proyectos/${itemId}`)
        .type('form')
        .send({ _csrf: token, ...itemForm({ title_es: `Mercado de ${c.name}`, title_en: `${c.name} market`, status: 'paralizado' }), reason: 'Falta de expediente técnico' })
        .expect(303);

      // The digest job runs; the captured email lists the change, in the reader's language.
      t.now.ms += 60_000;
      await runDigests({ db: t.db, mailer: createMailer(t.config, createLogger('silent')), clock: () => t.now.ms, publicUrl: base, secret: t.config.sessionSecret });
      const mails = await mailsTo(t, c.email);
      expect(mails).toHaveLength(1);
      const title = c.lng === 'es' ? `Mercado de ${c.name}` : `${c.name} market`;
      const line =
        c.lng === 'es' ? `${title}: Estado: En ejecución → Paralizado — Motivo: Falta de expediente técnico` : `${title}: Status: In progress → Halted — Reason: Falta de expediente técnico`;
      expect(mails[0]).toContain(line);
      const itemPath = c.lng === 'es' ? `/es/presupuesto-participativo/proyectos/${itemId}` : `/en/participatory-budget/items/${itemId}`;
      const link = new RegExp(`^ {2}- [^\\n]+${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n {4}(\\S+)$`, 'm').exec(mails[0])![1];
      expect(link).toBe(`${base}${itemPath}`);
      await page.goto(link);
      expect(await page.textContent('h1')).toContain(title);

      // What's new shows the same line, links to the same page, and fits 375 px.
      await page.goto(`${base}${c.news}`);
      const entry = page.locator('.news-lines a', { hasText: line });
      expect(await entry.count()).toBe(1);
      expect(await entry.getAttribute('href')).toBe(itemPath);
      expect(await page.textContent('.followed-list')).toContain(c.name);
      expect(await overflowingElements(page, MOBILE.width)).toEqual([]);
      expect(await axe(page)).toEqual(clean(page));
      await context.close();
    });
  }

  it('when an anonymous reader opens a municipality, then it offers to sign in to follow and signing in returns to the page', async () => {
    await createUser(t, 'anon-then-signed@example.pe', 'resident');
    const context = await noJsContext(browser, MOBILE);
    const page = await context.newPage();
    await page.goto(`${base}/es/municipalidades/150107`);
    await page.click('.follow-box a');
    await page.fill('#login-email', 'anon-then-signed@example.pe');
    await page.fill('#login-password', PASSWORD);
    await page.click('main button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/es/municipalidades/150107');
    expect(await page.isVisible('button.follow-button')).toBe(true);
    await context.close();
  });
});
