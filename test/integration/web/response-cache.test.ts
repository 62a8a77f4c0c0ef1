import zlib from 'node:zlib';
import request from 'supertest';
import { rawBody as raw } from '../../helpers/http';
import { PUBLIC_CACHE } from '../../../src/web/caching';
import { createUser, csrfFrom, login } from '../../helpers/accounts';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';
import { editItemTitle, official, signedIn } from '../../helpers/participation';

const TTL = 10_000;
const PB = '/es/presupuesto-participativo?ubigeo=150101';

eachDialect('in-process response cache on %s', (dialect) => {
  let t: TestApp;
  let exampleItem: { id: number; title_es: string };
  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { responseCache: { ttlMs: TTL, maxBytes: 8 * 1024 * 1024 } } });
    exampleItem = await t.db('pb_items').where({ ubigeo: '150101' }).orderBy('id').first();
  });
  afterAll(async () => t.cleanup());

  it('when an anonymous reader asks twice for a public page, then the second answer comes from the cache with the same body, ETag and public headers, and a fresh CSP', async () => {
    const first = await request(t.app).get('/es/municipalidades/150101').expect(200);
    const second = await request(t.app).get('/es/municipalidades/150101').expect(200);
    expect(first.headers['x-response-cache']).toBe('miss');
    expect(second.headers['x-response-cache']).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(second.headers['cache-control']).toBe(PUBLIC_CACHE);
    expect(second.headers['set-cookie']).toBeUndefined();
    expect(Number(second.headers.age)).toBeGreaterThanOrEqual(0);
    // The security headers are those of this request, not replayed.
    expect(second.headers['content-security-policy']).toMatch(/nonce-/);
    expect(second.headers['content-security-policy']).not.toBe(first.headers['content-security-policy']);
  });

  it('when a cached answer is asked for with and without gzip, then it is gzipped only for the client that accepts it and both decode to the same page', async () => {
    const url = '/api/v1/execution?level=department';
    await request(t.app).get(url).expect(200);
    const gz = await raw(request(t.app).get(url).set('Accept-Encoding', 'gzip')).expect(200);
    expect(gz.headers['x-response-cache']).toBe('hit');
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await raw(request(t.app).get(url).set('Accept-Encoding', 'identity')).expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    // superagent inflates the gzipped body: both decode to the same bytes, the gzipped one is shorter on the wire.
    expect((gz.body as Buffer).toString('utf8')).toBe((plain.body as Buffer).toString('utf8'));
    expect(Number(gz.headers['content-length'])).toBeLessThan((plain.body as Buffer).length / 2);
    expect(zlib.gzipSync(plain.body as Buffer).length).toBeLessThan((plain.body as Buffer).length);
    expect(JSON.parse((plain.body as Buffer).toString('utf8')).data.length).toBe(25);
    expect(Number(plain.headers['content-length'])).toBe((plain.body as Buffer).length);
  });

  it('when a page is cached from a gzipped answer, then only its gzip is kept (a page larger than the whole cache still fits) and every client gets the same page', async () => {
    const small = await createTestApp(dialect, { config: { responseCache: { ttlMs: TTL, maxBytes: 16 * 1024 } } });
    try {
      const url = '/es/municipalidades/150101';
      const miss = await raw(request(small.app).get(url).set('Accept-Encoding', 'gzip')).expect(200);
      const page = (miss.body as Buffer).toString('utf8');
      expect(Buffer.byteLength(page)).toBeGreaterThan(16 * 1024); // as sent, larger than the whole cache
      for (const encoding of ['identity', 'gzip', 'gzip, deflate, br']) {
        const hit = await raw(request(small.app).get(url).set('Accept-Encoding', encoding)).expect(200);
        expect([encoding, hit.headers['x-response-cache'], hit.headers['content-encoding']]).toEqual([encoding, 'hit', encoding === 'identity' ? undefined : 'gzip']);
        expect((hit.body as Buffer).toString('utf8')).toBe(page);
        expect(hit.headers.etag).toBe(miss.headers.etag);
      }
      const head = await request(small.app).head(url).set('Accept-Encoding', 'identity').expect(200);
      expect([head.headers['x-response-cache'], head.headers['content-encoding'], Number(head.headers['content-length'])]).toEqual(['hit', undefined, Buffer.byteLength(page)]);
    } finally {
      await small.cleanup();
    }
  });

  it('when a page is cached from an uncompressed answer, then a later gzip client gets it gzipped and an uncompressed one still gets the same page', async () => {
    const url = '/en/municipalities/150101';
    const miss = await raw(request(t.app).get(url).set('Accept-Encoding', 'identity')).expect(200);
    expect(miss.headers['x-response-cache']).toBe('miss');
    const gz = await raw(request(t.app).get(url).set('Accept-Encoding', 'gzip')).expect(200);
    const plain = await raw(request(t.app).get(url).set('Accept-Encoding', 'identity')).expect(200);
    expect([gz.headers['x-response-cache'], gz.headers['content-encoding'], plain.headers['x-response-cache'], plain.headers['content-encoding']]).toEqual(['hit', 'gzip', 'hit', undefined]);
    expect((gz.body as Buffer).toString('utf8')).toBe((miss.body as Buffer).toString('utf8'));
    expect((plain.body as Buffer).toString('utf8')).toBe((miss.body as Buffer).toString('utf8'));
  });

  it('when a reader revalidates a cached page with its ETag, or asks only for its headers, then the cache answers 304 or a bodiless HEAD', async () => {
    const first = await request(t.app).get('/es/departamentos/15').expect(200);
    const again = await request(t.app).get('/es/departamentos/15').set('If-None-Match', first.headers.etag).expect(304);
    expect(again.headers['x-response-cache']).toBe('hit');
    expect(again.text ?? '').toBe('');
    const head = await request(t.app).head('/es/departamentos/15').expect(200);
    expect(head.headers['x-response-cache']).toBe('hit');
    expect(head.text ?? '').toBe('');
  });

  it('when the data changes behind the app (another instance or a CLI import), then anonymous readers see it once the entry is older than the time to live, and a hard reload sees it at once', async () => {
    const before = await request(t.app).get(PB).expect(200);
    expect(before.text).toContain(exampleItem.title_es);
    await t.db('pb_items').where({ id: exampleItem.id }).update({ title_es: 'Título cambiado fuera de la app' });
    t.now.ms += TTL - 1000;
    const stale = await request(t.app).get(PB).expect(200);
    expect(stale.headers['x-response-cache']).toBe('hit');
    expect(stale.text).not.toContain('Título cambiado fuera de la app');
    const reload = await request(t.app).get(PB).set('Cache-Control', 'no-cache').expect(200);
    expect(reload.headers['x-response-cache']).toBe('miss');
    expect(reload.text).toContain('Título cambiado fuera de la app');
    await t.db('pb_items').where({ id: exampleItem.id }).update({ title_es: 'Segundo cambio' });
    t.now.ms += TTL + 1;
    const fresh = await request(t.app).get(PB).expect(200);
    expect(fresh.headers['x-response-cache']).toBe('miss');
    expect(fresh.text).toContain('Segundo cambio');
    await t.db('pb_items').where({ id: exampleItem.id }).update({ title_es: exampleItem.title_es });
  });

  it('when an official saves an edit through this instance, then the next anonymous reader sees it at once', async () => {
    const agent = await official(t, 'cache-official@example.pe', '150101');
    await request(t.app).get(PB).expect(200);
    expect((await request(t.app).get(PB).expect(200)).headers['x-response-cache']).toBe('hit');
    await editItemTitle(t, agent, '150101', exampleItem.id, 'Editado por la oficial');
    const after = await request(t.app).get(PB).expect(200);
    expect(after.headers['x-response-cache']).toBe('miss');
    expect(after.text).toContain('Editado por la oficial');
  });

  it('when a reader signs in (a form that changes no public page), then anonymous readers keep being served from the cache', async () => {
    await createUser(t, 'cache-quiet@example.pe');
    await request(t.app).get('/es/departamentos/07').expect(200);
    expect((await request(t.app).get('/es/departamentos/07').expect(200)).headers['x-response-cache']).toBe('hit');
    const { res } = await login(t, 'cache-quiet@example.pe');
    expect(res.status).toBe(302);
    expect((await request(t.app).get('/es/departamentos/07').expect(200)).headers['x-response-cache']).toBe('hit');
  });

  it('when a resident follows an item (a write its module registers as quiet), then anonymous readers keep being served from the cache', async () => {
    const resident = await signedIn(t, 'cache-follower@example.pe', 'resident');
    await request(t.app).get('/es/departamentos/10').expect(200);
    expect((await request(t.app).get('/es/departamentos/10').expect(200)).headers['x-response-cache']).toBe('hit');
    const page = await resident.get(`/es/presupuesto-participativo/proyectos/${exampleItem.id}`).expect(200);
    await resident
      .post('/es/seguir')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), entity_type: 'pb_item', entity_id: String(exampleItem.id) })
      .expect(303);
    expect(await t.db('follows').where({ entity_type: 'pb_item', entity_id: String(exampleItem.id) })).toHaveLength(1);
    expect((await request(t.app).get('/es/departamentos/10').expect(200)).headers['x-response-cache']).toBe('hit');
  });

  it('when a request carries a session, or the answer is an error, a redirect, a login form or private, then nothing is served from or stored in the cache', async () => {
    await createUser(t, 'cache-reader@example.pe');
    const { agent } = await login(t, 'cache-reader@example.pe');
    await request(t.app).get('/es/').expect(200);
    for (let i = 0; i < 2; i++) {
      const mine = await agent.get('/es/').expect(200);
      expect(mine.headers['x-response-cache']).toBeUndefined();
      expect(mine.headers['cache-control']).not.toMatch(/public/);
      expect(mine.text).toContain('action="/es/salir"');
    }
    // The signed-in rendering (which names the account) never reaches anonymous readers.
    const anon = await request(t.app).get('/es/').expect(200);
    expect(anon.headers['x-response-cache']).toBe('hit');
    expect(anon.text).not.toContain('action="/es/salir"');
    for (const url of ['/es/municipalidades/999999', '/es/login', '/']) {
      await request(t.app).get(url);
      const again = await request(t.app).get(url);
      expect([url, again.headers['x-response-cache']]).not.toEqual([url, 'hit']);
    }
    const login2 = await request(t.app).get('/es/login').expect(200);
    expect(login2.headers['set-cookie']).toBeDefined();
  });

  it('when 20 anonymous readers ask at the same moment for a page nobody has asked for, then it is rendered once and all of them get it', async () => {
    const url = '/es/departamentos/08';
    let queries = 0;
    const count = () => queries++;
    t.db.on('query', count);
    try {
      await request(t.app).get('/es/departamentos/05').set('Cache-Control', 'no-cache').expect(200);
      const one = queries;
      queries = 0;
      const all = await Promise.all(Array.from({ length: 20 }, () => request(t.app).get(url)));
      expect(all.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(new Set(all.map((r) => r.text)).size).toBe(1);
      expect(all.filter((r) => r.headers['x-response-cache'] === 'miss')).toHaveLength(1);
      expect(one).toBeGreaterThan(0);
      expect(queries).toBeLessThanOrEqual(one);
    } finally {
      t.db.removeListener('query', count);
    }
  });
});
