import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';

const PUBLIC_PAGES = ['/es/', '/en/', '/es/departamentos', '/en/departments', '/es/departamentos/02', '/en/municipalities/150101', '/es/buscar?q=lima', '/en/execution', '/es/historico', '/en/about'];

describe('web layer (SQLite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t.cleanup());

  it.each([
    [undefined, '/es/'],
    ['en-US,en;q=0.9', '/en/'],
    ['fr-FR,en;q=0.5,es;q=0.8', '/es/'],
    ['de-DE', '/es/'],
    ['__proto__', '/es/'],
  ])('when / is requested with Accept-Language %s, then it redirects to %s and varies on the header', async (al, target) => {
    const req = request(t.app).get('/');
    if (al) req.set('Accept-Language', al);
    const res = await req.expect(302);
    expect(res.headers.location).toBe(target);
    expect(res.headers.vary).toMatch(/Accept-Language/);
  });

  it('when any public page is viewed anonymously, then no cookie is set (no session is created)', async () => {
    for (const p of PUBLIC_PAGES) {
      const res = await request(t.app).get(p).expect(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('when a page is viewed in each language, then <html lang> matches and the switcher points to the same page in the other language', async () => {
    const es = await request(t.app).get('/es/departamentos/15?year=2025').expect(200);
    expect(es.text).toContain('<html lang="es">');
    expect(es.text).toContain('class="lang-switch" href="/en/departments/15?year=2025"');
    const en = await request(t.app).get('/en/municipalities/150101').expect(200);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('class="lang-switch" href="/es/municipalidades/150101"');
  });

  it('when numbers and money are shown, then they follow es-PE and en-US formats with S/', async () => {
    const es = await request(t.app).get('/es/municipalidades/150101').expect(200);
    expect(es.text).toMatch(/S\/ \d{1,3}(,\d{3})+/);
    expect(es.text).toContain('8 de marzo de 2025');
    const en = await request(t.app).get('/en/municipalities/150101').expect(200);
    expect(en.text).toContain('March 8, 2025');
  });

  it('when a page is not found, then a localized 404 page with an error id and no framework details is shown', async () => {
    const es = await request(t.app).get('/es/no-existe').expect(404);
    expect(es.text).toContain('Página no encontrada');
    expect(es.text).toMatch(/Código de referencia: [0-9a-f]{12}/);
    const en = await request(t.app).get('/en/municipalities/999999').expect(404);
    expect(en.text).toContain('There is no municipality with ubigeo 999999');
    for (const body of [es.text, en.text]) expect(body).not.toMatch(/Express|stack|at Object|node_modules|Cannot GET/i);
  });

  it.each(['/.env', '/.git/config', '/views/site/home.ejs', '/migrations/index.ts', '/package.json', '/static/../package.json', '/static/css/site.css.bak', '/static/.htaccess'])(
    'when %s is requested, then 404',
    async (p) => {
      await request(t.app).get(p).expect(404);
    },
  );

  it('when any response is sent, then the security headers are there (CSP nonce, nosniff, referrer, frame-ancestors) and X-Powered-By is not', async () => {
    for (const p of ['/es/', '/es/nope', '/api/v1/municipalities/1']) {
      const res = await request(t.app).get(p);
      const csp = res.headers['content-security-policy'];
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
      expect(csp).not.toMatch(/unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    const a = await request(t.app).get('/es/');
    const b = await request(t.app).get('/es/');
    expect(a.headers['content-security-policy']).not.toBe(b.headers['content-security-policy']);
  });

  it('when the pages are rendered, then they contain no inline script (JSON-LD data blocks are not scripts)', async () => {
    for (const p of PUBLIC_PAGES) {
      const res = await request(t.app).get(p);
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/ld\+json")[^>]*>/i);
      expect(res.text).not.toMatch(/\sstyle="/i);
    }
  });

  it.each([
    ['?lng=../../etc/passwd', '/es/'],
    ['?lng=es%0d%0aSet-Cookie:a=b', '/en/'],
  ])('when a language parameter %s is injected, then a normal page is shown with no injected header', async (qs, base) => {
    const res = await request(t.app).get(`${base}${qs}`).set('Accept-Language', '__proto__').expect(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.text).toMatch(/<html lang="(es|en)">/);
  });

  it('when template options are smuggled in the query string, then they have no effect', async () => {
    const res = await request(t.app).get('/es/buscar').query('q=lima&settings[view options][outputFunctionName]=x;process.exit(1);s&settings[view options][client]=true');
    expect(res.status).toBe(200);
    await request(t.app).get('/healthz').expect(200);
  });

  it('when stored-looking markup is searched, then it is rendered inert', async () => {
    const res = await request(t.app).get('/es/buscar').query({ q: '"><svg onload=alert(1)><%= 7*7 %>' }).expect(200);
    expect(res.text).not.toContain('<svg onload');
    expect(res.text).toContain('&lt;svg onload=alert(1)&gt;&lt;%= 7*7 %&gt;');
    expect(res.text).not.toContain('>49<');
  });

  it.each([
    ['q as an array', '/es/buscar?q=a&q=b', 400],
    ['a 10 kB string', `/es/buscar?q=${'a'.repeat(10000)}`, 400],
    ['a page number that is not a number', '/es/ejecucion?page=abc', 400],
  ])('when the input is %s, then a localized 4xx page, never 500', async (_label, path, status) => {
    const res = await request(t.app).get(path);
    expect(res.status).toBe(status);
    expect(res.text).toContain('<html lang="es">');
  });

  it('when /healthz and /readyz are called, then both answer 200; while shutting down /readyz answers 503', async () => {
    await request(t.app).get('/healthz').expect(200, { status: 'ok' });
    await request(t.app).get('/readyz').expect(200);
    t.lifecycle.shuttingDown = true;
    await request(t.app).get('/readyz').expect(503);
    await request(t.app).get('/healthz').expect(200);
    t.lifecycle.shuttingDown = false;
  });

  it('when a bug makes a query fail, then a localized 500 page with an error id shows no SQL, stack or framework name', async () => {
    const broken = await createTestApp('sqlite');
    try {
      await broken.db.schema.dropTable('history_category_share');
      const res = await request(broken.app).get('/en/history').expect(500);
      expect(res.text).toContain('Unexpected error');
      expect(res.text).toMatch(/Reference code: [0-9a-f]{12}/);
      expect(res.text).not.toMatch(/select|sqlite|history_category_share|knex|express|at \w+ \(/i);
      const api = await request(broken.app).get('/es/historico').expect(500);
      expect(api.text).toContain('Error inesperado');
    } finally {
      await broken.cleanup();
    }
  });
});
