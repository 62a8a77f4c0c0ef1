import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser, type BrowserContext, type CDPSession, type ConsoleMessage, type Page } from 'playwright-core';
import { createHttpServer } from '../../src/web/http-server';
import { createTestApp, type TestApp } from './app';

/** Path to Debian's chromium, set by global setup when it exists (CI fails instead of skipping). */
export const chromiumPath = process.env.RA_TEST_CHROMIUM;

/** describe, or describe.skip with a visible note when no chromium is installed. */
export function describeWithBrowser(name: string, fn: () => void): void {
  if (chromiumPath) {
    describe(name, fn);
    return;
  }
  // eslint-disable-next-line no-console -- a note in the jest output on purpose
  console.info(`chromium not found: browser tests "${name}" SKIPPED (apt-get install chromium)`);
  describe.skip(name, fn);
}

export interface RunningApp extends TestApp {
  baseUrl: string;
  close: () => Promise<void>;
}

/** The real app on a fresh seeded database, served over HTTP on a free local port (`history`: with 2012–2022 loaded too). */
export async function startApp(opts: { history?: boolean } = {}): Promise<RunningApp> {
  const t = await createTestApp('sqlite', opts);
  const server = createHttpServer(t.app); // the server src/server.ts runs
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...t,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.cleanup();
    },
  };
}

/** One headless chromium for a whole test file. No --user-data-dir: playwright manages its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const MOBILE = { width: 375, height: 812 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

/** Playwright actions fail after this long instead of waiting for jest's 30 s test time-out. */
export const ACTION_TIMEOUT_MS = 15000;

/** A JavaScript-disabled context: every page must work as plain server-rendered HTML. */
export async function noJsContext(browser: Browser, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport, deviceScaleFactor: 1, locale: 'es-PE' });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return context;
}

export interface ProblemLog {
  /** Console errors and warnings, uncaught page errors and failed requests since the last clear(). */
  readonly list: string[];
  clear: () => void;
  /** The URL of a page that is meant to answer 404 (null: none). */
  expectNotFound: (url: string | null) => void;
}

/**
 * Collects console errors and warnings, uncaught page errors and failed requests of a page
 * (a CSP violation shows up as a console error "Refused to ..."). The 404 of a page under
 * test is expected once `expectNotFound` names its URL, and the browser's own request for
 * /favicon.ico (made by chromium, not by the page) is not the page's problem.
 */
export function collectProblems(page: Page): ProblemLog {
  let list: string[] = [];
  let notFoundUrl: string | null = null;
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const at = msg.location().url;
    if (/Failed to load resource/.test(msg.text()) && at && (new URL(at).pathname === '/favicon.ico' || at === notFoundUrl)) return;
    list.push(`console.${msg.type()}: ${msg.text()}${at ? ` (${at})` : ''}`);
  });
  page.on('pageerror', (err) => list.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A subresource still loading when a click navigates away is cancelled (net::ERR_ABORTED): not a fault of the page.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && req.resourceType() !== 'document') return;
    list.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  return {
    get list() {
      return list;
    },
    clear: () => {
      list = [];
    },
    expectNotFound: (url) => {
      notFoundUrl = url;
    },
  };
}

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** What every page is checked for: WCAG 2.1 A/AA and axe's best practices (landmarks, headings, unique names). */
export const AXE_TAGS = [...WCAG_TAGS, 'best-practice'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

type AxeGlobals = {
  axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> };
  __raAxe?: { done: boolean; violations?: AxeViolation[]; error?: string };
  __raTimers?: { drain: () => void; restore: () => void };
};

/** Replaces the page's setTimeout with a queue of zero-delay timers that runAxe drains (see runAxe). Runs in the page. */
function queueTimers(): void {
  const w = window as unknown as AxeGlobals & Window;
  const nativeSet = w.setTimeout;
  const nativeClear = w.clearTimeout;
  const cancelled = new Set<number>();
  let next = 0;
  let queue: [number, () => void][] = [];
  w.__raTimers = {
    drain: () => {
      const run = queue;
      queue = [];
      for (const [id, fn] of run) if (!cancelled.has(id)) fn();
    },
    restore: () => {
      w.setTimeout = nativeSet;
      w.clearTimeout = nativeClear;
    },
  };
  w.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id = ++next;
    if (!ms || ms <= 1) queue.push([id, () => fn(...args)]);
    return id;
  }) as unknown as typeof setTimeout;
  w.clearTimeout = ((id: number) => {
    cancelled.add(id);
  }) as unknown as typeof clearTimeout;
}

/** Starts axe on the document; its outcome lands in window.__raAxe. Runs in the page. */
function startAxe(tags: string[]): void {
  const w = window as unknown as AxeGlobals;
  w.__raAxe = { done: false };
  w.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }).then(
    (r) => {
      w.__raAxe = {
        done: true,
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })),
        })),
      };
    },
    (e: unknown) => {
      w.__raAxe = { done: true, error: String((e as Error)?.stack ?? e) };
    },
  );
}

/**
 * Without scripts the page runs no timers: runs axe's queued ones, many rounds per call (each round
 * lets the promise jobs they start queue the next timers); puts the page's own timers back once
 * axe is done. Returns axe's state. Runs in the page.
 */
async function pumpAxe(): Promise<AxeGlobals['__raAxe']> {
  const w = window as unknown as AxeGlobals;
  for (let round = 0; round < 500 && w.__raTimers && !w.__raAxe?.done; round++) {
    w.__raTimers.drain();
    for (let tick = 0; tick < 20; tick++) await null;
  }
  if (w.__raAxe?.done) w.__raTimers?.restore();
  return w.__raAxe;
}

const devToolsSessions = new WeakMap<Page, Promise<CDPSession>>();
/** The page's own DevTools session: axe's 500 kB source goes straight to Runtime.evaluate (about a third faster than page.evaluate of a string). */
function devTools(page: Page): Promise<CDPSession> {
  let session = devToolsSessions.get(page);
  if (!session) {
    session = page.context().newCDPSession(page);
    devToolsSessions.set(page, session);
  }
  return session;
}

/**
 * Runs axe-core on the current document for WCAG 2.1 A/AA. axe is evaluated through the
 * DevTools protocol (Runtime.evaluate): no inline script, no bypassCSP, the strict CSP stays
 * as the server sent it.
 *
 * In a javaScriptEnabled: false context (`scriptsDisabled`) chromium still evaluates code
 * sent over the DevTools protocol, but it never fires timers and only runs microtasks after
 * such an evaluation, so a plain `await axe.run()` hangs forever. For those pages the
 * zero-delay setTimeout calls axe makes between rules are queued, and this function pumps
 * them (and the microtasks behind them) inside the evaluation until axe has finished.
 * Delayed timers (axe only uses them as time-outs for frames and preloading) never fire,
 * exactly as in the page itself. The results are the same as with JavaScript enabled.
 */
export async function runAxe(page: Page, { scriptsDisabled = false }: { scriptsDisabled?: boolean } = {}): Promise<AxeViolation[]> {
  // One DevTools evaluation (usually the only one): without scripts, queue the page's timers;
  // load axe; start its run; pump its timers until it has finished.
  const expression = `${scriptsDisabled ? `(${queueTimers.toString()})();\n` : ''}${axeSource}\n;(${startAxe.toString()})(${JSON.stringify(AXE_TAGS)});\n(${pumpAxe.toString()})()`;
  const first = await (await devTools(page)).send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (first.exceptionDetails) throw new Error(`axe could not run: ${first.exceptionDetails.exception?.description ?? first.exceptionDetails.text}`);
  let state = first.result.value as AxeGlobals['__raAxe'];
  const deadline = Date.now() + ACTION_TIMEOUT_MS;
  try {
    while (!state?.done) {
      if (Date.now() > deadline) throw new Error(`axe did not finish within ${ACTION_TIMEOUT_MS / 1000} s`);
      if (!scriptsDisabled) await new Promise((r) => setTimeout(r, 20));
      state = await page.evaluate(pumpAxe);
    }
  } finally {
    if (scriptsDisabled && !state?.done) await page.evaluate(() => (window as unknown as AxeGlobals).__raTimers?.restore());
  }
  if (state.error) throw new Error(`axe failed: ${state.error}`);
  return state.violations ?? [];
}

/** A readable, debuggable listing of axe violations (empty string when none). */
export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `    - ${n.target.join(' ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`)
        .join('\n');
      const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more nodes` : '';
      return `  [${v.impact ?? '?'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`;
    })
    .join('\n');
}

/** Widest horizontal extent of the page; anything beyond the viewport means the page scrolls sideways. */
export function pageScrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
}

/** Elements sticking out past the viewport's right edge, outside .table-scroll regions (to explain an overflow). */
export function overflowingElements(page: Page, width: number): Promise<string[]> {
  return page.evaluate((w: number) => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      if (el.closest('.table-scroll')) continue;
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 && r.width > 0) {
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
        out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls} right=${Math.round(r.right)}`);
      }
      if (out.length >= 10) break;
    }
    return out;
  }, width);
}

export const screenshotDir = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

/**
 * Full-page screenshot saved as test-results/screenshots/<name>.png, for a page that failed its
 * audit, or for every page with SCREENSHOTS=1 (`SCREENSHOTS=1 npm test`). A full-page PNG costs
 * about as much as the axe run itself, so the suite does not take one of every passing page.
 */
export async function screenshot(page: Page, name: string, { failed = true }: { failed?: boolean } = {}): Promise<string | null> {
  if (!failed && process.env.SCREENSHOTS !== '1') return null;
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** An app on a local port (the test's own database), as the browser reaches it, on the server src/server.ts runs. */
export async function listen(app: Express): Promise<{ base: string; server: http.Server }> {
  const server = createHttpServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A new page of `context`, signed in through the login form (works without JavaScript). */
export async function signInPage(context: BrowserContext, base: string, email: string, password: string, lng: 'es' | 'en' = 'es'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/${lng}/login`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('main button[type=submit]');
  return page;
}

/** Clicks a link or button that loads a new page, and counts the click (the tasks' click budgets). */
export async function click(page: Page, counter: { n: number }, locator: ReturnType<Page['locator']>): Promise<void> {
  counter.n += 1;
  await Promise.all([page.waitForEvent('load'), locator.first().click()]);
}

/** One test file's browser setup: a fresh SQLite test app on a local port and a headless chromium. */
export interface BrowserApp {
  t: TestApp;
  base: string;
  server: http.Server;
  browser: Browser;
}

export async function openBrowserApp(): Promise<BrowserApp> {
  const t = await createTestApp('sqlite');
  const { base, server } = await listen(t.app);
  return { t, base, server, browser: await launchBrowser() };
}

/**
 * The browser app of the enclosing describe: opened before its tests (then `setup` runs, e.g. to
 * create users), closed after them. Its fields are set by the time the tests run.
 */
export function useBrowserApp(setup?: (app: BrowserApp) => Promise<void>): BrowserApp {
  const app = {} as BrowserApp;
  beforeAll(async () => {
    Object.assign(app, await openBrowserApp());
    await setup?.(app);
  });
  afterAll(() => closeBrowserApp(app));
  return app;
}

/** Closes what openBrowserApp opened (whatever of it exists after a failed setup). */
export async function closeBrowserApp({ t, server, browser }: Partial<BrowserApp>): Promise<void> {
  await browser?.close();
  server?.closeAllConnections();
  if (server) await new Promise((r) => server.close(r));
  await t?.cleanup();
}
