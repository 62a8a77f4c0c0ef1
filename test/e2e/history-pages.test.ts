import type { Browser, Page } from 'playwright-core';
import { DESKTOP, describeWithBrowser, formatViolations, launchBrowser, MOBILE, noJsContext, overflowingElements, pageScrollWidth, runAxe, RunningApp, screenshot, startApp } from '../helpers/browser';

/*
 * The pages of the 2012–2025 history (with the history loaded, as in production), opened without
 * JavaScript at 375 px and 1280 px in both languages: zero axe WCAG 2.1 A/AA violations, no sideways
 * scroll, the trend chart's 2023 gap drawn as separate paths.
 */
const CASES = [
  { name: 'history', es: '/es/historico', en: '/en/history' },
  { name: 'municipality-successor', es: '/es/municipalidades/160801', en: '/en/municipalities/160801' },
  { name: 'municipality-lima', es: '/es/municipalidades/150101', en: '/en/municipalities/150101' },
  { name: 'municipality-predecessor', es: '/es/municipalidades/160109', en: '/en/municipalities/160109' },
].flatMap((c) => (['es', 'en'] as const).map((lng) => ({ name: c.name, lng, path: c[lng], label: `${c.name} (${lng})` })));

describeWithBrowser('browser: history pages without JavaScript', () => {
  let app: RunningApp;
  let browser: Browser;
  let pages: Array<{ page: Page; width: number; id: string }>;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp({ history: true }), launchBrowser()]);
    pages = await Promise.all(
      [
        ['mobile', MOBILE],
        ['desktop', DESKTOP],
      ].map(async ([id, size]) => ({ id: id as string, width: (size as typeof MOBILE).width, page: await (await noJsContext(browser, size as typeof MOBILE)).newPage() })),
    );
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  test.each(CASES)('when $label is opened at 375 px and 1280 px, then it answers 200 with zero WCAG 2.1 A/AA violations and no sideways scroll', async (c) => {
    // Both widths at once, each in its own tab.
    const audit = async ({ page, width, id }: (typeof pages)[number]): Promise<string[]> => {
      const failures: string[] = [];
      const res = await page.goto(app.baseUrl + c.path, { waitUntil: 'load' });
      if (res?.status() !== 200) failures.push(`[${width}] HTTP ${res?.status()}`);
      const before = failures.length;
      const sw = await pageScrollWidth(page);
      if (sw > width + 1) failures.push(`[${width}] scrolls sideways (${sw}): ${(await overflowingElements(page, width)).join(', ')}`);
      const violations = await runAxe(page, { scriptsDisabled: true });
      if (violations.length) failures.push(`[${width}] ${formatViolations(violations)}`);
      const shot = await screenshot(page, `history-${c.name}-${c.lng}-${id}`, { failed: failures.length > before });
      if (shot && failures.length > before) failures.push(`[${width}] screenshot: ${shot}`);
      return failures;
    };
    const failures = (await Promise.all(pages.map(audit))).flat();
    if (failures.length) throw new Error(failures.join('\n'));
  });

  test('when the municipality page is opened, then its trend chart is an image with title and description and the line breaks at 2023', async () => {
    const { page } = pages[1];
    await page.goto(`${app.baseUrl}/es/municipalidades/150101`, { waitUntil: 'load' });
    const chart = page.locator('.history-trend svg[role="img"]');
    await expect(chart.locator('title').first().textContent()).resolves.toMatch(/Ejecución del gasto de Lima/);
    expect(await chart.locator('desc').count()).toBe(1);
    // Own series: 2012–2022 in one path; 2024 alone (2025 is partial, a point of its own).
    expect(await chart.locator('path.line-0').count()).toBe(1);
    expect(await page.locator('.history-trend table tbody tr').count()).toBe(14);
    await expect(page.locator('.history-trend table tbody').textContent()).resolves.toMatch(/2023\s*sin datos/);
  });

  test.each([
    { lng: 'es' as const, departments: 'Departamentos', department: '/es/departamentos/15', province: '/es/provincias/1501', municipality: '/es/municipalidades/150122', noData: 'sin datos' },
    { lng: 'en' as const, departments: 'Departments', department: '/en/departments/15', province: '/en/provinces/1501', municipality: '/en/municipalities/150122', noData: 'no data' },
  ])(
    '(b) when a resident asks how Miraflores’ execution has moved since 2012 ($lng), then 4 clicks from the home page show the trend chart and its table from 2012, the 2023 gap and the same figures as the history API, at 375 px and 1280 px',
    async (w) => {
      // Expected figures from the open-data API (not from the page under test).
      const api = (await (await fetch(`${app.baseUrl}/api/v1/municipalities/150122/history`)).json()) as { data: Array<{ year: number; execution_pct: number | null }> };
      const y2012 = api.data.find((r) => r.year === 2012)!;
      expect(y2012.execution_pct).not.toBeNull();
      for (const { page, id } of pages) {
        const height = id === 'mobile' ? MOBILE.height : DESKTOP.height;
        let clicks = 0;
        const click = async (sel: ReturnType<Page['locator']>) => {
          clicks += 1;
          await Promise.all([page.waitForEvent('load'), sel.first().click()]);
        };
        await page.goto(`${app.baseUrl}/${w.lng}/`, { waitUntil: 'load' });
        await click(page.locator('header nav a', { hasText: w.departments }));
        await click(page.locator(`main table a[href="${w.department}"]`));
        await click(page.locator(`main table a[href="${w.province}"]`));
        await click(page.locator(`main table a[href="${w.municipality}"]`));
        expect(clicks).toBe(4);
        expect(new URL(page.url()).pathname).toBe(w.municipality);
        const headline = await page.locator('[data-headline]').first().boundingBox();
        expect(headline!.y + headline!.height).toBeLessThanOrEqual(height);
        expect(await page.locator('.history-trend svg[role="img"]').count()).toBe(1);
        const rows = page.locator('.history-trend table tbody tr');
        const last = (await rows.last().textContent())!.replace(/\s+/g, ' ');
        expect(last).toContain('2012');
        expect(last).toContain(y2012.execution_pct!.toFixed(1));
        await expect(page.locator('.history-trend table tbody').textContent()).resolves.toContain(w.noData);
      }
    },
  );
});
