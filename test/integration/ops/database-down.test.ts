import request from 'supertest';
import { buildApp } from '../../../src/app';
import type { Db } from '../../../src/db';
import { dialects, TestDb } from '../../helpers/db';
import { startAppBehindProxy, startProxy, stopAppBehindProxy } from '../../helpers/tcp-proxy';

const run = dialects().includes('mysql') ? describe : describe.skip;

run('when MariaDB goes away (through a TCP proxy that is cut)', () => {
  let seeded: TestDb;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let db: Db;
  let app: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    ({ seeded, proxy, db, app } = await startAppBehindProxy());
  });
  afterAll(() => stopAppBehindProxy({ seeded, proxy, db, app }));

  it('then pages answer a localized 503 with Retry-After, /readyz is 503, /healthz stays 200, and it recovers without a restart', async () => {
    await request(app).get('/es/municipalidades/150101').expect(200);
    await proxy.cut();
    const down = await request(app).get('/es/municipalidades/150101');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBeDefined();
    expect(down.text).toContain('Servicio no disponible');
    expect(down.text).not.toMatch(/ECONNREFUSED|mysql|knex/i);
    const api = await request(app).get('/api/v1/municipalities/150101');
    expect(api.status).toBe(503);
    expect(api.body.code).toBe('unavailable');
    await request(app).get('/readyz').expect(503);
    await request(app).get('/healthz').expect(200);

    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await request(app).get('/es/municipalidades/150101')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    await request(app).get('/readyz').expect(200);
  });
});
