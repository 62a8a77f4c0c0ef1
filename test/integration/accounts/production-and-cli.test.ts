import request from 'supertest';
import { createPasswordHasher } from '../../../src/auth';
import { parseArgs, run } from '../../../src/cli/user';
import { createMailer } from '../../../src/lib/mailer';
import { createLogger } from '../../../src/lib/logger';
import { createAccountsService } from '../../../src/modules/accounts';
import { createAuditService } from '../../../src/modules/audit';
import { createTestApp, i18n, TestApp } from '../../helpers/app';
import { createUser, login, PASSWORD } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';

eachDialect('production cookie, dummy hash and the user CLI on %s', (dialect) => {
  let t: TestApp;
  let prod: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    prod = await createTestApp(dialect, { seed: false, config: { env: 'production', trustProxy: 'loopback', sessionSecret: 'p'.repeat(48) } });
  });
  afterAll(async () => {
    await t.cleanup();
    await prod.cleanup();
  });

  it('11. when the app runs in production behind HTTPS, then the session cookie is Secure, HttpOnly, SameSite=Lax and named ra.sid', async () => {
    const res = await request(prod.app).get('/es/login').set('X-Forwarded-Proto', 'https').expect(200);
    const cookie = String(([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('ra.sid=')));
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
  });

  it('5. when the account does not exist, then a dummy hash is still verified (same work as a wrong password)', async () => {
    const real = createPasswordHasher('test');
    const calls: string[] = [];
    const hasher = {
      hash: real.hash,
      verify: (h: string, p: string) => (calls.push('verify'), real.verify(h, p)),
      verifyDummy: (p: string) => (calls.push('dummy'), real.verifyDummy(p)),
    };
    const svc = createAccountsService({ db: t.db, hasher, mailer: createMailer(t.config, createLogger('silent')), background: t.background, i18n, audit: createAuditService(), publicUrl: 'http://x' });
    await createUser(t, 'dummy@example.pe');
    expect(await svc.login('ghost5@example.pe', 'whatever password', '127.0.0.1')).toEqual({ ok: false, reason: 'invalid' });
    expect(await svc.login('dummy@example.pe', 'whatever password', '127.0.0.1')).toEqual({ ok: false, reason: 'invalid' });
    expect(calls).toEqual(['dummy', 'verify']);
  });

  describe('npm run user', () => {
    it('when create has no --password-stdin or an official has no municipality, then the arguments are refused', () => {
      expect(parseArgs(['create', '--email', 'a@b.pe', '--role', 'resident'])).toMatch(/password-stdin/);
      expect(parseArgs(['create', '--email', 'a@b.pe', '--role', 'official', '--password-stdin'])).toMatch(/municipality/);
      expect(parseArgs(['create', '--email', 'a@b.pe', '--role', 'king', '--password-stdin'])).toMatch(/--role/);
      expect(parseArgs(['create', '--email', 'A@B.pe', '--role', 'official', '--municipality', '150101', '--password-stdin'])).toMatchObject({ email: 'a@b.pe', municipality: '150101' });
    });

    it('when an official is created from the command line, then the account is confirmed, bound to its municipality, audited and can log in', async () => {
      const out: string[] = [];
      const args = parseArgs(['create', '--email', 'cli-official@example.pe', '--role', 'official', '--municipality', '150101', '--password-stdin']);
      if (typeof args === 'string') throw new Error(args);
      expect(await run(args, t.db, PASSWORD, (s) => out.push(s))).toBe(0);
      expect(await t.db('users').where({ email: 'cli-official@example.pe' }).first()).toMatchObject({ role: 'official', status: 'active', municipality_ubigeo: '150101' });
      expect(await t.db('audit_log').where({ action: 'user.create', actor_email: 'cli' }).first()).toBeDefined();
      const { agent, res } = await login(t, 'cli-official@example.pe');
      expect(res.status).toBe(302);
      await agent.get('/es/gestion/150101').expect(200);
    });

    it('when a weak password is piped in, then nothing is created', async () => {
      const out: string[] = [];
      const args = parseArgs(['create', '--email', 'weak@example.pe', '--role', 'admin', '--password-stdin']);
      if (typeof args === 'string') throw new Error(args);
      expect(await run(args, t.db, 'password', (s) => out.push(s))).toBe(1);
      expect(out.join('\n')).toMatch(/12/);
      expect(await t.db('users').where({ email: 'weak@example.pe' }).first()).toBeUndefined();
    });

    it('when an account is disabled and listed from the command line, then it shows as disabled and cannot log in', async () => {
      await createUser(t, 'cli-disable@example.pe');
      const out: string[] = [];
      const dis = parseArgs(['disable', '--email', 'cli-disable@example.pe']);
      if (typeof dis === 'string') throw new Error(dis);
      expect(await run(dis, t.db, null, (s) => out.push(s))).toBe(0);
      const list = parseArgs(['list', '--status', 'disabled']);
      if (typeof list === 'string') throw new Error(list);
      await run(list, t.db, null, (s) => out.push(s));
      expect(out.join('\n')).toMatch(/cli-disable@example\.pe\tresident\tdisabled/);
      expect((await login(t, 'cli-disable@example.pe')).res.status).toBe(403);
    });
  });
});
