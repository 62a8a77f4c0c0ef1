import type { BrowserContext, Page } from 'playwright-core';
import { createUser, formToken, PASSWORD } from '../../helpers/accounts';
import { chromiumPath, formatViolations, MOBILE, noJsContext, useBrowserApp, runAxe, signInPage } from '../../helpers/browser';
import { createCommitment, createHearing, createProcessAndItem, official, PDF } from '../../helpers/participation';

/** WCAG 2.1 A/AA violations of the page, formatted ('' when none); the strict CSP is kept. */
async function axeViolations(page: Page): Promise<string> {
  return formatViolations(await runAxe(page, { scriptsDisabled: true }));
}

const A = '150102';
const B = '150103';
const C = '150104';
const D = '150105';
const E = '150106';
const F = '150107';

(chromiumPath ? describe : describe.skip)('participation in a browser (SQLite, chromium)', () => {
  const app = useBrowserApp(async ({ t }) => {
    await createUser(t, 'alcaldia-a@example.pe', 'official', A);
    await createUser(t, 'alcaldia-b@example.pe', 'official', B);
    await createUser(t, 'vigilancia@example.pe', 'monitor');
  });

  /** What an official of `ubigeo` publishes (through HTTP, not the browser): an item with a milestone, a hearing with a commitment. */
  async function publish(ubigeo: string, email: string) {
    const agent = await official(app.t, email, ubigeo);
    const itemId = await createProcessAndItem(app.t, agent, ubigeo);
    const token = await formToken(agent, `/es/gestion/${ubigeo}/proyectos/${itemId}`);
    const ms = await agent
      .post(`/es/gestion/${ubigeo}/proyectos/${itemId}/hitos`)
      .field('_csrf', token)
      .field('happened_on', '2025-04-10')
      .field('title_es', 'Inicio de obra')
      .field('evidence_url', 'https://example.pe/acta-inicio')
      .attach('evidence_file', PDF, { filename: 'acta.pdf', contentType: 'application/pdf' });
    if (ms.status !== 303) throw new Error(`milestone ${ms.status}`);
    const hearingId = await createHearing(app.t, agent, ubigeo, '2025-05-27');
    const commitmentId = await createCommitment(app.t, agent, ubigeo, hearingId, { text_es: 'Iluminar la losa deportiva', due_on: '2025-10-31' });
    return { itemId, hearingId, commitmentId };
  }

  const signIn = (context: BrowserContext, email: string) => signInPage(context, app.base, email, PASSWORD);

  it('when an official publishes a process, an item with a milestone and a hearing with a commitment without JavaScript, then every form works and an invalid amount comes back with the input kept', async () => {
    const ctxA = await noJsContext(app.browser, MOBILE);
    const a = await signIn(ctxA, 'alcaldia-a@example.pe');
    await a.goto(`${app.base}/es/gestion/${A}/participacion`);
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

    await a.fill('#ms-happened_on', '2025-04-10');
    await a.fill('#ms-title_es', 'Inicio de obra');
    await a.fill('#ms-evidence_url', 'https://example.pe/acta-inicio');
    await a.setInputFiles('#ms-evidence_file', { name: 'acta.pdf', mimeType: 'application/pdf', buffer: PDF });
    await a.click('form.milestone-form button[type=submit]');
    expect(await a.textContent('main')).toContain('Inicio de obra');

    await a.goto(`${app.base}/es/gestion/${A}/audiencias/nueva`);
    await a.fill('#hr-held_on', '2025-05-27');
    await a.fill('#hr-place', 'Auditorio municipal');
    await a.fill('#hr-summary_es', 'Rendición del primer cuatrimestre.');
    await a.setInputFiles('#hr-report', { name: 'informe.pdf', mimeType: 'application/pdf', buffer: PDF });
    await a.click('form.hearing-form button[type=submit]');
    expect(a.url()).toMatch(new RegExp(`/es/gestion/${A}/audiencias/\\d+`));
    await a.fill('#cm-text_es', 'Iluminar la losa deportiva');
    await a.fill('#cm-due_on', '2025-10-31');
    await a.click('form.commitment-form button[type=submit]');
    expect(await a.textContent('main')).toContain('Iluminar la losa deportiva');
    await ctxA.close();
  });

  it('when a monitor follows and observes without JavaScript and an official of another municipality tries to reach those rows, then the monitor is recorded and the other official gets 404', async () => {
    const { itemId, hearingId, commitmentId } = await publish(C, 'alcaldia-c@example.pe');

    const ctxM = await noJsContext(app.browser, MOBILE);
    const m = await signIn(ctxM, 'vigilancia@example.pe');
    await m.goto(`${app.base}/es/presupuesto-participativo/proyectos/${itemId}`);
    await m.click('button.follow-button');
    expect(await m.textContent('main')).toContain('Ahora sigue este elemento.');
    await m.fill('#obs-body', 'La obra avanza más lento de lo informado.');
    await m.click('form.observe-form button[type=submit]');
    expect(await m.textContent('main')).toContain('se publicará tras la moderación');
    await m.goto(`${app.base}/es/rendicion-de-cuentas/compromisos/${commitmentId}`);
    await m.click('button.follow-button');
    expect(await app.t.db('follows').whereIn('entity_id', [String(itemId), String(commitmentId)])).toHaveLength(2);
    await ctxM.close();

    const ctxB = await noJsContext(app.browser, MOBILE);
    const b = await signIn(ctxB, 'alcaldia-b@example.pe');
    for (const url of [`/es/gestion/${C}/proyectos/${itemId}`, `/es/gestion/${B}/proyectos/${itemId}`, `/es/gestion/${B}/audiencias/${hearingId}`, `/es/gestion/${B}/compromisos/${commitmentId}`]) {
      const r = await b.goto(`${app.base}${url}`);
      expect([url, r?.status()]).toEqual([url, 404]);
    }
    await b.goto(`${app.base}/es/gestion/${B}/participacion`);
    expect(await b.textContent('main')).not.toContain('Pistas del barrio Alto');
    await ctxB.close();
  });

  /** Opens each page without JavaScript (signed in as `email` when given) and expects no axe violation. */
  async function expectAccessible(urls: string[], email?: string) {
    const ctx = await noJsContext(app.browser, MOBILE);
    const page = email ? await signIn(ctx, email) : await ctx.newPage();
    for (const url of urls) {
      await page.goto(`${app.base}${url}`);
      expect([url, await axeViolations(page)]).toEqual([url, '']);
    }
    await ctx.close();
  }

  it('when the public participation pages are audited in Spanish without JavaScript, then axe finds no WCAG 2.1 A/AA violation', async () => {
    const { itemId, hearingId, commitmentId } = await publish(D, 'alcaldia-d@example.pe');
    await expectAccessible([
      '/es/presupuesto-participativo',
      `/es/presupuesto-participativo/proyectos/${itemId}`,
      `/es/presupuesto-participativo/${D}/2025`,
      '/es/rendicion-de-cuentas',
      `/es/rendicion-de-cuentas/audiencias/${hearingId}`,
      '/es/rendicion-de-cuentas/compromisos',
      `/es/rendicion-de-cuentas/compromisos/${commitmentId}`,
      `/es/municipalidades/${D}/cumplimiento`,
    ]);
  });

  it('when the public participation pages are audited in English without JavaScript, then axe finds no WCAG 2.1 A/AA violation', async () => {
    const { itemId, hearingId, commitmentId } = await publish(E, 'alcaldia-e@example.pe');
    await expectAccessible([
      `/en/participatory-budget?ubigeo=${E}`,
      `/en/participatory-budget/items/${itemId}`,
      `/en/participatory-budget/${E}/2025`,
      '/en/accountability',
      `/en/accountability/hearings/${hearingId}`,
      `/en/accountability/commitments/${commitmentId}`,
      `/en/municipalities/${E}/delivery`,
      '/en/municipalities/150101/delivery',
    ]);
  });

  it('when the official participation forms are audited in both languages without JavaScript, then axe finds no WCAG 2.1 A/AA violation', async () => {
    const { itemId, hearingId, commitmentId } = await publish(F, 'alcaldia-f@example.pe');
    await expectAccessible(
      [
        `/es/gestion/${F}/participacion`,
        `/en/manage/${F}/items/${itemId}`,
        `/es/gestion/${F}/audiencias/${hearingId}`,
        `/en/manage/${F}/commitments/${commitmentId}`,
        `/es/gestion/${F}/procesos/nuevo`,
      ],
      'alcaldia-f@example.pe',
    );
  });
});
