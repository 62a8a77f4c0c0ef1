import crypto from 'node:crypto';
import net from 'node:net';
import request from 'supertest';
import { totp } from '../../../src/auth/totp';
import { createTestApp, TestApp } from '../../helpers/app';
import { Agent, createUser, csrfFrom, formToken, lastLink, login, loginAdmin, mailsTo, PASSWORD } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { closedPort } from '../../helpers/http';

// Findings of the outside attack on the portal (README "Accounts and security" lists the rules).

/** An SMTP server that accepts connections and never says a word (a mail server that hangs). */
async function silentSmtp() {
  const sockets = new Set<net.Socket>();
  let connected!: () => void;
  const firstConnection = new Promise<void>((r) => (connected = r));
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    connected();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    firstConnection,
    openConnections: () => [...sockets].filter((s) => !s.destroyed).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

const smtp = (port: number) => ({ host: '127.0.0.1', port, secure: false });

async function postForm(agent: Agent, url: string, body: Record<string, string | string[]>, ip = '127.0.0.1') {
  return agent
    .post(url)
    .set('X-Forwarded-For', ip)
    .type('form')
    .send(new URLSearchParams(Object.entries(body).flatMap(([k, v]) => ([] as string[]).concat(v).map((x) => [k, x]))).toString());
}

eachDialect('findings of the outside attack on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { trustProxy: 'loopback' } });
  });
  afterAll(async () => t.cleanup());

  async function adminWithPasswordOnly(email: string) {
    const { totpSecret } = await createUser(t, email, 'admin');
    const { agent, res } = await login(t, email);
    expect(res.status).toBe(302);
    const csrf = await formToken(agent, '/es/cuenta/verificacion');
    return { agent, csrf, secret: totpSecret! };
  }

  describe('1. second factor throttle', () => {
    it('when an admin sends 5 wrong codes, then the 6th (even the right one) gets 429 with Retry-After and a localized message, and after 15 minutes the right code works', async () => {
      const { agent, csrf, secret } = await adminWithPasswordOnly('totp-guess@example.pe');
      for (let i = 0; i < 5; i++)
        await agent
          .post('/es/cuenta/verificacion')
          .type('form')
          .send({ _csrf: csrf, code: String(100000 + i) })
          .expect(422);
      const sixth = await agent
        .post('/es/cuenta/verificacion')
        .type('form')
        .send({ _csrf: csrf, code: totp(secret, t.now.ms) });
      expect(sixth.status).toBe(429);
      expect(sixth.headers['retry-after']).toBe('900');
      expect(sixth.text).toContain('Demasiados códigos incorrectos');
      const en = await agent.post('/en/account/verification').type('form').send({ _csrf: csrf, code: '123456' });
      expect(en.status).toBe(429);
      expect(en.text).toContain('Too many wrong codes');
      await agent.get('/es/admin/usuarios').expect(302);
      t.now.ms += 15 * 60_000 + 1000;
      await agent
        .post('/es/cuenta/verificacion')
        .type('form')
        .send({ _csrf: csrf, code: totp(secret, t.now.ms) })
        .expect(302);
      await agent.get('/es/admin/usuarios').expect(200);
    });

    it('when an admin passes the code after 4 wrong ones, then the failures are forgotten and a later session has 5 tries again', async () => {
      const { agent, csrf, secret } = await adminWithPasswordOnly('totp-reset@example.pe');
      for (let i = 0; i < 4; i++) await agent.post('/es/cuenta/verificacion').type('form').send({ _csrf: csrf, code: '000000' }).expect(422);
      await agent
        .post('/es/cuenta/verificacion')
        .type('form')
        .send({ _csrf: csrf, code: totp(secret, t.now.ms) })
        .expect(302);
      const again = await login(t, 'totp-reset@example.pe');
      const csrf2 = await formToken(again.agent, '/es/cuenta/verificacion');
      for (let i = 0; i < 5; i++) await again.agent.post('/es/cuenta/verificacion').type('form').send({ _csrf: csrf2, code: '000000' }).expect(422);
      await again.agent.post('/es/cuenta/verificacion').type('form').send({ _csrf: csrf2, code: '000000' }).expect(429);
    });

    it('when 20 wrong codes are posted at once, then at most 5 are checked and the rest get 429', async () => {
      const { agent, csrf } = await adminWithPasswordOnly('totp-race@example.pe');
      const statuses = (
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            agent
              .post('/es/cuenta/verificacion')
              .type('form')
              .send({ _csrf: csrf, code: String(200000 + i) }),
          ),
        )
      ).map((r) => r.status);
      expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s !== 422 && s !== 429)).toEqual([]);
    });
  });

  describe('2. account changes need the second factor', () => {
    it('when an admin has only given the password, then changing password or email and deleting the account answer 403 and change nothing; after the code they work', async () => {
      const { agent, csrf, secret } = await adminWithPasswordOnly('half-admin@example.pe');
      const page = await agent.get('/es/cuenta').expect(200);
      expect(page.text).toContain('verificación en dos pasos');
      const pw = await agent.post('/es/cuenta/contrasena').type('form').send({ _csrf: csrf, current_password: PASSWORD, password: 'a stolen new passphrase' });
      expect(pw.status).toBe(403);
      expect(pw.text).toContain('primero escriba el código');
      await agent.post('/es/cuenta/correo').type('form').send({ _csrf: csrf, current_password: PASSWORD, email: 'thief@example.pe' }).expect(403);
      await agent.post('/en/account/delete').type('form').send({ _csrf: csrf, current_password: PASSWORD }).expect(403);
      expect(await mailsTo(t, 'thief@example.pe')).toHaveLength(0);
      expect(await t.db('users').where({ email: 'half-admin@example.pe' }).first()).toBeDefined();
      expect((await login(t, 'half-admin@example.pe', 'a stolen new passphrase')).res.status).toBe(401);

      await agent
        .post('/es/cuenta/verificacion')
        .type('form')
        .send({ _csrf: csrf, code: totp(secret, t.now.ms) })
        .expect(302);
      await agent.post('/es/cuenta/contrasena').type('form').send({ _csrf: csrf, current_password: PASSWORD, password: 'a rightful new passphrase' }).expect(303);
      expect((await login(t, 'half-admin@example.pe', 'a rightful new passphrase')).res.status).toBe(302);
    });

    it('when a resident (no second factor) changes the password, then it works as before', async () => {
      await createUser(t, 'plain-resident@example.pe');
      const { agent } = await login(t, 'plain-resident@example.pe');
      const csrf = await formToken(agent, '/es/cuenta');
      await agent.post('/es/cuenta/contrasena').type('form').send({ _csrf: csrf, current_password: PASSWORD, password: 'another fine passphrase' }).expect(303);
    });
  });

  describe('3. registration and reset do not tell known from unknown addresses, even when mail is down', () => {
    it('when the mail server refuses connections, then known and unknown addresses get the same status and body (200, not the 503 database page) and the failure is logged', async () => {
      const down = await createTestApp(dialect, { seed: false, captureLogs: true, config: { mail: { ...t.config.mail, smtp: smtp(await closedPort()) } } });
      try {
        await createUser(down, 'known-down@example.pe');
        const agent = request.agent(down.app);
        const forgot = await formToken(agent, '/es/contrasena/olvido');
        const known = await agent.post('/es/contrasena/olvido').type('form').send({ _csrf: forgot, email: 'known-down@example.pe' });
        const unknown = await agent.post('/es/contrasena/olvido').type('form').send({ _csrf: forgot, email: 'unknown-down@example.pe' });
        expect(known.status).toBe(200);
        expect(unknown.status).toBe(known.status);
        expect(unknown.text).toBe(known.text);
        const reg = await formToken(agent, '/es/registro');
        const taken = await agent.post('/es/registro').type('form').send({ _csrf: reg, email: 'known-down@example.pe', password: PASSWORD });
        const fresh = await agent.post('/es/registro').type('form').send({ _csrf: reg, email: 'fresh-down@example.pe', password: PASSWORD });
        expect(taken.status).toBe(200);
        expect(fresh.status).toBe(taken.status);
        expect(fresh.text).toBe(taken.text);
        await down.background.idle();
        const failures = down.logs.filter((l) => l.includes('background job failed'));
        expect(failures.length).toBe(3); // reset for the known address, already-registered, confirm
        expect(failures.join('\n')).not.toMatch(/database unavailable/);
      } finally {
        await down.cleanup();
      }
    });

    it('when the mail server hangs, then the reset and registration answers still arrive while the mail is still being sent', async () => {
      const hang = await silentSmtp();
      const slow = await createTestApp(dialect, { seed: false, config: { mail: { ...t.config.mail, smtp: smtp(hang.port) } } });
      try {
        await createUser(slow, 'known-slow@example.pe');
        const agent = request.agent(slow.app);
        const csrf = await formToken(agent, '/es/contrasena/olvido');
        const res = await agent.post('/es/contrasena/olvido').type('form').send({ _csrf: csrf, email: 'known-slow@example.pe' });
        expect(res.status).toBe(200);
        await hang.firstConnection;
        expect(hang.openConnections()).toBeGreaterThanOrEqual(1);
        expect(slow.background.size).toBe(1);
        const reg = await formToken(agent, '/es/registro');
        await agent.post('/es/registro').type('form').send({ _csrf: reg, email: 'known-slow@example.pe', password: PASSWORD }).expect(200);
        expect(slow.background.size).toBeGreaterThanOrEqual(1);
      } finally {
        await hang.close();
        await slow.cleanup();
      }
    });
  });

  describe('4. the login throttle cannot be raced', () => {
    it('when 20 wrong passwords for one account are posted at once from one IP, then at most 5 are checked and the rest get 429', async () => {
      await createUser(t, 'race@example.pe');
      const agents = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const agent = request.agent(t.app);
          return { agent, csrf: await formToken(agent, '/es/login') };
        }),
      );
      const statuses = (
        await Promise.all(
          agents.map(({ agent, csrf }, i) =>
            agent
              .post('/es/login')
              .set('X-Forwarded-For', '203.0.113.20')
              .type('form')
              .send({ _csrf: csrf, email: 'race@example.pe', password: `wrong password ${i}` }),
          ),
        )
      ).map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      expect(Number((await t.db('login_failures').where({ account: 'race@example.pe' }).count({ n: '*' }))[0].n)).toBeLessThanOrEqual(5);
    });
  });

  describe('5. a stranger cannot keep an account locked', () => {
    it('when a stranger keeps failing one account from one IP, then the stranger gets 429 and the owner from another IP still gets in', async () => {
      await createUser(t, 'owner5@example.pe');
      const attempt = async (ip: string, password: string) => {
        const agent = request.agent(t.app);
        const csrf = await formToken(agent, '/es/login');
        return (await agent.post('/es/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf, email: 'owner5@example.pe', password })).status;
      };
      const stranger = [];
      for (let i = 0; i < 10; i++) stranger.push(await attempt('203.0.113.66', `stranger guess ${i}`));
      expect(stranger).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
      expect(await attempt('198.51.100.5', PASSWORD)).toBe(302);
    });
  });

  describe('6. officials do not see other people’s email addresses', () => {
    it('when an official opens the municipality page, then audit entries show roles, not the emails of the admin or of the user changed; an admin still sees them', async () => {
      await createUser(t, 'viewer-official@example.pe', 'official', '150101');
      const { id } = await createUser(t, 'promoted-person@example.pe');
      const admin = await loginAdmin(t, 'auditing-admin@example.pe');
      const csrf = await formToken(admin, '/es/admin/usuarios');
      await admin.post(`/es/admin/usuarios/${id}/rol`).type('form').send({ _csrf: csrf, role: 'official', municipality: '150101' }).expect(303);
      await admin.post(`/es/admin/usuarios/${id}/estado`).type('form').send({ _csrf: csrf, status: 'disabled' }).expect(303);

      const { agent } = await login(t, 'viewer-official@example.pe');
      for (const url of ['/es/gestion/150101', '/en/manage/150101']) {
        const page = await agent.get(url).expect(200);
        expect(page.text).toContain('user.set_role');
        expect(page.text).toContain('user.set_status');
        expect(page.text).not.toContain('auditing-admin@example.pe');
        expect(page.text).not.toContain('promoted-person@example.pe');
        expect(page.text).toContain(url.startsWith('/es') ? 'Administrador' : 'Administrator');
        expect(page.text).toContain('&#34;role&#34;:&#34;official&#34;');
      }
      const adminView = await admin.get('/es/gestion/150101').expect(200);
      expect(adminView.text).toContain('auditing-admin@example.pe');
      expect((await admin.get('/es/admin/auditoria?municipality=150101').expect(200)).text).toContain('promoted-person@example.pe');
    });
  });

  describe('7. no form field answers 500', () => {
    const STRANGE: Array<string | string[]> = ['ñandú 🦙 cañón '.repeat(4), 'Ω'.repeat(43), 'x'.repeat(3000), ['a', 'b'], ['ñ', 'é'], '\u0000\r\n<%= 7*7 %>', ''];

    // Login attempts come from their own address so that the per-IP limit leaves the rest of the file alone.
    async function fuzz(agent: Agent, url: string, base: Record<string, string>, fields: string[], extra: Array<string | string[]> = [], ip = '127.0.0.1') {
      const failures: string[] = [];
      const csrf = base._csrf;
      for (const field of fields) {
        for (const value of [...STRANGE, ...extra]) {
          const res = await postForm(agent, url, { ...base, _csrf: csrf, [field]: value }, ip);
          if (res.status >= 500) failures.push(`${url} ${field}=${JSON.stringify(value).slice(0, 40)} → ${res.status}`);
        }
        // `field[key]=…` (what an object looks like in a form body) and a repeated key.
        const raw = await agent
          .post(url)
          .set('X-Forwarded-For', ip)
          .type('form')
          .send(`_csrf=${encodeURIComponent(csrf)}&${field}%5Bkey%5D=v&${field}=1&${field}=%C3%B1`);
        if (raw.status >= 500) failures.push(`${url} ${field}[key] → ${raw.status}`);
      }
      return failures;
    }

    it('when account forms get non-ASCII, overlong, array and object values in every field, then every answer is 4xx or a normal page, never 500', async () => {
      const failures: string[] = [];
      const anon = request.agent(t.app);
      const csrf = await formToken(anon, '/es/login');
      await createUser(t, 'fuzz@example.pe');
      failures.push(...(await fuzz(anon, '/es/login', { _csrf: csrf, email: 'fuzz@example.pe', password: 'wrong password here' }, ['email', 'password', 'returnTo'], [], '203.0.113.77')));
      failures.push(...(await fuzz(anon, '/es/registro', { _csrf: csrf, email: 'fuzz-new@example.pe', password: PASSWORD }, ['email', 'password'])));
      failures.push(...(await fuzz(anon, '/es/contrasena/olvido', { _csrf: csrf }, ['email'])));
      failures.push(...(await fuzz(anon, '/es/confirmar', { _csrf: csrf }, ['token'], ['Ω'.repeat(43)])));
      failures.push(...(await fuzz(anon, '/es/contrasena/nueva', { _csrf: csrf, token: 'A'.repeat(43), password: PASSWORD }, ['token', 'password'])));

      const { agent } = await login(t, 'fuzz@example.pe');
      const mine = await formToken(agent, '/es/cuenta');
      failures.push(...(await fuzz(agent, '/es/cuenta/correo', { _csrf: mine, email: 'fuzz-other@example.pe', current_password: 'not the password' }, ['email', 'current_password'])));
      failures.push(...(await fuzz(agent, '/es/cuenta/contrasena', { _csrf: mine, current_password: 'not the password', password: 'a fine new passphrase' }, ['current_password', 'password'])));
      failures.push(...(await fuzz(agent, '/es/cuenta/rol', { _csrf: mine, requested_role: 'monitor', org_name: 'Comité' }, ['requested_role', 'org_name', 'municipality'])));
      failures.push(...(await fuzz(agent, '/es/cuenta/eliminar', { _csrf: mine, current_password: 'not the password' }, ['current_password'])));
      failures.push(...(await fuzz(agent, '/es/cuenta/opiniones/%C3%B1/eliminar', { _csrf: mine }, ['id'])));

      const half = await adminWithPasswordOnly('fuzz-admin@example.pe');
      failures.push(...(await fuzz(half.agent, '/es/cuenta/verificacion', { _csrf: half.csrf, code: '123456' }, ['code', 'returnTo'])));

      // Cookies that do not decode.
      for (const cookie of ['ra.sid=%E0%A4%A', 'ra.sid=s%3A\u00f1.x', `ra.sid=${'é'.repeat(200)}`]) {
        const r = await request(t.app).post('/es/login').set('Cookie', Buffer.from(cookie, 'utf8').toString('latin1')).type('form').send({ _csrf: 'x', email: 'a@b.pe', password: 'p' });
        if (r.status >= 500) failures.push(`cookie ${cookie} → ${r.status}`);
      }
      expect(failures).toEqual([]);
    });

    it('when the rating, moderation and area forms get the same values (and a form stamp whose signature is non-ASCII), then every answer is 4xx or a normal page, never 500', async () => {
      const failures: string[] = [];
      await createUser(t, 'fuzz-rater@example.pe');
      const { agent } = await login(t, 'fuzz-rater@example.pe');
      const page = await agent.get('/es/municipalidades/150101/calificar').expect(200);
      const stamp = /name="started" value="([^"]+)"/.exec(page.text)![1];
      const target = /value="(a\d+)"/.exec(page.text)![1];
      t.now.ms += 10_000;
      const issued = stamp.split('.')[0];
      const crafted = [`${issued}.${'é'.repeat(43)}`, `${issued}.${'😀'.repeat(22)}`, `ñ.${'a'.repeat(43)}`, `${issued}.`, '.', `${'9'.repeat(400)}.${'a'.repeat(43)}`];
      failures.push(
        ...(await fuzz(
          agent,
          '/es/municipalidades/150101/calificar',
          { _csrf: csrfFrom(page.text), started: stamp, target, score: '4', comment: 'Bien' },
          ['started', 'target', 'score', 'delivered', 'comment', 'website'],
          crafted,
        )),
      );

      await createUser(t, 'fuzz-moderator@example.pe', 'moderator');
      const mod = await login(t, 'fuzz-moderator@example.pe');
      const modCsrf = await formToken(mod.agent, '/es/moderacion');
      failures.push(...(await fuzz(mod.agent, '/es/moderacion/comment/1', { _csrf: modCsrf, decision: 'publish', version: '1', reason: 'meets_rules' }, ['decision', 'version', 'reason', 'note'])));
      failures.push(...(await fuzz(mod.agent, '/es/reportar', { _csrf: modCsrf, type: 'comment', id: '1', reason: 'spam', return_to: '/es/' }, ['type', 'id', 'reason', 'return_to'])));

      const admin = await loginAdmin(t, 'fuzz-areas@example.pe');
      const adminCsrf = await formToken(admin, '/es/admin/areas');
      failures.push(...(await fuzz(admin, '/es/admin/areas', { _csrf: adminCsrf, code: 'fuzz_area', name_es: 'Área', name_en: 'Area' }, ['id', 'code', 'name_es', 'name_en', 'active', 'sort_order'])));
      expect(failures).toEqual([]);
    });
  });

  describe('8. email change links', () => {
    async function askChange(agent: Agent, csrf: string, email: string) {
      await agent.post('/es/cuenta/correo').type('form').send({ _csrf: csrf, email, current_password: PASSWORD }).expect(303);
      return new URL(await lastLink(t, email), 'http://x').searchParams.get('token')!;
    }
    async function confirm(token: string) {
      const agent = request.agent(t.app);
      const csrf = await formToken(agent, '/es/registro');
      return (await agent.post('/es/confirmar').type('form').send({ _csrf: csrf, token })).status;
    }

    it('when a second change is asked, then the first link stops working; when the second is confirmed, the old address is told', async () => {
      await createUser(t, 'first-address@example.pe');
      const { agent } = await login(t, 'first-address@example.pe');
      const csrf = await formToken(agent, '/es/cuenta');
      const first = await askChange(agent, csrf, 'second-address@example.pe');
      const second = await askChange(agent, csrf, 'third-address@example.pe');
      expect(await confirm(first)).toBe(400);
      expect(await confirm(second)).toBe(200);
      expect(await t.db('users').where({ email: 'third-address@example.pe' }).first()).toBeDefined();
      const notice = (await mailsTo(t, 'first-address@example.pe')).at(-1)!;
      expect(notice).toContain('La dirección de su cuenta de Resultados Abiertos se cambió a third-address@example.pe');
      expect(notice).toContain('third-address@example.pe');
    });

    it('when one change link is confirmed, then every other pending change link of the account stops working', async () => {
      const { id } = await createUser(t, 'pending-two@example.pe');
      const { agent } = await login(t, 'pending-two@example.pe');
      const csrf = await formToken(agent, '/es/cuenta');
      const used = await askChange(agent, csrf, 'moved-here@example.pe');
      // A second pending link made before this rule existed (or by a concurrent request).
      const stale = crypto.randomBytes(32).toString('base64url');
      const now = new Date(t.now.ms).toISOString();
      await t.db('auth_tokens').insert({
        user_id: id,
        purpose: 'change_email',
        token_hash: crypto.createHash('sha256').update(stale).digest('hex'),
        new_email: 'attacker-box@example.pe',
        expires_at: new Date(t.now.ms + 3600_000).toISOString(),
        used_at: null,
        created_at: now,
      });
      expect(await confirm(used)).toBe(200);
      expect(await confirm(stale)).toBe(400);
      expect(await t.db('users').where({ id }).first()).toMatchObject({ email: 'moved-here@example.pe' });
    });
  });
});
