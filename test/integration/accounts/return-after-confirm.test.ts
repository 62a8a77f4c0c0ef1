import request from 'supertest';
import { formToken, lastLink, PASSWORD } from '../../helpers/accounts';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

eachDialect('registration keeps where the resident was going, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  async function registerAndConfirm(email: string, returnTo: string) {
    const agent = request.agent(t.app);
    const csrf = await formToken(agent, `/es/registro?returnTo=${encodeURIComponent(returnTo)}`);
    await agent.post('/es/registro').type('form').send({ _csrf: csrf, email, password: PASSWORD, returnTo }).expect(200);
    const link = await lastLink(t, email);
    const page = await agent.get(link).expect(200);
    const hidden = /name="returnTo" value="([^"]*)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&') ?? null;
    const csrf2 = /name="_csrf" value="([^"]*)"/.exec(page.text)![1];
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    const res = await agent
      .post('/es/confirmar')
      .type('form')
      .send({ _csrf: csrf2, token, returnTo: hidden ?? '' });
    return { agent, link, hidden, res };
  }

  it('when a resident registers from the rating page and confirms, then they are signed in and taken back there', async () => {
    const { agent, link, res } = await registerAndConfirm('vuelve@example.pe', '/es/municipalidades/150122/calificar');
    expect(new URL(link, 'http://x').searchParams.get('returnTo')).toBe('/es/municipalidades/150122/calificar');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/es/municipalidades/150122/calificar');
    const form = await agent.get('/es/municipalidades/150122/calificar').expect(200);
    expect(form.text).toContain('vuelve@example.pe');
  });

  it.each(['https://evil.example/es/', '//evil.example/es/', '/\\evil.example', 'javascript:alert(1)', '/es//evil.example'])(
    'when the return path is %s (not a same-site page), then the mail carries none and the confirmation stays on the portal',
    async (bad) => {
      const email = `abierto-${Buffer.from(bad).toString('hex').slice(0, 16)}@example.pe`;
      const { link, res } = await registerAndConfirm(email, bad);
      expect(new URL(link, 'http://x').searchParams.get('returnTo')).toBeNull();
      expect(res.status).toBe(200);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('Cuenta confirmada');
    },
  );

  it('when a forged return path is posted with the confirmation, then it is refused and the notice is shown', async () => {
    const agent = request.agent(t.app);
    const csrf = await formToken(agent, '/es/registro');
    await agent.post('/es/registro').type('form').send({ _csrf: csrf, email: 'forja@example.pe', password: PASSWORD }).expect(200);
    const link = await lastLink(t, 'forja@example.pe');
    const page = await agent.get(link).expect(200);
    const csrf2 = /name="_csrf" value="([^"]*)"/.exec(page.text)![1];
    const res = await agent
      .post('/es/confirmar')
      .type('form')
      .send({ _csrf: csrf2, token: new URL(link, 'http://x').searchParams.get('token')!, returnTo: 'https://evil.example/' });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
  });
});
