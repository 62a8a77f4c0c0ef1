import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import {
  ACTION_TIMEOUT_MS,
  collectProblems,
  DESKTOP,
  describeWithBrowser,
  formatViolations,
  launchBrowser,
  MOBILE,
  noJsContext,
  overflowingElements,
  ProblemLog,
  runAxe,
  RunningApp,
  screenshot,
  startApp,
} from '../helpers/browser';

/*
 * Browser tests: Debian's chromium (driven by playwright-core) opens every public page in
 * both languages with JavaScript disabled, at 375 px and at 1280 px, and runs axe-core for
 * WCAG 2.1 A/AA and its best-practice rules; a page that fails is saved as a screenshot in
 * test-results/screenshots/ (every page with SCREENSHOTS=1).
 */

type Lang = 'es' | 'en';

interface PageCase {
  name: string;
  paths: Record<Lang, string>;
  status?: number;
  /** Where the language switcher leads; the twin page by default. */
  switchTo?: Record<Lang, string>;
}

/** Every public page, in both languages. */
const PAGES: PageCase[] = [
  { name: 'home', paths: { es: '/es/', en: '/en/' } },
  { name: 'departments', paths: { es: '/es/departamentos', en: '/en/departments' } },
  { name: 'department', paths: { es: '/es/departamentos/15', en: '/en/departments/15' } },
  { name: 'department-province-filter', paths: { es: '/es/departamentos/15?province=1501', en: '/en/departments/15?province=1501' } },
  { name: 'province', paths: { es: '/es/provincias/1501', en: '/en/provinces/1501' } },
  { name: 'municipality', paths: { es: '/es/municipalidades/150101', en: '/en/municipalities/150101' } },
  { name: 'municipality-miraflores', paths: { es: '/es/municipalidades/150122', en: '/en/municipalities/150122' } },
  { name: 'search-ubigeo', paths: { es: '/es/buscar?q=150122', en: '/en/search?q=150122' } },
  { name: 'search-place', paths: { es: '/es/buscar?q=lima', en: '/en/search?q=lima' } },
  { name: 'compare-start', paths: { es: '/es/comparar?u=150122', en: '/en/compare?u=150122' } },
  { name: 'compare-choices', paths: { es: '/es/comparar?u=150122&add=san+isidro', en: '/en/compare?u=150122&add=san+isidro' } },
  { name: 'compare-two', paths: { es: '/es/comparar?u=150122&u=150131', en: '/en/compare?u=150122&u=150131' } },
  { name: 'spending-no-detail', paths: { es: '/es/municipalidades/010101/gasto', en: '/en/municipalities/010101/spending' } },
  { name: 'search', paths: { es: '/es/buscar?q=jesus+maria', en: '/en/search?q=jesus+maria' } },
  { name: 'ranking', paths: { es: '/es/ejecucion', en: '/en/execution' } },
  { name: 'ranking-municipalities', paths: { es: '/es/ejecucion?level=municipality', en: '/en/execution?level=municipality' } },
  { name: 'history', paths: { es: '/es/historico', en: '/en/history' } },
  { name: 'about', paths: { es: '/es/acerca', en: '/en/about' } },
  { name: 'pb-items', paths: { es: '/es/presupuesto-participativo', en: '/en/participatory-budget' } },
  // Example content of 150101 (loaded on first start): its year and ids are read from the database (`:year`, `:item`…).
  { name: 'pb-process', paths: { es: '/es/presupuesto-participativo/150101/:year', en: '/en/participatory-budget/150101/:year' } },
  { name: 'pb-item', paths: { es: '/es/presupuesto-participativo/proyectos/:item', en: '/en/participatory-budget/items/:item' } },
  { name: 'pb-proposals', paths: { es: '/es/presupuesto-participativo/150101/:year/propuestas', en: '/en/participatory-budget/150101/:year/proposals' } },
  { name: 'pb-proposal', paths: { es: '/es/presupuesto-participativo/propuestas/:proposal', en: '/en/participatory-budget/proposals/:proposal' } },
  { name: 'pb-results', paths: { es: '/es/presupuesto-participativo/150101/:year/resultados', en: '/en/participatory-budget/150101/:year/results' } },
  { name: 'hearings', paths: { es: '/es/rendicion-de-cuentas', en: '/en/accountability' } },
  { name: 'hearing', paths: { es: '/es/rendicion-de-cuentas/audiencias/:hearing', en: '/en/accountability/hearings/:hearing' } },
  { name: 'commitments', paths: { es: '/es/rendicion-de-cuentas/compromisos', en: '/en/accountability/commitments' } },
  { name: 'commitment', paths: { es: '/es/rendicion-de-cuentas/compromisos/:commitment', en: '/en/accountability/commitments/:commitment' } },
  { name: 'delivery', paths: { es: '/es/municipalidades/150101/cumplimiento', en: '/en/municipalities/150101/delivery' } },
  { name: 'scores-ranking', paths: { es: '/es/indice?year=2024', en: '/en/score?year=2024' } },
  { name: 'methodology', paths: { es: '/es/indice/metodologia?ubigeo=150101&year=2024', en: '/en/score/methodology?ubigeo=150101&year=2024' } },
  { name: 'satisfaction', paths: { es: '/es/municipalidades/150101/satisfaccion', en: '/en/municipalities/150101/satisfaction' } },
  { name: 'spending-municipality', paths: { es: '/es/municipalidades/150101/gasto', en: '/en/municipalities/150101/spending' } },
  { name: 'spending-area', paths: { es: '/es/gasto', en: '/en/spending' } },
  { name: 'spending-categories', paths: { es: '/es/gasto/categorias', en: '/en/spending/categories' } },
  // Nothing chosen yet (the header's link): the compare form alone.
  { name: 'compare-empty', paths: { es: '/es/comparar', en: '/en/compare' } },
  { name: 'map', paths: { es: '/es/mapa', en: '/en/map' } },
  { name: 'open-data', paths: { es: '/es/datos', en: '/en/data' } },
  { name: 'api-docs', paths: { es: '/es/api', en: '/en/api' } },
  // The example results chain of 150101 (issue 17): tree with charts, tables and flags; the national list.
  { name: 'results-chain', paths: { es: '/es/municipalidades/150101/resultados', en: '/en/municipalities/150101/results' } },
  { name: 'results-indicators', paths: { es: '/es/resultados/indicadores', en: '/en/results/indicators' } },
  // An unknown page has no twin: its switcher leads to the other language's home.
  { name: 'not-found', paths: { es: '/es/no-existe', en: '/en/does-not-exist' }, status: 404, switchTo: { es: '/en/', en: '/es/' } },
];

const LANGS: Lang[] = ['es', 'en'];
const other = (l: Lang): Lang => (l === 'es' ? 'en' : 'es');
const CASES = PAGES.flatMap((p) => LANGS.map((lng) => ({ ...p, lng, path: p.paths[lng], label: `${p.name} (${lng})` })));

/** The strict CSP must reach the browser unweakened: axe is injected without loosening it. */
function expectStrictCsp(response: Response): void {
  const csp = response.headers()['content-security-policy'] ?? '';
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v] as const),
  );
  expect(directives.get('default-src')).toEqual(["'self'"]);
  const scriptSrc = directives.get('script-src') ?? [];
  expect(scriptSrc).toContain("'self'");
  expect(scriptSrc.filter((s) => s !== "'self'" && !s.startsWith("'nonce-"))).toEqual([]);
  expect(directives.get('style-src')).toEqual(["'self'"]);
  expect(directives.get('object-src')).toEqual(["'none'"]);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
}

function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

/** One JavaScript-disabled tab at a given width, reused by every test of the file. */
interface Tab {
  id: 'mobile' | 'desktop';
  width: number;
  context: BrowserContext;
  page: Page;
  problems: ProblemLog;
}

describeWithBrowser('browser: every page without JavaScript, at 375 px and 1280 px', () => {
  let app: RunningApp;
  let browser: Browser;
  let mobile: Tab;
  let desktop: Tab;

  async function openTab(id: Tab['id'], size: { width: number; height: number }): Promise<Tab> {
    const context = await noJsContext(browser, size);
    const page = await context.newPage();
    return { id, width: size.width, context, page, problems: collectProblems(page) };
  }

  /** The example rows of 150101 the pages above open (never an id or a year assumed from the seed). */
  const example: Record<string, string> = {};
  const at = (p: string) => p.replace(/:(year|item|hearing|commitment|proposal)\b/g, (_m, k: string) => example[k]);

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    const first = (table: string) => app.db(table).where({ ubigeo: '150101', is_example: true }).orderBy('id').first();
    const [proc, item, hearing, commitment, proposal] = await Promise.all([first('pb_processes'), first('pb_items'), first('hearings'), first('commitments'), first('pb_proposals')]);
    Object.assign(example, { year: String(proc.year), item: String(item.id), hearing: String(hearing.id), commitment: String(commitment.id), proposal: String(proposal.id) });
    [mobile, desktop] = await Promise.all([openTab('mobile', MOBILE), openTab('desktop', DESKTOP)]);
  }, 30000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  beforeEach(() => {
    for (const tab of [mobile, desktop]) {
      tab.problems.clear();
      tab.problems.expectNotFound(null);
    }
  });

  /** Everything one page must satisfy at one width; returns the failures instead of throwing on the first. */
  async function audit(tab: Tab, c: (typeof CASES)[number]): Promise<string[]> {
    const { page, width } = tab;
    const url = app.baseUrl + at(c.path);
    const failures: string[] = [];
    tab.problems.expectNotFound(c.status === 404 ? url : null);
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response) return [`${url}: no response`];
    if (response.status() !== (c.status ?? 200)) failures.push(`HTTP ${response.status()}, expected ${c.status ?? 200}`);
    try {
      expectStrictCsp(response);
    } catch (e) {
      failures.push(`CSP weakened: ${(e as Error).message}`);
    }
    // What the page shows, read in one round trip: its lang, its first <h1> in <main>, its language switcher and its width.
    const shown = await page.evaluate(() => {
      const switcher = document.querySelector('a.lang-switch');
      return {
        lang: document.documentElement.getAttribute('lang'),
        h1: document.querySelector('main h1')?.textContent?.trim() ?? '',
        hreflang: switcher?.getAttribute('hreflang') ?? null,
        href: switcher?.getAttribute('href') ?? null,
        scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      };
    });
    if (shown.lang !== c.lng) failures.push(`<html lang="${shown.lang}">, expected "${c.lng}"`);
    if (!shown.h1) failures.push('no <h1> in <main>');
    // The language switcher leads to this page's twin in the other language (clicked for real below on a few pages).
    const { hreflang, href } = shown;
    const twin = at(c.switchTo?.[c.lng] ?? c.paths[other(c.lng)]);
    if (hreflang !== other(c.lng) || !href || pathOf(new URL(href, url).toString()) !== twin)
      failures.push(`language switcher: hreflang="${hreflang}" href="${href}", expected ${other(c.lng)} ${twin}`);

    if (shown.scrollWidth > width + 1) {
      failures.push(`scrolls sideways (scrollWidth ${shown.scrollWidth}); sticking out: ${(await overflowingElements(page, width)).join(', ')}`);
    }

    const violations = await runAxe(page, { scriptsDisabled: true });
    if (violations.length) failures.push(`${violations.length} axe violation(s):\n${formatViolations(violations)}`);

    if (tab.problems.list.length) failures.push(`console/page errors:\n  ${tab.problems.list.join('\n  ')}`);
    // A failed page's screenshot is named in the failure (every page's with SCREENSHOTS=1).
    const shot = await screenshot(page, `${c.name}-${c.lng}-${tab.id}`, { failed: failures.length > 0 });
    if (shot && failures.length) failures.push(`screenshot: ${shot}`);
    return failures.map((f) => `[${c.label} at ${width} px] ${f}`);
  }

  test.each(CASES)(
    'when $label is opened without JavaScript at 375 px and at 1280 px, then it has the right lang, the strict CSP, a language switcher to its twin, no sideways scroll, no console or CSP errors and zero axe violations (WCAG 2.1 A/AA and best practices)',
    async (c) => {
      const failures = (await Promise.all([audit(mobile, c), audit(desktop, c)])).flat();
      if (failures.length) throw new Error(failures.join('\n\n'));
    },
  );

  /** Pages whose switcher is clicked for real (every page's link is checked in the audit above). */
  const CLICKED = new Set(['home', 'municipality', 'pb-item', 'compare-two', 'not-found']);
  test.each(CASES.filter((c) => CLICKED.has(c.name)))('when the language switcher is clicked on $label without JavaScript, then the same page opens in the other language', async (c) => {
    const { page, problems } = mobile;
    problems.expectNotFound(c.status === 404 ? app.baseUrl + c.path : null);
    await page.goto(app.baseUrl + at(c.path));
    const target = at(c.switchTo?.[c.lng] ?? c.paths[other(c.lng)]);
    const link = page.locator('a.lang-switch');
    expect(await link.getAttribute('hreflang')).toBe(other(c.lng));
    await Promise.all([page.waitForURL((u) => pathOf(u.toString()) === target), link.click()]);
    expect(pathOf(page.url())).toBe(target);
    expect(await page.getAttribute('html', 'lang')).toBe(other(c.lng));
    expect(problems.list).toEqual([]);
  });

  test.each([
    { lng: 'es' as Lang, home: '/es/', results: '/es/buscar?q=jesus+maria', muni: '/es/municipalidades/' },
    { lng: 'en' as Lang, home: '/en/', results: '/en/search?q=jesus+maria', muni: '/en/municipalities/' },
  ])('when "jesus maria" is searched from the $lng home page without JavaScript at 375 px, then Jesús María is listed and its page opens', async ({ lng, home, results, muni }) => {
    const { page, problems } = mobile;
    await page.goto(app.baseUrl + home);
    await page.fill('#home-search', 'jesus maria');
    await Promise.all([page.waitForURL((u) => u.pathname !== home), page.press('#home-search', 'Enter')]);
    expect(pathOf(page.url())).toBe(results);
    expect(await page.getAttribute('html', 'lang')).toBe(lng);
    const link = page.getByRole('link', { name: 'Jesús María', exact: true }).first();
    expect(await link.isVisible()).toBe(true);
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith(muni)), link.click()]);
    expect(await page.locator('main h1').first().textContent()).toContain('Jesús María');
    expect(problems.list).toEqual([]);
  });

  test.each([
    { lng: 'es' as Lang, start: '/es/acerca', results: '/es/buscar?q=jesus+maria' },
    { lng: 'en' as Lang, start: '/en/about', results: '/en/search?q=jesus+maria' },
  ])('when "jesus maria" is submitted with the header search button on a $lng page without JavaScript at 375 px, then the results list Jesús María', async ({ start, results }) => {
    const { page, problems } = mobile;
    await page.goto(app.baseUrl + start);
    await page.fill('#site-search', 'jesus maria');
    await Promise.all([page.waitForURL((u) => u.pathname !== start), page.click('.search-mini button[type=submit]')]);
    expect(pathOf(page.url())).toBe(results);
    expect(await page.getByRole('link', { name: 'Jesús María', exact: true }).first().isVisible()).toBe(true);
    expect(problems.list).toEqual([]);
  });

  test('when axe runs on a page with known faults without JavaScript, then it reports the same WCAG and best-practice violations as with JavaScript enabled', async () => {
    // Guards the no-JavaScript axe runner in test/helpers/browser.ts: a runner that silently
    // found nothing would make every audit above pass.
    const faulty =
      '<!doctype html><html><head><title></title><style>p{color:#bbb}</style></head><body><main><h1>Faults</h1>' +
      '<img src="data:,"><p>Low contrast text</p><a href="/x"></a><input type="text"></main>' +
      // A best-practice fault (two navigation landmarks with no name to tell them apart).
      '<nav><a href="/a">A</a></nav><nav><a href="/b">B</a></nav></body></html>';
    const run = async (context: BrowserContext, scriptsDisabled: boolean) => {
      const page = await context.newPage();
      try {
        await page.route('**/__axe-self-test', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: faulty }));
        await page.goto(`${app.baseUrl}/__axe-self-test`);
        return (await runAxe(page, { scriptsDisabled })).map((v) => `${v.id}×${v.nodes.length}`).sort();
      } finally {
        await page.close();
      }
    };
    const withJs = await browser.newContext({ viewport: MOBILE });
    withJs.setDefaultTimeout(ACTION_TIMEOUT_MS);
    try {
      const [noJs, js] = await Promise.all([run(mobile.context, true), run(withJs, false)]);
      expect(noJs).toEqual(['color-contrast×1', 'document-title×1', 'html-has-lang×1', 'image-alt×1', 'label×1', 'landmark-unique×1', 'link-name×1']);
      expect(noJs).toEqual(js);
    } finally {
      await withJs.close();
    }
  });

  test('when a page with JavaScript enabled tries to run an inline script, then the CSP blocks it while axe, injected over DevTools, still runs clean', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    const page = await context.newPage();
    try {
      const response = await page.goto(`${app.baseUrl}/es/`);
      expectStrictCsp(response!);
      const outcome = await page.evaluate(
        () =>
          new Promise<{ ran: boolean; violated: string }>((resolve) => {
            const w = window as unknown as { __inlineRan?: boolean };
            let violated = '';
            document.addEventListener('securitypolicyviolation', (e) => {
              violated = e.violatedDirective;
            });
            const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true;';
            document.body.appendChild(s);
            setTimeout(() => resolve({ ran: w.__inlineRan === true, violated }), 100);
          }),
      );
      expect(outcome).toEqual({ ran: false, violated: expect.stringMatching(/^script-src/) });
      expect(await runAxe(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
