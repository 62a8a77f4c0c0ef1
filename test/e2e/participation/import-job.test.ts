import type { Browser, Page } from 'playwright-core';
import { createUser, PASSWORD } from '../../helpers/accounts';
import { describeWithBrowser, formatViolations, launchBrowser, MOBILE, noJsContext, RunningApp, runAxe, startApp } from '../../helpers/browser';
import { createProcessAndItem, official } from '../../helpers/participation';

const U = '150121';
const ROWS = 300;
const csv = `year,priority,title_es,total_cost,status,progress_pct\n${Array.from({ length: ROWS }, (_, i) => `2025,${i + 2},Obra ${i + 2},${1000 + i}.50,en_ejecucion,10`).join('\n')}\n`;

describeWithBrowser('an upload and its job page in a browser without JavaScript (SQLite, chromium)', () => {
  let app: RunningApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    const agent = await official(app, 'job-official@example.pe', U);
    await createProcessAndItem(app, agent, U, { priority: '1' });
  });
  afterAll(async () => {
    await browser?.close();
    await app.close();
  });

  async function signIn(page: Page, email: string) {
    await page.goto(`${app.baseUrl}/es/login`);
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('main button[type=submit]');
  }

  it('when an official uploads a CSV, then the answer is the job page, which refreshes itself until it says done with the counts, and the page has no WCAG violations in either language', async () => {
    const context = await noJsContext(browser, MOBILE);
    const page = await context.newPage();
    await signIn(page, 'job-official@example.pe');
    await page.goto(`${app.baseUrl}/es/gestion/${U}/participacion`);
    await page.selectOption('#imp-kind', 'items');
    await page.setInputFiles('#imp-file', { name: 'proyectos.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click(`form[action="/es/gestion/${U}/importar"] button[type=submit]`);
    expect(page.url()).toMatch(new RegExp(`/es/gestion/${U}/trabajos/\\d+$`));
    const jobPath = new URL(page.url()).pathname;
    // The meta refresh reloads the page (no JavaScript) until the job is finished.
    await page.waitForSelector('.job-status[data-status="done"]', { timeout: 20_000 });
    expect(await page.textContent('.import-report')).toContain(`${ROWS} creados, 0 actualizados, 0 sin cambios`);
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    expect(formatViolations(await runAxe(page, { scriptsDisabled: true }))).toBe('');
    await page.goto(page.url().replace(`/es/gestion/${U}/trabajos/`, `/en/manage/${U}/jobs/`));
    expect(await page.textContent('.job-status')).toBe('Done');
    expect(formatViolations(await runAxe(page, { scriptsDisabled: true }))).toBe('');
    await page.goto(`${app.baseUrl}/es/gestion/${U}/participacion`);
    expect(await page.textContent(`ul.job-list a[href="${jobPath}"]`)).toMatch(/^Importación n\.º \d+$/);
    await context.close();
  }, 60_000);

  it('when a job is still running, then its page shows rows read, rows per second and time left, refreshes itself, and offers a reload link and a way to stop refreshing (that page has no WCAG violations)', async () => {
    const started = new Date(Date.now() - 4000).toISOString();
    const [id] = await app.db('import_jobs').insert({
      kind: 'items',
      ubigeo: U,
      user_id: null,
      file_name: 'grande.csv',
      status: 'running',
      attempts: 1,
      rows_total: 4000,
      rows_read: 1000,
      errors_so_far: 2,
      total_bytes: 100_000,
      created_at: started,
      started_at: started,
      updated_at: new Date(Date.parse(started) + 4000).toISOString(),
    });
    const context = await noJsContext(browser, MOBILE);
    const page = await context.newPage();
    await signIn(page, 'job-official@example.pe');
    await page.goto(`${app.baseUrl}/es/gestion/${U}/trabajos/${id}`);
    expect(await page.getAttribute('meta[http-equiv="refresh"]', 'content')).toBe('2');
    const facts = await page.textContent('dl.facts');
    expect(facts).toMatch(/Filas leídas\s*1\D?000 \/ 4\D?000/);
    expect(facts).toMatch(/Filas por segundo\s*250/);
    expect(facts).toMatch(/Tiempo restante estimado\s*12 segundos/);
    expect(facts).toMatch(/Errores encontrados\s*2/);
    await page.click('text=Dejar de actualizar sola');
    expect(page.url()).toContain('?refresh=0');
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    expect(formatViolations(await runAxe(page, { scriptsDisabled: true }))).toBe('');
    await page.goto(`${app.baseUrl}/en/manage/${U}/jobs/${id}?refresh=0`);
    expect(formatViolations(await runAxe(page, { scriptsDisabled: true }))).toBe('');
    await context.close();
  }, 60_000);

  it('when an official of another municipality asks for the job page, then 404', async () => {
    await createUser(app, 'other-official@example.pe', 'official', '150122');
    const context = await noJsContext(browser, MOBILE);
    const page = await context.newPage();
    await signIn(page, 'other-official@example.pe');
    const r = await page.goto(`${app.baseUrl}/es/gestion/${U}/trabajos/1`);
    expect([403, 404]).toContain(r!.status());
    await context.close();
  }, 30_000);
});
