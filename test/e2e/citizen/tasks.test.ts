import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parse as parseCsv } from 'csv-parse/sync';
import { click, collectProblems, DESKTOP, describeWithBrowser, launchBrowser, MOBILE, ProblemLog, RunningApp, startApp } from '../../helpers/browser';

/*
 * What a resident asks, done by clicks only from where a resident starts, at 375 × 812 and at
 * 1280 × 800, in both languages, without JavaScript. Each task states its number of clicks
 * (link or button presses that load a page; typing a name is not a click). On every page the
 * task visits, the headline figure ([data-headline]) lies inside the first screen.
 */

type Lang = 'es' | 'en';
const VIEWPORTS = [
  { id: 'mobile', ...MOBILE },
  { id: 'desktop', ...DESKTOP, height: 800 },
] as const;
const LANGS: Lang[] = ['es', 'en'];
const MATRIX = LANGS.flatMap((lng) => VIEWPORTS.map((v) => ({ lng, viewport: v, label: `${lng} at ${v.width}×${v.height}` })));

const MIRAFLORES = '150122';
const SAN_ISIDRO_LIMA = '150131';
const W = {
  es: {
    departments: 'Departamentos',
    municipality: '/es/municipalidades/',
    department: '/es/departamentos/15',
    province: '/es/provincias/1501',
    compare: 'Comparar Miraflores con otras municipalidades',
    add: 'Añadir',
    addChosen: 'Añadir la elegida',
    rank: /^(\d+)\.º de (\d+)$/,
  },
  en: {
    departments: 'Departments',
    municipality: '/en/municipalities/',
    department: '/en/departments/15',
    province: '/en/provinces/1501',
    compare: 'Compare Miraflores with other municipalities',
    add: 'Add',
    addChosen: 'Add the chosen one',
    rank: /^No\. (\d+) of (\d+)$/,
  },
};

describeWithBrowser('browser: a resident’s tasks by clicks only, at 375 px and 1280 px, in both languages', () => {
  let app: RunningApp;
  let browser: Browser;
  const tabs = new Map<string, { context: BrowserContext; page: Page; problems: ProblemLog }>();
  /** Miraflores' 2024 figures and its rank in the province of Lima, from the open-data API (not from the pages under test). */
  let expected: { pct: number; devengado: number; provinceRank: number; provinceCount: number };

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    const res = await fetch(`${app.baseUrl}/api/v1/execution?level=municipality&department=15&province=1501&year=2024`);
    const body = (await res.json()) as { data: Array<{ code: string; rank: number; execution_pct: number; devengado: number }>; meta: { count: number } };
    const row = body.data.find((r) => r.code === MIRAFLORES)!;
    expected = { pct: row.execution_pct, devengado: row.devengado, provinceRank: row.rank, provinceCount: body.meta.count };
    for (const v of VIEWPORTS) {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: v.width, height: v.height }, deviceScaleFactor: 1, acceptDownloads: true });
      context.setDefaultTimeout(15000);
      const page = await context.newPage();
      tabs.set(v.id, { context, page, problems: collectProblems(page) });
    }
  }, 30000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** The headline figure of the page is inside the first screen (its box ends above the viewport's height). */
  async function headlineOnFirstScreen(page: Page, height: number) {
    const box = await page.locator('[data-headline]').first().boundingBox();
    expect([page.url(), box ? box.y + box.height <= height : 'no [data-headline]']).toEqual([page.url(), true]);
    expect(box!.y).toBeGreaterThanOrEqual(0);
  }

  test.each(MATRIX)(
    '(a) when a resident asks how much Miraflores (Lima) spent in 2024 and how it ranks in its province ($label), then 4 clicks from the home page answer it',
    async ({ lng, viewport }) => {
      const { page, problems } = tabs.get(viewport.id)!;
      problems.clear();
      const w = W[lng];
      const clicks = { n: 0 };
      await page.goto(`${app.baseUrl}/${lng}/`);
      await headlineOnFirstScreen(page, viewport.height);
      await click(page, clicks, page.locator('header nav a', { hasText: w.departments }));
      await headlineOnFirstScreen(page, viewport.height);
      await click(page, clicks, page.locator(`main table a[href="${w.department}"]`));
      await headlineOnFirstScreen(page, viewport.height);
      await click(page, clicks, page.locator(`main table a[href="${w.province}"]`));
      await headlineOnFirstScreen(page, viewport.height);
      await click(page, clicks, page.locator(`main table a[href="${w.municipality}${MIRAFLORES}"]`));
      expect(new URL(page.url()).pathname).toBe(`${w.municipality}${MIRAFLORES}`);
      await headlineOnFirstScreen(page, viewport.height);
      expect(clicks.n).toBe(4);

      const headline = (await page.locator('[data-headline]').first().textContent())!.replace(/\s+/g, ' ');
      expect(headline).toContain('2024');
      expect(headline).toContain(`${expected.pct.toFixed(1)} %`);
      expect(headline).toContain(`S/ ${Math.round(expected.devengado).toLocaleString('en-US')}`);
      const provinceRank = (await page.locator(`ul.ranks a[href="${w.province}"]`).textContent())!.trim();
      const m = w.rank.exec(provinceRank)!;
      expect([Number(m[1]), Number(m[2])]).toEqual([expected.provinceRank, expected.provinceCount]);
      const rankBox = await page.locator(`ul.ranks a[href="${w.province}"]`).boundingBox();
      expect(rankBox!.y + rankBox!.height).toBeLessThanOrEqual(viewport.height);
      expect(problems.list).toEqual([]);
    },
  );

  test.each(MATRIX)('(c) when a resident compares Miraflores with San Isidro by name ($label), then 4 clicks from Miraflores’ page show both side by side', async ({ lng, viewport }) => {
    const { page, problems } = tabs.get(viewport.id)!;
    problems.clear();
    const w = W[lng];
    const clicks = { n: 0 };
    await page.goto(`${app.baseUrl}${w.municipality}${MIRAFLORES}`);
    await click(page, clicks, page.locator('main a', { hasText: w.compare }));
    await headlineOnFirstScreen(page, viewport.height);
    expect(await page.locator('.error-summary').count()).toBe(0);
    expect(await page.locator(`main input[type=hidden][name=u][value="${MIRAFLORES}"]`).count()).toBeGreaterThan(0);
    await page.locator('#cmp-add').fill('san isidro');
    await click(page, clicks, page.getByRole('button', { name: w.add, exact: true }));
    await headlineOnFirstScreen(page, viewport.height);
    clicks.n += 1; // choosing San Isidro (Lima) among the namesakes
    await page.locator(`input[type=radio][value="${SAN_ISIDRO_LIMA}"]`).check();
    await click(page, clicks, page.getByRole('button', { name: w.addChosen, exact: true }));
    await headlineOnFirstScreen(page, viewport.height);
    expect(clicks.n).toBe(4);
    const cards = page.locator('ul.cards > li');
    expect(await cards.count()).toBe(2);
    expect(await cards.nth(0).locator('h3 a').textContent()).toBe('Miraflores');
    expect(await cards.nth(1).locator('h3 a').textContent()).toBe('San Isidro');
    // Stacked at 375 px: the second card is below the first, not beside it (no wide table).
    const [a, b] = [await cards.nth(0).boundingBox(), await cards.nth(1).boundingBox()];
    if (viewport.width < 600) expect(b!.y).toBeGreaterThan(a!.y + a!.height - 1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    expect(problems.list).toEqual([]);
  });

  test.each(MATRIX)(
    '(d) when a resident downloads the municipalities of Miraflores’ department as CSV ($label), then 2 clicks from Miraflores’ page give the 171 of Lima',
    async ({ lng, viewport }) => {
      const { page, problems } = tabs.get(viewport.id)!;
      problems.clear();
      const w = W[lng];
      const clicks = { n: 0 };
      await page.goto(`${app.baseUrl}${w.municipality}${MIRAFLORES}`);
      await click(page, clicks, page.locator(`nav.breadcrumb a[href="${w.department}"]`));
      await headlineOnFirstScreen(page, viewport.height);
      clicks.n += 1;
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#muni-h ~ .downloads a', { hasText: 'CSV' }).first().click()]);
      expect(clicks.n).toBe(2);
      const file = await download.path();
      const rows = parseCsv(await import('node:fs').then((fs) => fs.readFileSync(file!, 'utf8')), { columns: true }) as Array<Record<string, string>>;
      expect(rows).toHaveLength(171);
      expect(rows.every((r) => r.code.startsWith('15'))).toBe(true);
      const miraflores = rows.find((r) => r.code === MIRAFLORES)!;
      expect(miraflores.name).toBe('Miraflores');
      expect(Number(miraflores.execution_pct)).toBe(expected.pct);
      expect(miraflores.year).toBe('2024');
      expect(problems.list).toEqual([]);
    },
  );
});
