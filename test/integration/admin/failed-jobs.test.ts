import request from 'supertest';
import { createTestApp, TestApp, TestAppOptions } from '../../helpers/app';
import { csrfFrom, formToken, loginAdmin } from '../../helpers/accounts';
import { dialects } from '../../helpers/db';
import { signedIn } from '../../helpers/participation';
import { redisPrefix, redisUrl } from '../../helpers/redis';
import { closedPort } from '../../helpers/http';

// In-process jobs on every database; the Redis queue (BullMQ) too when Redis answers (CI: always).
const backends: Array<[string, (u: string) => TestAppOptions['redis']]> = [['this process', () => undefined]];
if (redisUrl) backends.push(['Redis', (url) => ({ url, prefix: redisPrefix(), owner: true })]);
else if (process.env.CI === 'true') throw new Error('Redis is required in CI');
// eslint-disable-next-line no-console -- a note in the jest output on purpose
else console.info('Redis not reachable: the failed-jobs page is tested with the in-process queue only (Redis SKIPPED)');

describe.each(dialects().flatMap((d) => backends.map(([name, redis]) => [d, name, redis] as const)))('the failed-jobs page on %s, queue in %s', (dialect, _name, redis) => {
  let t: TestApp;
  beforeAll(async () => {
    const smtp = { host: '127.0.0.1', port: await closedPort(), secure: false };
    t = await createTestApp(dialect, { seed: false, redis: redis(redisUrl ?? ''), worker: true, config: { mail: { smtp } as never } });
  });
  afterAll(async () => t.cleanup());

  it('when an email fails every attempt, then admins see it with its error and retry it with the CSRF-protected button (audited); other roles and a missing token are refused', async () => {
    const anon = request.agent(t.app);
    const forgot = await formToken(anon, '/es/registro');
    await anon.post('/es/registro').type('form').send({ _csrf: forgot, email: 'nuevo-vecino@example.pe', password: 'una frase de paso larga' }).expect(200);
    await t.background.idle();

    const admin = await loginAdmin(t);
    await t.background.idle(); // the admin's own mails (none fail silently: they are listed too)
    const page = await admin.get('/es/admin/trabajos').expect(200);
    expect(page.text).toContain('<td>mail</td>');
    expect(page.text).toMatch(/mail could not be sent/);
    expect(page.text).toMatch(/<td>3<\/td>/); // JOB_ATTEMPTS
    const id = /action="\/es\/admin\/trabajos\/([^/"]+)\/reintentar"/.exec(page.text)![1];

    await admin.post(`/es/admin/trabajos/${id}/reintentar`).type('form').send({}).expect(403);
    const retried = await admin
      .post(`/es/admin/trabajos/${id}/reintentar`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(retried.status).toBe(303);
    expect(retried.headers.location).toBe('/es/admin/trabajos?done=retried');
    expect(await t.db('audit_log').where({ action: 'jobs.retry', entity_id: id })).toHaveLength(1);
    await t.background.idle(); // the mail server is still down: it fails again, every attempt
    const again = await admin.get('/en/admin/jobs').expect(200);
    expect(again.text).toContain(`<td>${id}</td>`);

    const monitor = await signedIn(t, 'jobs-monitor@example.pe', 'monitor');
    await monitor.get('/es/admin/trabajos').expect(403);
    await monitor
      .post(`/es/admin/trabajos/${id}/reintentar`)
      .type('form')
      .send({ _csrf: await formToken(monitor, '/es/cuenta') })
      .expect(403);
    await request(t.app)
      .get('/es/admin/trabajos')
      .expect((r) => expect([302, 401, 403]).toContain(r.status));
  }, 60_000);
});
