import request from 'supertest';
import type { Express } from 'express';
import { PAGE_PATHS, PageName } from '../../../src/i18n/paths';
import { totp } from '../../../src/auth/totp';
import { createAuditService } from '../../../src/modules/audit';
import { createTestApp, TestApp } from '../../helpers/app';
import { createUser, csrfFrom, formToken, lastLink, login, loginAdmin, PASSWORD, sessionCookie } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';

/** Pages anyone may read, and the anonymous forms (login, registration, email links). */
const PUBLIC_PAGES: PageName[] = [
  'home',
  'departments',
  'department',
  'province',
  'municipality',
  'search',
  'ranking',
  'history',
  'about',
  'monitors',
  'pb_items',
  'pb_item',
  'pb_evidence',
  'pb_process',
  'pb_proposals',
  'pb_proposal',
  'pb_results',
  'pb_pabulib',
  'pb_workshop_act',
  'hearings',
  'hearing',
  'hearing_report',
  'commitments',
  'commitment',
  'delivery',
  'unsubscribe',
  'spending_municipality',
  'spending_area',
  'spending_categories',
  'compare',
  'spending_map',
  'open_data',
  'api_docs',
  'satisfaction',
  'scores_ranking',
  'methodology',
  'results_chain',
  'results_indicators',
];
const ANONYMOUS_FORMS: PageName[] = ['login', 'register', 'confirm', 'forgot', 'reset'];
// The discovery files at the root (issue 16: robots, sitemaps, icons, manifests, share images) are public too.
const PUBLIC_OTHER = [
  /^GET \/$/,
  /^GET \/healthz$/,
  /^GET \/readyz$/,
  /^GET \/api\/v1\//,
  /^GET \/(robots\.txt|sitemap\.xml|sitemaps\/:file|favicon\.ico|icon\.svg|icon-\d+\.png|apple-touch-icon\.png|manifest-:lng\.webmanifest|share\/)/,
];

function publicRoute(method: string, path: string): boolean {
  const key = `${method.toUpperCase()} ${path}`;
  if (PUBLIC_OTHER.some((r) => r.test(key))) return true;
  for (const lng of ['es', 'en'] as const) {
    const p = (n: PageName) => (PAGE_PATHS[n][lng] === '/' ? `/${lng}/` : `/${lng}${PAGE_PATHS[n][lng]}`);
    if (method === 'get' && PUBLIC_PAGES.some((n) => p(n) === path)) return true;
    if (ANONYMOUS_FORMS.some((n) => p(n) === path)) return true;
  }
  return false;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Every route of the app, from Express's own router stack. */
function routesOf(app: Express): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of ([] as string[]).concat(layer.route.path)) {
          for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push({ method: m, path: prefix + p });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

const fill = (path: string) => path.replace(':ubigeo', '150101').replace(':code', '15').replace(':id', '1');

eachDialect('access control (checklist 7, 13–16, 22, 28) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  describe('13. deny by default', () => {
    it('when the router stack is walked, then every route that is not public answers 302/401/403 without a session and with an anonymous one', async () => {
      const routes = routesOf(t.app);
      expect(routes.length).toBeGreaterThan(40);
      const guarded = routes.filter((r) => !publicRoute(r.method, r.path));
      expect(guarded.map((r) => r.path)).toEqual(expect.arrayContaining(['/es/cuenta', '/en/admin/users', '/es/gestion/:ubigeo']));
      const anon = request.agent(t.app);
      const token = await formToken(anon, '/es/login');
      const failures: string[] = [];
      for (const r of guarded) {
        const url = fill(r.path);
        const method = r.method as 'get' | 'post';
        const bare = await request(t.app)[method](url).type('form').send({});
        if (![302, 401, 403].includes(bare.status)) failures.push(`${r.method} ${r.path} without session → ${bare.status}`);
        if (bare.status === 302 && !String(bare.headers.location).includes('/login')) failures.push(`${r.method} ${r.path} redirects to ${bare.headers.location}`);
        const withSession = await anon[method](url).type('form').send({ _csrf: token });
        if (![302, 401, 403].includes(withSession.status)) failures.push(`${r.method} ${r.path} with an anonymous session → ${withSession.status}`);
      }
      expect(failures).toEqual([]);
    });

    it('when an anonymous reader asks for any path under /admin, even one that does not exist, then they are sent to log in', async () => {
      const res = await request(t.app).get('/es/admin/no-existe').expect(302);
      expect(res.headers.location).toMatch(/^\/es\/login\?returnTo=/);
    });
  });

  describe('7. admin second factor', () => {
    it('when an admin has only given the password, then every /admin page redirects to the TOTP page and admin POSTs are 403', async () => {
      const { totpSecret } = await createUser(t, 'admin7@example.pe', 'admin');
      const { agent, res } = await login(t, 'admin7@example.pe');
      expect(res.headers.location).toMatch(/^\/es\/cuenta\/verificacion/);
      for (const url of ['/es/admin/usuarios', '/en/admin/audit', '/es/admin/cualquier-cosa']) {
        const r = await agent.get(url).expect(302);
        expect(r.headers.location).toMatch(/\/(cuenta\/verificacion|account\/verification)\?returnTo=/);
      }
      const csrf = await formToken(agent, '/es/cuenta');
      const target = await createUser(t, 'target7@example.pe', 'resident');
      await agent.post(`/es/admin/usuarios/${target.id}/estado`).type('form').send({ _csrf: csrf, status: 'disabled' }).expect(403);
      await agent.post('/es/cuenta/verificacion').type('form').send({ _csrf: csrf, code: '000000' }).expect(422);
      await agent.get('/es/admin/usuarios').expect(302);
      const code = totp(totpSecret!, t.now.ms);
      const ok = await agent.post('/es/cuenta/verificacion').type('form').send({ _csrf: csrf, code, returnTo: '/es/admin/auditoria' }).expect(302);
      expect(ok.headers.location).toBe('/es/admin/auditoria');
      await agent.get('/es/admin/usuarios').expect(200);
      // The same code does not open a second session.
      const second = await login(t, 'admin7@example.pe');
      const csrf2 = await formToken(second.agent, '/es/cuenta/verificacion');
      await second.agent.post('/es/cuenta/verificacion').type('form').send({ _csrf: csrf2, code }).expect(422);
    });

    it('when a resident, monitor or official asks for an admin page, then the answer is 403', async () => {
      await createUser(t, 'res7@example.pe');
      await createUser(t, 'mon7@example.pe', 'monitor');
      await createUser(t, 'off7@example.pe', 'official', '150101');
      for (const email of ['res7@example.pe', 'mon7@example.pe', 'off7@example.pe']) {
        const { agent } = await login(t, email);
        await agent.get('/es/admin/usuarios').expect(403);
      }
    });
  });

  describe('14. officials act only on their municipality', () => {
    beforeAll(async () => {
      const audit = createAuditService();
      await audit.record(
        t.db,
        { userId: null, email: 'cli', role: 'cli' },
        { action: 'pb_item.update', entityType: 'pb_item', entityId: 'A-ITEM', municipality: '150101', before: { title: 'a' }, after: { title: 'A-ROW' } },
      );
      await audit.record(
        t.db,
        { userId: null, email: 'cli', role: 'cli' },
        { action: 'pb_item.update', entityType: 'pb_item', entityId: 'B-ITEM', municipality: '150102', before: { title: 'b' }, after: { title: 'B-ROW' } },
      );
      await createUser(t, 'oficial-a@example.pe', 'official', '150101');
    });

    it("when an official of A opens A's page, then A's rows are listed and B's are not", async () => {
      const { agent } = await login(t, 'oficial-a@example.pe');
      const res = await agent.get('/es/gestion/150101').expect(200);
      expect(res.text).toContain('A-ROW');
      expect(res.text).not.toContain('B-ROW');
    });

    it("when an official of A asks for B's page in either language, then the answer is 404 without B's data", async () => {
      const { agent } = await login(t, 'oficial-a@example.pe');
      for (const url of ['/es/gestion/150102', '/en/manage/150102', '/es/gestion/999999', '/es/gestion/abc']) {
        const res = await agent.get(url).expect(404);
        expect(res.text).not.toContain('B-ROW');
      }
    });

    it('when an admin opens either municipality, then both are visible', async () => {
      const admin = await loginAdmin(t, 'admin14@example.pe');
      expect((await admin.get('/es/gestion/150102').expect(200)).text).toContain('B-ROW');
    });
  });

  describe('15. no mass assignment', () => {
    it('when registration posts role, status and municipality fields, then the account is still a pending resident', async () => {
      const agent = request.agent(t.app);
      const token = await formToken(agent, '/es/registro');
      await agent
        .post('/es/registro')
        .type('form')
        .send({
          _csrf: token,
          email: 'mass@example.pe',
          password: PASSWORD,
          role: 'admin',
          status: 'active',
          municipality_id: '150101',
          municipality_ubigeo: '150101',
          email_confirmed_at: '2020-01-01T00:00:00.000Z',
          totp_secret: 'AAAA',
        })
        .expect(200);
      const u = await t.db('users').where({ email: 'mass@example.pe' }).first();
      expect(u).toMatchObject({ role: 'resident', status: 'pending', municipality_ubigeo: null, email_confirmed_at: null, totp_secret: null });
    });

    it('when account forms post role, status or municipality fields, then they change nothing', async () => {
      await createUser(t, 'mass2@example.pe');
      const { agent } = await login(t, 'mass2@example.pe');
      const csrf = await formToken(agent, '/es/cuenta');
      await agent
        .post('/es/cuenta/contrasena')
        .type('form')
        .send({ _csrf: csrf, current_password: PASSWORD, password: 'another long passphrase', role: 'admin', status: 'active', municipality_id: '150101' })
        .expect(303);
      await agent
        .post('/es/cuenta/rol')
        .type('form')
        .send({ _csrf: csrf, requested_role: 'monitor', org_name: 'Comité', role: 'admin', municipality_id: '150101', municipality_ubigeo: '150101', status: 'disabled' })
        .expect(303);
      const u = await t.db('users').where({ email: 'mass2@example.pe' }).first();
      expect(u).toMatchObject({ role: 'resident', status: 'active', municipality_ubigeo: null, requested_role: 'monitor', requested_org_name: 'Comité' });
      await agent.post('/es/cuenta/rol').type('form').send({ _csrf: csrf, requested_role: 'admin' }).expect(422);
    });

    it('when an admin disables an account posting a role too, then only the status changes', async () => {
      const { id } = await createUser(t, 'mass3@example.pe');
      const admin = await loginAdmin(t, 'admin15@example.pe');
      const csrf = await formToken(admin, '/es/admin/usuarios');
      await admin.post(`/es/admin/usuarios/${id}/estado`).type('form').send({ _csrf: csrf, status: 'disabled', role: 'admin', municipality_id: '150101' }).expect(303);
      expect(await t.db('users').where({ id }).first()).toMatchObject({ status: 'disabled', role: 'resident', municipality_ubigeo: null });
    });
  });

  describe('16. CSRF', () => {
    it('when a state-changing form is posted without a token, then the answer is 403 and nothing changes', async () => {
      await createUser(t, 'csrf@example.pe');
      const { agent } = await login(t, 'csrf@example.pe');
      await agent.get('/es/cuenta').expect(200);
      await agent.post('/es/cuenta/contrasena').type('form').send({ current_password: PASSWORD, password: 'hijacked passphrase!' }).expect(403);
      await agent.post('/es/salir').type('form').send({}).expect(403);
      await agent.get('/es/cuenta').expect(200);
      const anon = request.agent(t.app);
      await anon.get('/es/login').expect(200);
      await anon.post('/es/login').type('form').send({ email: 'csrf@example.pe', password: PASSWORD }).expect(403);
      await anon.post('/es/registro').type('form').send({ email: 'csrf2@example.pe', password: PASSWORD }).expect(403);
      expect((await login(t, 'csrf@example.pe', 'hijacked passphrase!')).res.status).toBe(401);
    });

    it("when a form is posted with another session's token, then the answer is 403", async () => {
      await createUser(t, 'victim@example.pe');
      const { agent: victim } = await login(t, 'victim@example.pe');
      const attacker = request.agent(t.app);
      const foreign = await formToken(attacker, '/es/login');
      await victim.post('/es/cuenta/contrasena').type('form').send({ _csrf: foreign, current_password: PASSWORD, password: 'hijacked passphrase!' }).expect(403);
      await victim.post('/es/cuenta/eliminar').type('form').send({ _csrf: foreign, current_password: PASSWORD }).expect(403);
      const admin = await loginAdmin(t, 'admin16@example.pe');
      const { id } = await createUser(t, 'victim2@example.pe');
      await admin.post(`/es/admin/usuarios/${id}/rol`).type('form').send({ _csrf: foreign, role: 'admin' }).expect(403);
      expect(await t.db('users').where({ id }).first()).toMatchObject({ role: 'resident' });
    });
  });

  describe('22. returnTo after login', () => {
    it.each(['https://evil.tld', '//evil.tld', '/\\evil.tld', '%2F%2Fevil.tld', '/%2F%2Fevil.tld', 'javascript:alert(1)', '/es//evil.tld', 'http:/evil.tld'])(
      'when returnTo is %s, then login lands on /',
      async (returnTo) => {
        await createUser(t, `ret-${Buffer.from(returnTo).toString('hex').slice(0, 20)}@example.pe`);
        const agent = request.agent(t.app);
        const token = await formToken(agent, '/es/login');
        const res = await agent
          .post('/es/login')
          .type('form')
          .send({ _csrf: token, email: `ret-${Buffer.from(returnTo).toString('hex').slice(0, 20)}@example.pe`, password: PASSWORD, returnTo })
          .expect(302);
        expect(res.headers.location).toBe('/');
      },
    );

    it('when returnTo is a local page, then login goes back to it', async () => {
      await createUser(t, 'ret-ok@example.pe');
      const first = await request(t.app).get('/es/cuenta').expect(302);
      expect(first.headers.location).toBe('/es/login?returnTo=%2Fes%2Fcuenta');
      const agent = request.agent(t.app);
      const page = await agent.get(first.headers.location).expect(200);
      expect(page.text).toContain('name="returnTo" value="/es/cuenta"');
      const res = await agent
        .post('/es/login')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: 'ret-ok@example.pe', password: PASSWORD, returnTo: '/es/cuenta' })
        .expect(302);
      expect(res.headers.location).toBe('/es/cuenta');
    });
  });

  describe('28. no-store behind login', () => {
    it('when a signed-in user reads account, admin and even public pages, then Cache-Control is no-store', async () => {
      await createUser(t, 'cache@example.pe');
      const { agent } = await login(t, 'cache@example.pe');
      for (const url of ['/es/cuenta', '/en/account', '/es/', '/es/departamentos']) {
        const res = await agent.get(url).expect(200);
        expect(res.headers['cache-control']).toBe('no-store');
      }
      const admin = await loginAdmin(t, 'admin28@example.pe');
      for (const url of ['/es/admin/usuarios', '/en/admin/audit']) expect((await admin.get(url).expect(200)).headers['cache-control']).toBe('no-store');
      expect((await request(t.app).get('/es/login').expect(200)).headers['cache-control']).toBe('no-store');
    });
  });

  describe('anonymous readers get no session', () => {
    it('when public pages and the API are read without a cookie, then no cookie is set and no session row is created', async () => {
      await t.db('sessions').del();
      for (const url of [
        '/',
        '/es/',
        '/en/',
        '/es/departamentos',
        '/en/departments/15',
        '/es/municipalidades/150101',
        '/es/buscar?q=lima',
        '/es/ejecucion',
        '/en/history',
        '/es/acerca',
        '/en/monitors',
        '/api/v1/municipalities/150101',
        '/es/no-existe',
      ]) {
        const res = await request(t.app).get(url);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      expect(Number((await t.db('sessions').count({ n: '*' }))[0].n)).toBe(0);
    });

    it('when a public page is read with an unknown or expired session cookie, then no new session is made', async () => {
      await t.db('sessions').del();
      const res = await request(t.app).get('/es/departamentos').set('Cookie', 'ra.sid=s%3Aunknown.signature').expect(200);
      expect(sessionCookie(res)).toBeNull();
      expect(res.text).toContain('Iniciar sesión');
      expect(Number((await t.db('sessions').count({ n: '*' }))[0].n)).toBe(0);
    });
  });

  describe('roles', () => {
    it('when a resident asks to be a monitor and an admin approves, then the role and organisation change and the audit log records who, what, before and after', async () => {
      await createUser(t, 'ngo@example.pe');
      const { agent } = await login(t, 'ngo@example.pe', PASSWORD, 'en');
      const csrf = await formToken(agent, '/en/account');
      await agent.post('/en/account/role').type('form').send({ _csrf: csrf, requested_role: 'monitor', org_name: 'Vigilancia Ciudadana Ancón' }).expect(303);
      const admin = await loginAdmin(t, 'admin-roles@example.pe');
      const list = await admin.get('/es/admin/usuarios').expect(200);
      expect(list.text).toContain('Vigilancia Ciudadana Ancón');
      const u = await t.db('users').where({ email: 'ngo@example.pe' }).first();
      await admin
        .post(`/es/admin/usuarios/${u.id}/solicitud`)
        .type('form')
        .send({ _csrf: csrfFrom(list.text), decision: 'approve' })
        .expect(303);
      expect(await t.db('users').where({ id: u.id }).first()).toMatchObject({ role: 'monitor', org_name: 'Vigilancia Ciudadana Ancón', requested_role: null });
      const pub = await request(t.app).get('/es/monitores').expect(200);
      expect(pub.text).toContain('Vigilancia Ciudadana Ancón');
      expect(pub.text).not.toContain('ngo@example.pe');
      expect(pub.headers['set-cookie']).toBeUndefined();
      const audit = await admin.get('/es/admin/auditoria?user=admin-roles').expect(200);
      expect(audit.text).toContain('user.set_role');
      expect(audit.text).toContain('&#34;role&#34;:&#34;resident&#34;');
      expect(audit.text).toContain('&#34;role&#34;:&#34;monitor&#34;');
    });

    it('when an admin makes a resident the official of a municipality, then the audit log is searchable by that municipality', async () => {
      const { id } = await createUser(t, 'new-official@example.pe');
      const admin = await loginAdmin(t, 'admin-off@example.pe');
      const csrf = await formToken(admin, '/es/admin/usuarios');
      await admin.post(`/es/admin/usuarios/${id}/rol`).type('form').send({ _csrf: csrf, role: 'official', municipality: '999999' }).expect(422);
      await admin.post(`/es/admin/usuarios/${id}/rol`).type('form').send({ _csrf: csrf, role: 'official', municipality: '150102' }).expect(303);
      const byMuni = await admin.get('/es/admin/auditoria?municipality=150102').expect(200);
      expect(byMuni.text).toContain('new-official@example.pe');
      const other = await admin.get('/es/admin/auditoria?municipality=150103').expect(200);
      expect(other.text).not.toContain('new-official@example.pe');
      const { agent } = await login(t, 'new-official@example.pe');
      await agent.get('/es/gestion/150102').expect(200);
    });

    it('when an admin disables an account, then its open session stops working at once', async () => {
      const { id } = await createUser(t, 'disable-me@example.pe');
      const { agent } = await login(t, 'disable-me@example.pe');
      await agent.get('/es/cuenta').expect(200);
      const admin = await loginAdmin(t, 'admin-dis@example.pe');
      const csrf = await formToken(admin, '/es/admin/usuarios');
      await admin.post(`/es/admin/usuarios/${id}/estado`).type('form').send({ _csrf: csrf, status: 'disabled' }).expect(303);
      await agent.get('/es/cuenta').expect(302);
      expect((await login(t, 'disable-me@example.pe')).res.status).toBe(403);
    });

    it('when a resident registers, then the emailed link is a local confirm page with a 43-character random token', async () => {
      const agent = request.agent(t.app);
      const token = await formToken(agent, '/es/registro');
      await agent.post('/es/registro').type('form').send({ _csrf: token, email: 'link@example.pe', password: PASSWORD }).expect(200);
      const link = await lastLink(t, 'link@example.pe');
      expect(link).toMatch(/^\/es\/confirmar\?token=[A-Za-z0-9_-]{43}$/);
    });
  });
});
