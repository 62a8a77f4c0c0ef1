import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, TestApp } from '../../helpers/app';
import { createUser, PASSWORD } from '../../helpers/accounts';
import { chromiumPath, formatViolations, launchBrowser, MOBILE, noJsContext, runAxe } from '../../helpers/browser';
import { PDF } from '../../helpers/participation';

/** WCAG 2.1 A/AA violations of the page, formatted ('' when none); the strict CSP is kept. */
async function axeViolations(page: Page): Promise<string> {
  return formatViolations(await runAxe(page, { scriptsDisabled: true }));
}

const A = '150102';
const B = '150103';

(chromiumPath ? describe : describe.skip)('participation in a browser (SQLite, chromium)', () => {
  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    await createUser(t, 'alcaldia-a@example.pe', 'official', A);
    await createUser(t, 'alcaldia-b@example.pe', 'official', B);
    await createUser(t, 'vigilancia@example.pe', 'monitor');
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server.close(r));
    await t.cleanup();
  });

  async function signIn(context: BrowserContext, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${base}/es/login`);
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('main button[type=submit]');
    return page;
  }

  it('when an official publishes a process, an item with a milestone and a hearing with a commitment, a monitor follows and observes, and another official tries to touch them, then everything works without JavaScript and the pages pass axe in both languages', async () => {
    // Official A, no JavaScript.
    const ctxA = await noJsContext(browser, MOBILE);
    const a = await signIn(ctxA, 'alcaldia-a@example.pe');
    await a.goto(`${base}/es/gestion/${A}/participacion`);
    await a.click(`a[href="/es/gestion/${A}/procesos/nuevo"]`);
    await a.fill('#pr-year', '2025');
    await a.fill('#pr-ordinance', 'OM 010-2024-MDA');
    await a.fill('#pr-agentes_participantes', '62');
    await a.fill('#pr-committee_members', 'Rosa Quispe; Juan Huamán');
    await a.click('form.process-form button[type=submit]');
    expect(a.url()).toContain(`/es/gestion/${A}/participacion`);

    await a.click(`a[href="/es/gestion/${A}/proyectos/nuevo"]`);
    await a.fill('#it-year', '2025');
    await a.fill('#it-priority', '1');
    await a.fill('#it-title_es', 'Losa deportiva del barrio Santa Rosa');
    await a.fill('#it-total_cost', 'mil soles'); // invalid: the form comes back with the input kept
    await a.click('form.item-form button[type=submit]');
    expect(await a.inputValue('#it-title_es')).toBe('Losa deportiva del barrio Santa Rosa');
    expect(await a.getAttribute('#it-total_cost', 'aria-describedby')).toContain('it-total_cost-error');
    await a.fill('#it-total_cost', '250000');
    await a.fill('#it-cui', '2501234');
    await a.fill('#it-planned_end', '2025-12-31');
    await a.selectOption('#it-status', 'en_ejecucion');
    await a.fill('#it-progress_pct', '40');
    await a.click('form.item-form button[type=submit]');
    expect(a.url()).toMatch(new RegExp(`/es/gestion/${A}/proyectos/\\d+\\?done=saved`));
    const itemId = Number(/proyectos\/(\d+)/.exec(a.url())![1]);

    await a.fill('#ms-happened_on', '2025-04-10');
    await a.fill('#ms-title_es', 'Inicio de obra');
    await a.fill('#ms-evidence_url', 'https://example.pe/acta-inicio');
    await a.setInputFiles('#ms-evidence_file', { name: 'acta.pdf', mimeType: 'application/pdf', buffer: PDF });
    await a.click('form.milestone-form button[type=submit]');
    expect(await a.textContent('main')).toContain('Inicio de obra');

    await a.goto(`${base}/es/gestion/${A}/audiencias/nueva`);
    await a.fill('#hr-held_on', '2025-05-27');
    await a.fill('#hr-place', 'Auditorio municipal');
    await a.fill('#hr-summary_es', 'Rendición del primer cuatrimestre.');
    await a.setInputFiles('#hr-report', { name: 'informe.pdf', mimeType: 'application/pdf', buffer: PDF });
    await a.click('form.hearing-form button[type=submit]');
    const hearingId = Number(/audiencias\/(\d+)/.exec(a.url())![1]);
    await a.fill('#cm-text_es', 'Iluminar la losa deportiva');
    await a.fill('#cm-due_on', '2025-10-31');
    await a.click('form.commitment-form button[type=submit]');
    expect(await a.textContent('main')).toContain('Iluminar la losa deportiva');
    const commitmentId = Number((await t.db('commitments').where({ hearing_id: hearingId }).first()).id);

    // Monitor, no JavaScript: follows and observes.
    const ctxM = await noJsContext(browser, MOBILE);
    const m = await signIn(ctxM, 'vigilancia@example.pe');
    await m.goto(`${base}/es/presupuesto-participativo/proyectos/${itemId}`);
    await m.click('button.follow-button');
    expect(await m.textContent('main')).toContain('Ahora sigue este elemento.');
    await m.fill('#obs-body', 'La obra avanza más lento de lo informado.');
    await m.click('form.observe-form button[type=submit]');
    expect(await m.textContent('main')).toContain('se publicará tras la moderación');
    await m.goto(`${base}/es/rendicion-de-cuentas/compromisos/${commitmentId}`);
    await m.click('button.follow-button');
    expect(await t.db('follows').whereIn('entity_id', [itemId, commitmentId])).toHaveLength(2);

    // Official B cannot touch A's rows.
    const ctxB = await noJsContext(browser, MOBILE);
    const b = await signIn(ctxB, 'alcaldia-b@example.pe');
    for (const url of [`/es/gestion/${A}/proyectos/${itemId}`, `/es/gestion/${B}/proyectos/${itemId}`, `/es/gestion/${B}/audiencias/${hearingId}`, `/es/gestion/${B}/compromisos/${commitmentId}`]) {
      const r = await b.goto(`${base}${url}`);
      expect([url, r?.status()]).toEqual([url, 404]);
    }
    await b.goto(`${base}/es/gestion/${B}/participacion`);
    expect(await b.textContent('main')).not.toContain('Losa deportiva');

    // axe on the public pages in both languages, and on the officials' forms.
    const checker = await (await noJsContext(browser, MOBILE)).newPage();
    const pages = [
      `/es/presupuesto-participativo`, `/en/participatory-budget?ubigeo=${A}`, `/es/presupuesto-participativo/proyectos/${itemId}`, `/en/participatory-budget/items/${itemId}`,
      `/es/presupuesto-participativo/${A}/2025`, `/en/participatory-budget/${A}/2025`, `/es/rendicion-de-cuentas`, `/en/accountability`, `/es/rendicion-de-cuentas/audiencias/${hearingId}`, `/en/accountability/hearings/${hearingId}`,
      `/es/rendicion-de-cuentas/compromisos`, `/en/accountability/commitments/${commitmentId}`, `/es/municipalidades/${A}/cumplimiento`, `/en/municipalities/150101/delivery`,
    ];
    for (const url of pages) {
      await checker.goto(`${base}${url}`);
      expect([url, await axeViolations(checker)]).toEqual([url, '']);
    }
    const official = await signIn(await noJsContext(browser, MOBILE), 'alcaldia-a@example.pe');
    for (const url of [`/es/gestion/${A}/participacion`, `/en/manage/${A}/items/${itemId}`, `/es/gestion/${A}/audiencias/${hearingId}`, `/en/manage/${A}/commitments/${commitmentId}`, `/es/gestion/${A}/procesos/nuevo`]) {
      await official.goto(`${base}${url}`);
      expect([url, await axeViolations(official)]).toEqual([url, '']);
    }
  }, 90_000);
});
