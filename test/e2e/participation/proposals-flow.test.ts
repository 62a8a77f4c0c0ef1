import type { BrowserContext, Page } from 'playwright-core';
import { createUser, PASSWORD } from '../../helpers/accounts';
import { chromiumPath, formatViolations, MOBILE, noJsContext, useBrowserApp, runAxe, signInPage } from '../../helpers/browser';

const A = '150105';
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * Issue 13 in a browser, without JavaScript, in both languages: a resident proposes, a neutral
 * moderator publishes, the official marks it feasible with a cost, residents vote within the
 * envelope, the official enters the workshop tally, the results page shows both counts and the
 * winner becomes a prioritised item linked both ways.
 */
(chromiumPath ? describe : describe.skip)('the participatory budget cycle in a browser (SQLite, chromium)', () => {
  const app = useBrowserApp(async ({ t }) => {
    await createUser(t, 'alcaldia-150105@example.pe', 'official', A);
    await createUser(t, 'moderacion-pp@example.pe', 'moderator');
    await createUser(t, 'vecina-pp@example.pe', 'resident');
    await createUser(t, 'neighbour-pp@example.pe', 'resident');
  });

  const signIn = (context: BrowserContext, email: string, lng: 'es' | 'en' = 'es') => signInPage(context, app.base, email, PASSWORD, lng);
  const axe = async (page: Page) => [new URL(page.url()).pathname, formatViolations(await runAxe(page, { scriptsDisabled: true }))];
  const clean = (page: Page) => [new URL(page.url()).pathname, ''];
  const phase = async (current: 'preparacion' | 'concertacion') => {
    const order = ['preparacion', 'concertacion', 'coordinacion'];
    const i = order.indexOf(current);
    const dates: Record<string, string> = {};
    order.forEach((ph, j) => {
      dates[`${ph}_start`] = day((j - i) * 30 - 10);
      dates[`${ph}_end`] = day((j - i) * 30 + 10);
    });
    await app.t.db('pb_processes').where({ ubigeo: A, year: 2025 }).update(dates);
  };

  it('when a resident proposes, a moderator publishes, the official reviews, residents vote and the workshop is tallied, then the results show both counts and the winner becomes an item', async () => {
    const a = await signIn(await noJsContext(app.browser, MOBILE), 'alcaldia-150105@example.pe');
    await a.goto(`${app.base}/es/gestion/${A}/procesos/nuevo`);
    await a.fill('#pr-year', '2025');
    await a.fill('#pr-budget_envelope', '100000');
    await a.click('form.process-form button[type=submit]');
    await phase('preparacion');

    // A resident proposes, in English.
    const r = await signIn(await noJsContext(app.browser, MOBILE), 'neighbour-pp@example.pe', 'en');
    await r.goto(`${app.base}/en/participatory-budget/${A}/2025`);
    expect(await r.textContent('.current-phase')).toContain('preparation');
    await r.click(`a[href="/en/participatory-budget/${A}/2025/proposals/new"]`);
    expect(await axe(r)).toEqual(clean(r));
    await r.fill('#pp-title_es', 'Biohuerto escolar');
    await r.fill('#pp-title_en', 'School garden');
    await r.fill('#pp-body', 'Un biohuerto para la escuela del barrio.');
    await r.fill('#pp-location', 'I.E. 1234');
    await r.fill('#pp-estimated_cost', '45000');
    await r.fill('#pp-beneficiaries', '300');
    await r.fill('#pp-social_gap', 'Sin áreas verdes educativas.');
    await r.click('form.proposal-form button[type=submit]');
    expect(await r.textContent('main')).toContain('once a moderator reviews it');
    const id = Number((await app.t.db('pb_proposals').where({ ubigeo: A }).first()).id);

    // A neutral moderator publishes it.
    const mod = await signIn(await noJsContext(app.browser, MOBILE), 'moderacion-pp@example.pe');
    await mod.goto(`${app.base}/es/moderacion`);
    const entry = mod.locator('li.moderation-entry').filter({ hasText: 'Un biohuerto para la escuela' });
    await entry.locator('select[name=reason]').selectOption('meets_rules');
    await entry.locator('button[value=publish]').click();
    expect(await mod.textContent('main')).toContain('Decisión registrada.');

    // The official marks it feasible with a cost.
    await a.goto(`${app.base}/es/gestion/${A}/propuestas/2025`);
    expect(await axe(a)).toEqual(clean(a));
    await a.selectOption(`#rv-${id}-feasibility`, 'feasible');
    await a.fill(`#rv-${id}-reviewed_cost`, '40000');
    await a.fill(`#rv-${id}-reason`, 'Área disponible en la escuela; costo según expediente.');
    await a.click(`form[action$="/revision/${id}"] button[type=submit]`);
    expect(await a.textContent('main')).toContain('Evaluación guardada.');

    // Residents vote (one in Spanish, one in English).
    await phase('concertacion');
    const v = await signIn(await noJsContext(app.browser, MOBILE), 'vecina-pp@example.pe');
    await v.goto(`${app.base}/es/presupuesto-participativo/${A}/2025/votacion`);
    expect(await axe(v)).toEqual(clean(v));
    await v.check(`#choice-${id}`);
    await v.click('form.ballot-form button[type=submit]');
    expect(await v.textContent('main')).toContain('Su votación quedó registrada.');
    await r.goto(`${app.base}/en/participatory-budget/${A}/2025/ballot`);
    await r.check(`#choice-${id}`);
    await r.click('form.ballot-form button[type=submit]');
    expect(await r.textContent('main')).toContain('Your ballot is recorded.');
    expect(await app.t.db('pb_ballots')).toHaveLength(2);

    // The official enters the workshop tally and turns the winner into an item.
    await a.goto(`${app.base}/es/gestion/${A}/propuestas/2025`);
    await a.fill(`#votes-${id}`, '27');
    await a.click('form.tally-form button[type=submit]');
    expect(await a.textContent('main')).toContain('Conteo guardado.');
    await a.click(`form[action$="/priorizar"] button[type=submit]`);
    expect(await a.textContent('main')).toContain('Las ganadoras son ahora proyectos priorizados.');
    const item = await app.t.db('pb_items').where({ ubigeo: A }).first();
    expect([item.title_es, Number(item.total_cost)]).toEqual(['Biohuerto escolar', 4_000_000]);

    const pub = await (await noJsContext(app.browser, MOBILE)).newPage();
    for (const [path, online, workshop, outcome] of [
      [`/es/presupuesto-participativo/${A}/2025/resultados`, '2', '27', 'Ganadora'],
      [`/en/participatory-budget/${A}/2025/results`, '2', '27', 'Winner'],
    ]) {
      await pub.goto(`${app.base}${path}`);
      expect(await axe(pub)).toEqual(clean(pub));
      const row = pub.locator(`tr[data-proposal="${id}"]`);
      expect([await row.locator('.online').textContent(), await row.locator('.workshop').textContent()]).toEqual([online, workshop]);
      expect(await row.locator('.outcome').textContent()).toContain(outcome);
    }
    await pub.locator(`tr[data-proposal="${id}"] .outcome a`).click();
    expect(new URL(pub.url()).pathname).toBe(`/en/participatory-budget/items/${item.id}`);
    expect(await pub.textContent('.from-proposal')).toContain('Biohuerto escolar');
    await pub.goto(`${app.base}/es/presupuesto-participativo/propuestas/${id}`);
    expect(await axe(pub)).toEqual(clean(pub));
    expect(await pub.textContent('main')).toContain('Área disponible en la escuela; costo según expediente.');
  }, 120_000);

  it('when a resident asks a question before a convened hearing, then after moderation and the hearing they see the answer, with the unanswered counted', async () => {
    const a = await signIn(await noJsContext(app.browser, MOBILE), 'alcaldia-150105@example.pe');
    await a.goto(`${app.base}/es/gestion/${A}/audiencias/nueva`);
    await a.fill('#hr-held_on', day(7));
    await a.selectOption('#hr-state', 'convocada');
    await a.fill('#hr-place', 'Auditorio municipal');
    await a.click('form.hearing-form button[type=submit]');
    const hearingId = Number(/audiencias\/(\d+)/.exec(a.url())![1]);

    const r = await signIn(await noJsContext(app.browser, MOBILE), 'neighbour-pp@example.pe', 'en');
    await r.goto(`${app.base}/en/accountability/hearings/${hearingId}`);
    expect(await axe(r)).toEqual(clean(r));
    await r.selectOption('#q-topic', 'servicios');
    await r.fill('#q-body', '¿Cuándo vuelve el recojo de basura diario?');
    await r.click('form.question-form button[type=submit]');
    expect(await r.textContent('main')).toContain('We received your question');

    const mod = await signIn(await noJsContext(app.browser, MOBILE), 'moderacion-pp@example.pe');
    await mod.goto(`${app.base}/es/moderacion`);
    const entry = mod.locator('li.moderation-entry').filter({ hasText: 'recojo de basura' });
    await entry.locator('select[name=reason]').selectOption('meets_rules');
    await entry.locator('button[value=publish]').click();
    expect(await mod.textContent('main')).toContain('Decisión registrada.');

    // The hearing takes place; the official records the answer given there.
    await app.t
      .db('hearings')
      .where({ id: hearingId })
      .update({ held_on: day(-1), state: 'realizada' });
    await a.goto(`${app.base}/es/gestion/${A}/audiencias/${hearingId}`);
    expect(await axe(a)).toEqual(clean(a));
    await a.locator('form.question-answer-form textarea').fill('Desde el lunes, con dos camiones nuevos.');
    await a.click('form.question-answer-form button[type=submit]');

    for (const [path, summary] of [
      [`/en/accountability/hearings/${hearingId}`, '1 published question, 0 unanswered.'],
      [`/es/rendicion-de-cuentas/audiencias/${hearingId}`, '1 pregunta publicada, 0 sin respuesta.'],
    ]) {
      await r.goto(`${app.base}${path}`);
      expect(await axe(r)).toEqual(clean(r));
      expect(await r.textContent('.question-answer')).toContain('Desde el lunes, con dos camiones nuevos.');
      expect(await r.textContent('.questions-summary')).toBe(summary);
    }
  }, 120_000);
});
