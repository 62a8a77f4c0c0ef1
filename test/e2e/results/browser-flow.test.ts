import { parse as parseCsv } from 'csv-parse/sync';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { createUser, PASSWORD } from '../../helpers/accounts';
import { chromiumPath, formatViolations, MOBILE, noJsContext, useBrowserApp, runAxe, signInPage } from '../../helpers/browser';

const A = '150108';

/**
 * Issue 17 in a browser, without JavaScript: an official enters a PDLC objective, a final-result
 * indicator with a baseline and targets, a product indicator under it linked to a PB item, and
 * records actuals; the public tree, the chart, the flags and the CSV show them; changing a past
 * actual requires a reason, which then appears in the public history.
 */
(chromiumPath ? describe : describe.skip)('the results chain in a browser (SQLite, chromium)', () => {
  const app = useBrowserApp(async ({ t }) => {
    await createUser(t, 'resultados@example.pe', 'official', A);
  });

  const signIn = (context: BrowserContext, email: string) => signInPage(context, app.base, email, PASSWORD);
  const axe = async (page: Page) => formatViolations(await runAxe(page, { scriptsDisabled: true }));

  it('when an official builds a chain and records actuals, then the public tree, chart, flags and CSV show it, and changing a past actual needs a reason that joins the history', async () => {
    const a = await signIn(await noJsContext(app.browser, MOBILE), 'resultados@example.pe');
    // A participatory-budget item to link.
    await a.goto(`${app.base}/es/gestion/${A}/procesos/nuevo`);
    await a.fill('#pr-year', '2024');
    await a.click('form.process-form button[type=submit]');
    await a.goto(`${app.base}/es/gestion/${A}/proyectos/nuevo`);
    await a.fill('#it-year', '2024');
    await a.fill('#it-priority', '1');
    await a.fill('#it-title_es', 'Centro de vigilancia nutricional');
    await a.fill('#it-total_cost', '80,000.00');
    await a.click('form.item-form button[type=submit]');
    const itemId = Number(/proyectos\/(\d+)/.exec(a.url())![1]);

    // The plan and its objective.
    await a.goto(`${app.base}/es/gestion/${A}/resultados`);
    await a.fill('#pl-title_es', 'PDLC de Pueblo Libre 2024–2027');
    await a.fill('#pl-period_from', '2024');
    await a.fill('#pl-period_to', '2027');
    await a.fill('#pl-ordinance', 'OM 012-2023');
    await a.click('form.plan-form button[type=submit]');
    expect(a.url()).toContain('done=plan');
    await a.fill('form.objective-form [name=code]', 'OE1');
    await a.fill('form.objective-form [name=text_es]', 'Reducir la anemia infantil');
    await a.fill('form.objective-form [name=gap_es]', 'Niñas y niños de 6 a 35 meses con anemia');
    await a.click('form.objective-form button[type=submit]');
    expect(a.url()).toContain('done=objective');
    expect([a.url(), await axe(a)]).toEqual([a.url(), '']);

    // The final result with its baseline and targets.
    await a.goto(`${app.base}/es/gestion/${A}/resultados/indicadores/nuevo`);
    await a.fill('#in-code', 'RF1');
    await a.fill('#in-name_es', 'Anemia en niñas y niños de 6 a 35 meses');
    await a.selectOption('#in-level', 'final_result');
    await a.fill('#in-unit', '%');
    await a.selectOption('#in-direction', 'down');
    await a.fill('#in-baseline_value', '40');
    await a.fill('#in-baseline_year', '2023');
    await a.selectOption('#in-objective_code', 'OE1');
    await a.fill('#in-pp_code', '0001');
    await a.click('form.indicator-form button[type=submit]');
    const resultId = Number(/indicadores\/(\d+)/.exec(a.url())![1]);
    for (const [year, target] of [
      ['2024', '36'],
      ['2025', '32'],
    ]) {
      await a.fill('#va-year', year);
      await a.fill('#va-target', target);
      await a.click('form.value-form button[type=submit]');
      expect(a.url()).toContain('done=value');
    }

    // A product under it, linked to the PB item, with its target and actual.
    await a.goto(`${app.base}/es/gestion/${A}/resultados/indicadores/nuevo`);
    await a.fill('#in-code', 'P1');
    await a.fill('#in-name_es', 'Niñas y niños con suplemento de hierro');
    await a.selectOption('#in-level', 'product');
    await a.fill('#in-unit', '%');
    await a.selectOption('#in-objective_code', 'OE1');
    await a.fill('#in-parent_code', 'RF1');
    await a.fill('#in-pb_item_ids', String(itemId));
    await a.click('form.indicator-form button[type=submit]');
    const productId = Number(/indicadores\/(\d+)/.exec(a.url())![1]);
    await a.fill('#va-year', '2024');
    await a.fill('#va-target', '65');
    await a.fill('#va-actual', '70');
    await a.fill('#va-actual_source', 'HIS-MINSA');
    await a.click('form.value-form button[type=submit]');
    expect(a.url()).toContain('done=value');

    // The final result's 2024 actual: 37.5 is above a target that should go down.
    await a.goto(`${app.base}/es/gestion/${A}/resultados/indicadores/${resultId}`);
    await a.fill('#va-year', '2024');
    await a.fill('#va-actual', '37.5');
    await a.fill('#va-actual_source', 'ENDES 2024');
    await a.click('form.value-form button[type=submit]');
    expect(a.url()).toContain('done=value');

    const pub = await (await noJsContext(app.browser, MOBILE)).newPage();
    const publicUrl = `${app.base}/es/municipalidades/${A}/resultados`;
    await pub.goto(publicUrl);
    expect(await pub.locator(`#ind-${resultId} #ind-${productId}`).count()).toBe(1); // the product sits under its result
    expect(await pub.locator(`#ind-${resultId}-h .badge-off-track`).textContent()).toBe('Fuera de meta');
    expect(await pub.locator(`#ind-${productId}-h .badge-on-track`).textContent()).toBe('En camino');
    expect(await pub.locator(`#ind-${resultId} > article svg[role=img] #chart-${resultId}-t`).textContent()).toBe('Meta y valor alcanzado: Anemia en niñas y niños de 6 a 35 meses');
    expect(await pub.locator(`#chart-${resultId}-d`).textContent()).toBe('2024: meta 36.00, alcanzado 37.50 (%); 2025: meta 32.00, alcanzado — (%)');
    expect(await pub.locator(`#ind-${productId} a[href="/es/presupuesto-participativo/proyectos/${itemId}"]`).textContent()).toBe('Centro de vigilancia nutricional');
    expect(await pub.textContent('main')).toContain('Reducir la anemia infantil');
    expect([publicUrl, await axe(pub)]).toEqual([publicUrl, '']);
    await pub.goto(`${app.base}/en/municipalities/${A}/results`);
    expect(await pub.locator(`#ind-${resultId}-h .badge-off-track`).textContent()).toBe('Off track');
    expect(['en', await axe(pub)]).toEqual(['en', '']);

    const csv = parseCsv((await request(app.t.app).get(`/api/v1/results/indicators?ubigeo=${A}&format=csv`).expect(200)).text, { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((r) => r.code === 'RF1' && r.year === '2024')).toMatchObject({
      level: 'final_result',
      direction: 'down',
      baseline_value: '40',
      baseline_target: '36',
      actual: '37.5',
      actual_source: 'ENDES 2024',
      on_track: 'false',
      objective_code: 'OE1',
    });
    expect(csv.find((r) => r.code === 'P1' && r.year === '2024')).toMatchObject({ parent_code: 'RF1', pb_item_ids: String(itemId), on_track: 'true' });

    // The past actual changes: refused without a reason, kept with one, and public.
    await a.goto(`${app.base}/es/gestion/${A}/resultados/indicadores/${resultId}`);
    await a.fill('#va-year', '2024');
    await a.fill('#va-actual', '35.2');
    await a.click('form.value-form button[type=submit]');
    expect(await a.textContent('#va-reason-error')).toContain('escriba el motivo');
    expect(await a.inputValue('#va-actual')).toBe('35.2');
    expect(['form with an error', await axe(a)]).toEqual(['form with an error', '']);
    expect(Number((await app.t.db('results_values').where({ indicator_id: resultId, year: 2024 }).first()).actual)).toBe(37.5);
    const en = await a.context().newPage();
    await en.goto(`${app.base}/en/manage/${A}/results/indicators/${resultId}`);
    expect(await en.textContent('h1')).toBe('Edit indicator');
    expect(['en form', await axe(en)]).toEqual(['en form', '']);
    await a.fill('#va-reason', 'El INEI publicó la cifra definitiva de ENDES.');
    await a.click('form.value-form button[type=submit]');
    expect(a.url()).toContain('done=value');

    const fresh = await (await noJsContext(app.browser, MOBILE)).newPage(); // a new reader: no browser cache of the page
    await fresh.goto(publicUrl);
    expect(await fresh.locator(`#ind-${resultId}-h .badge-on-track`).textContent()).toBe('En camino');
    const history = (await fresh.textContent('table.history'))!;
    expect(history).toContain('El INEI publicó la cifra definitiva de ENDES.');
    expect(history).toContain('Funcionario municipal (150108)');
    expect(history).not.toContain('resultados@example.pe');
    const after = await request(app.t.app).get(`/api/v1/results/indicators/${resultId}`).expect(200);
    expect(after.body.data.history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          year: 2024,
          field: 'actual',
          old_value: '37.5',
          new_value: '35.2',
          reason: 'El INEI publicó la cifra definitiva de ENDES.',
          actor_role: 'official',
          actor_ubigeo: A,
        }),
      ]),
    );
  }, 120_000);
});
