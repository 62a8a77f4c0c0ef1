import request from 'supertest';
import { buildApp } from '../../../src/app';
import { createLogger } from '../../../src/lib/logger';
import { i18n } from '../../helpers/app';
import { createTestApp, TestApp } from '../../helpers/app';
import { createUser, formToken, lastLink, login, mailsTo, PASSWORD, sessionCookie } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';

eachDialect('account flows on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  it.each([
    ['es', '/es/registro', '/es/confirmar', '/es/login', '/es/cuenta', 'Mi cuenta'],
    ['en', '/en/register', '/en/confirm', '/en/login', '/en/account', 'My account'],
  ])('when a resident registers in %s and confirms the emailed link, then they can log in and see their account', async (lng, registerUrl, confirmUrl, loginUrl, accountUrl, heading) => {
    const email = `vecina-${lng}@example.pe`;
    const agent = request.agent(t.app);
    const token = await formToken(agent, registerUrl);
    const reg = await agent.post(registerUrl).type('form').send({ _csrf: token, email, password: PASSWORD }).expect(200);
    expect(reg.text).toContain(`lang="${lng}"`);

    const before = await login(t, email, PASSWORD, lng as 'es' | 'en');
    expect(before.res.status).toBe(403); // not confirmed yet

    const link = await lastLink(t, email);
    expect(link.startsWith(`${confirmUrl}?token=`)).toBe(true);
    const page = await agent.get(link).expect(200);
    const confirmToken = /name="token" value="([^"]+)"/.exec(page.text)![1];
    await agent
      .post(confirmUrl)
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1], token: confirmToken })
      .expect(200);

    const { agent: user, res } = await login(t, email, PASSWORD, lng as 'es' | 'en');
    expect(res.status).toBe(302);
    const account = await user.get(accountUrl).expect(200);
    expect(account.text).toContain(heading);
    expect(account.text).toContain(email);
    expect(loginUrl).toBeTruthy();
  });

  it('when a login or a registration is refused, then the re-rendered form carries a working CSRF token', async () => {
    await createUser(t, 'retry@example.pe');
    const agent = request.agent(t.app);
    const first = await formToken(agent, '/es/login');
    const failed = await agent.post('/es/login').type('form').send({ _csrf: first, email: 'retry@example.pe', password: 'wrong password here' }).expect(401);
    const again = /name="_csrf" value="([^"]+)"/.exec(failed.text)![1];
    expect(again).toBe(first);
    await agent.post('/es/login').type('form').send({ _csrf: again, email: 'retry@example.pe', password: PASSWORD }).expect(302);
    const reg = request.agent(t.app);
    const token = await formToken(reg, '/en/register');
    const invalid = await reg.post('/en/register').type('form').send({ _csrf: token, email: 'retry2@example.pe', password: 'short' }).expect(422);
    await reg
      .post('/en/register')
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(invalid.text)![1], email: 'retry2@example.pe', password: PASSWORD })
      .expect(200);
  });

  it('when two instances share the database, then a session made on one is valid on the other and logout on one ends it on both', async () => {
    await createUser(t, 'shared@example.pe');
    const other = buildApp({ config: t.config, db: t.db, logger: createLogger('silent'), i18n });
    const { res } = await login(t, 'shared@example.pe');
    const cookie = sessionCookie(res)!;
    const page = await request(other).get('/es/cuenta').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('shared@example.pe');
    await request(other)
      .post('/es/salir')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1] })
      .expect(302);
    await request(t.app).get('/es/cuenta').set('Cookie', cookie).expect(302);
  });

  it('when the confirmation link is used a second time, then it is refused', async () => {
    const email = 'twice@example.pe';
    const agent = request.agent(t.app);
    const token = await formToken(agent, '/es/registro');
    await agent.post('/es/registro').type('form').send({ _csrf: token, email, password: PASSWORD }).expect(200);
    const link = await lastLink(t, email);
    const tok = new URL(link, 'http://x').searchParams.get('token')!;
    const csrf = await formToken(agent, link);
    await agent.post('/es/confirmar').type('form').send({ _csrf: csrf, token: tok }).expect(200);
    // The confirmation signed the agent in (a new session): a second try with a fresh form token is refused.
    const other = request.agent(t.app);
    const csrf2 = await formToken(other, '/es/login');
    await other.post('/es/confirmar').type('form').send({ _csrf: csrf2, token: tok }).expect(400);
    await agent.get(link).expect(400);
  });

  it('when a resident logs out, then the header offers to log in again', async () => {
    await createUser(t, 'logout@example.pe');
    const { agent } = await login(t, 'logout@example.pe');
    const home = await agent.get('/es/').expect(200);
    expect(home.text).toContain('logout@example.pe');
    expect(home.text).toContain('Cerrar sesión');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1];
    const out = await agent.post('/es/salir').type('form').send({ _csrf: csrf }).expect(302);
    expect(String(out.headers['set-cookie'])).toMatch(/ra\.sid=;/);
    const after = await request(t.app).get('/es/').expect(200);
    expect(after.text).toContain('Iniciar sesión');
    expect(sessionCookie(after)).toBeNull();
  });

  it('when a user forgets the password, then the emailed link sets a new one and the old one stops working', async () => {
    await createUser(t, 'olvido@example.pe');
    const agent = request.agent(t.app);
    const csrf = await formToken(agent, '/en/password/forgot');
    await agent.post('/en/password/forgot').type('form').send({ _csrf: csrf, email: 'olvido@example.pe' }).expect(200);
    const link = await lastLink(t, 'olvido@example.pe');
    expect(link.startsWith('/en/password/reset?token=')).toBe(true);
    const page = await agent.get(link).expect(200);
    const tok = /name="token" value="([^"]+)"/.exec(page.text)![1];
    await agent
      .post('/en/password/reset')
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1], token: tok, password: 'a brand new passphrase' })
      .expect(200);
    expect((await login(t, 'olvido@example.pe', PASSWORD)).res.status).toBe(401);
    expect((await login(t, 'olvido@example.pe', 'a brand new passphrase')).res.status).toBe(302);
  });

  it('when a user deletes the account with the current password, then the account and its sessions are gone', async () => {
    await createUser(t, 'borrar@example.pe');
    const { agent } = await login(t, 'borrar@example.pe');
    const csrf = await formToken(agent, '/es/cuenta');
    await agent.post('/es/cuenta/eliminar').type('form').send({ _csrf: csrf, current_password: 'wrong password here' }).expect(422);
    await agent.post('/es/cuenta/eliminar').type('form').send({ _csrf: csrf, current_password: PASSWORD }).expect(200);
    expect(await t.db('users').where({ email: 'borrar@example.pe' }).first()).toBeUndefined();
    await agent.get('/es/cuenta').expect(302);
    expect(await mailsTo(t, 'nobody@example.pe')).toEqual([]);
  });
});
