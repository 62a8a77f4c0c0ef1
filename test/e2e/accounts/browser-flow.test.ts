import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Browser, chromium, Page } from 'playwright-core';
import { createTestApp, TestApp } from '../../helpers/app';
import { lastLink, PASSWORD } from '../../helpers/accounts';

const chromiumPath = process.env.RA_TEST_CHROMIUM;
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const ids = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; impact: string }> }> } };
    const r = await w.axe.run({ runOnly: ['wcag2a', 'wcag2aa'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  });
  return ids;
}

(chromiumPath ? describe : describe.skip)('account flow in a browser (SQLite, chromium)', () => {
  let t: TestApp;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server.close(r));
    await t.cleanup();
  });

  it('when a resident registers, confirms, logs in and out without JavaScript, then every page works and has no serious accessibility violation', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const checker = await (await browser.newContext({ bypassCSP: true })).newPage();
    const audit = async (url: string) => {
      await checker.goto(url);
      expect(await axeViolations(checker)).toEqual([]);
    };

    await page.goto(`${base}/es/registro`);
    await audit(`${base}/es/registro`);
    await page.fill('#reg-email', 'navegador@example.pe');
    await page.fill('#reg-password', 'corta');
    await page.click('main button[type=submit]');
    expect(await page.getAttribute('#reg-password', 'aria-describedby')).toContain('reg-password-error');
    await page.fill('#reg-password', PASSWORD);
    await page.click('main button[type=submit]');
    expect(await page.textContent('h1')).toContain('Revise su correo');

    await page.goto(`${base}${lastLink(t, 'navegador@example.pe')}`);
    await page.click('main button[type=submit]');
    expect(await page.textContent('h1')).toContain('Cuenta confirmada');

    await page.goto(`${base}/es/cuenta`);
    expect(page.url()).toContain('/es/login?returnTo=%2Fes%2Fcuenta');
    await audit(`${base}/en/login`);
    await page.fill('#login-email', 'navegador@example.pe');
    await page.fill('#login-password', PASSWORD);
    await page.click('main button[type=submit]');
    expect(page.url()).toBe(`${base}/es/cuenta`);
    expect(await page.textContent('.account-nav')).toContain('navegador@example.pe');

    await page.click('.logout-form button');
    expect(page.url()).toBe(`${base}/es/`);
    expect(await page.textContent('.site-header')).toContain('Iniciar sesión');
    expect((await context.cookies()).filter((c) => c.name === 'ra.sid')).toEqual([]);
    await context.close();
  });
});
