import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { createUser, formToken, lastLink, login, PASSWORD, sessionCookie } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';

type Line = Record<string, unknown>;

eachDialect('security logging and rate limits (checklist 26, 3) on %s', (dialect) => {
  let t: TestApp;
  const events = (name: string): Line[] => t.logs.map((l) => JSON.parse(l) as Line).filter((l) => l.security === name);
  beforeAll(async () => {
    t = await createTestApp(dialect, { captureLogs: true, formLimits: { loginPerMinute: 12 } });
  });
  afterAll(async () => t.cleanup());

  it('when a login fails, then the event is logged with time, IP and email, and never the password or the session id', async () => {
    await createUser(t, 'logged@example.pe');
    const { res } = await login(t, 'logged@example.pe', 'a wrong password 123');
    expect(res.status).toBe(401);
    const [e] = events('login_failed');
    expect(e).toMatchObject({ email: 'logged@example.pe', reason: 'invalid', level: 40 });
    expect(typeof e.time).toBe('number');
    expect(String(e.ip)).toMatch(/127\.0\.0\.1/);
    const all = t.logs.join('\n');
    expect(all).not.toContain('a wrong password 123');
    const ok = await login(t, 'logged@example.pe');
    const sid = decodeURIComponent(sessionCookie(ok.res)!.split('=')[1]).slice(2).split('.')[0];
    await ok.agent.get('/es/cuenta').expect(200);
    expect(t.logs.join('\n')).not.toContain(sid);
    expect(t.logs.join('\n')).not.toContain(PASSWORD);
  });

  it('when a CSRF check fails, a role is refused or a form is invalid, then each is logged as a security event with the user', async () => {
    const { id } = await createUser(t, 'events@example.pe');
    const { agent } = await login(t, 'events@example.pe');
    await agent.post('/es/cuenta/contrasena').type('form').send({ current_password: PASSWORD, password: 'x' }).expect(403);
    expect(events('csrf_failed').at(-1)).toMatchObject({ userId: id, method: 'POST', path: '/es/cuenta/contrasena' });
    await agent.get('/es/admin/usuarios').expect(403);
    expect(events('forbidden').at(-1)).toMatchObject({ userId: id, role: 'resident' });
    const csrf = await formToken(agent, '/es/cuenta');
    await agent.post('/es/cuenta/contrasena').type('form').send({ _csrf: csrf, current_password: PASSWORD, password: 'short' }).expect(422);
    expect(events('validation_failed').at(-1)).toMatchObject({ userId: id, fields: 'password' });
    expect(t.logs.join('\n')).not.toContain(csrf);
  });

  it('when an emailed link is opened, then its token does not reach the request log', async () => {
    await createUser(t, 'token-log@example.pe');
    const agent = request.agent(t.app);
    const csrf = await formToken(agent, '/es/contrasena/olvido');
    await agent.post('/es/contrasena/olvido').type('form').send({ _csrf: csrf, email: 'token-log@example.pe' }).expect(200);
    const link = await lastLink(t, 'token-log@example.pe');
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    await agent.get(link).expect(200);
    await agent.get(`/es/no-existe?token=${token}`).expect(404);
    expect(t.logs.some((l) => l.includes('token=[redacted]'))).toBe(true);
    expect(t.logs.join('\n')).not.toContain(token);
  });

  it('when one IP posts the login form more than the per-minute limit, then it gets 429 with Retry-After', async () => {
    const agent = request.agent(t.app);
    const token = await formToken(agent, '/es/login');
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await agent
        .post('/es/login')
        .type('form')
        .send({ _csrf: token, email: `spray${i}@example.pe`, password: 'whatever password' });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers['retry-after']).toBeDefined();
    }
    expect(statuses).toContain(429);
    expect(events('rate_limited').length).toBeGreaterThan(0);
  });
});
