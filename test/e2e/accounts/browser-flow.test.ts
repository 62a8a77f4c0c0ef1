import { lastLink, PASSWORD } from '../../helpers/accounts';
import { chromiumPath, formatViolations, MOBILE, noJsContext, useBrowserApp, runAxe } from '../../helpers/browser';

(chromiumPath ? describe : describe.skip)('account flow in a browser (SQLite, chromium)', () => {
  const app = useBrowserApp();

  it('when a resident registers, confirms, logs in and out without JavaScript, then every page works and axe finds zero WCAG 2.1 A/AA violations in es and en', async () => {
    const context = await noJsContext(app.browser, MOBILE);
    const page = await context.newPage();
    const checkerContext = await noJsContext(app.browser, MOBILE);
    const checker = await checkerContext.newPage();
    // Zero WCAG 2.1 A/AA violations, in both languages, with the strict CSP left intact.
    const audit = async (url: string) => {
      for (const u of [url, url.replace('/es/', '/en/').replace('/registro', '/register')]) {
        await checker.goto(u);
        const violations = await runAxe(checker, { scriptsDisabled: true });
        expect(formatViolations(violations)).toBe(formatViolations([]));
      }
    };

    await page.goto(`${app.base}/es/registro`);
    await audit(`${app.base}/es/registro`);
    await page.fill('#reg-email', 'navegador@example.pe');
    await page.fill('#reg-password', 'corta');
    await page.click('main button[type=submit]');
    expect(await page.getAttribute('#reg-password', 'aria-describedby')).toContain('reg-password-error');
    await page.fill('#reg-password', PASSWORD);
    await page.click('main button[type=submit]');
    expect(await page.textContent('h1')).toContain('Revise su correo');

    await page.goto(`${app.base}${await lastLink(app.t, 'navegador@example.pe')}`);
    await page.click('main button[type=submit]');
    expect(await page.textContent('h1')).toContain('Cuenta confirmada');
    // The confirmation signed the resident in; logging out, the login page is next.
    expect(await page.textContent('.account-nav')).toContain('navegador@example.pe');
    await page.click('.logout-form button');

    await page.goto(`${app.base}/es/cuenta`);
    expect(page.url()).toContain('/es/login?returnTo=%2Fes%2Fcuenta');
    await audit(`${app.base}/es/login`);
    await page.fill('#login-email', 'navegador@example.pe');
    await page.fill('#login-password', PASSWORD);
    await page.click('main button[type=submit]');
    expect(page.url()).toBe(`${app.base}/es/cuenta`);
    expect(await page.textContent('.account-nav')).toContain('navegador@example.pe');

    await page.click('.logout-form button');
    expect(page.url()).toBe(`${app.base}/es/`);
    expect(await page.textContent('.site-header')).toContain('Iniciar sesión');
    expect((await context.cookies()).filter((c) => c.name === 'ra.sid')).toEqual([]);
    await context.close();
    await checkerContext.close();
  });
});
