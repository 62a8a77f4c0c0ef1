import request from 'supertest';
import { buildApp } from '../../../src/app';
import type { Db } from '../../../src/db';
import { dialects, TestDb } from '../../helpers/db';
import { startAppBehindProxy, startProxy, stopAppBehindProxy } from '../../helpers/tcp-proxy';
import { csrfFrom, PASSWORD, sessionCookie } from '../../helpers/accounts';
import { createPasswordHasher } from '../../../src/auth';

const run = dialects().includes('mysql') ? describe : describe.skip;

run('signed-in sessions when MariaDB goes away (through a TCP proxy that is cut)', () => {
  let seeded: TestDb;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let db: Db;
  let app: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    ({ seeded, proxy, db, app } = await startAppBehindProxy({ seed: false }));

    const now = new Date().toISOString();
    await seeded.db('users').insert({
      email: 'down@example.pe',
      password_hash: await createPasswordHasher('test').hash(PASSWORD),
      role: 'resident',
      status: 'active',
      email_confirmed_at: now,
      created_at: now,
      updated_at: now,
    });
  });
  afterAll(() => stopAppBehindProxy({ seeded, proxy, db, app }));

  it('when the database is down, then a signed-in page answers 503 (not 500), nothing escapes the error handler, and the same session works again once it returns', async () => {
    const escaped: unknown[] = [];
    const outer = (app as unknown as { handle: (req: unknown, res: unknown, cb: (err?: unknown) => void) => void }).handle.bind(app);
    (app as unknown as { handle: typeof outer }).handle = (req, res, cb) => outer(req, res, (err) => (escaped.push(err), cb?.(err)));
    const page = await request(app).get('/es/login').expect(200);
    const res = await request(app)
      .post('/es/login')
      .set('Cookie', sessionCookie(page)!)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: 'down@example.pe', password: PASSWORD })
      .expect(302);
    const cookie = sessionCookie(res)!;
    await request(app).get('/es/cuenta').set('Cookie', cookie).expect(200);
    await proxy.cut();
    const down = await request(app).get('/es/cuenta').set('Cookie', cookie);
    expect(down.status).toBe(503);
    expect(down.text).not.toMatch(/ECONNREFUSED|mysql|knex/i);
    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await request(app).get('/es/cuenta').set('Cookie', cookie)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect(escaped).toEqual([]);
  });
});
