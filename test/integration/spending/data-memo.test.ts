import request from 'supertest';
import { createDataMemo } from '../../../src/lib/data-memo';
import { dataVersion } from '../../../src/modules/spending/spending.queries';
import { createTestApp } from '../../helpers/app';
import { createTestDb, eachDialect, TestDb } from '../../helpers/db';

eachDialect('memo of data that only imports change, on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when more keys are asked for than it may keep, then the least recently used is loaded again and the others are not', async () => {
    const memo = createDataMemo(t.db, dataVersion, 2);
    const loads: string[] = [];
    const get = (k: string) => memo(k, async () => (loads.push(k), `value of ${k}`));
    expect(await get('a')).toBe('value of a');
    await get('b');
    await get('a'); // a is now the most recently used
    await get('c'); // evicts b
    await get('a');
    await get('b');
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('when a load returns a knex query (a thenable) instead of a promise, then the query runs once and later calls get its rows', async () => {
    const memo = createDataMemo(t.db, dataVersion);
    const runs: string[] = [];
    const seen = (q: { sql: string }) => /from .departments./i.test(q.sql) && runs.push(q.sql);
    t.db.on('query', seen);
    try {
      const load = () => t.db('departments').select('code').orderBy('code');
      const first = await memo('departments', load);
      expect(first.length).toBeGreaterThan(20);
      expect(await memo('departments', load)).toEqual(first);
      expect(await memo('departments', load)).toEqual(first);
      expect(runs).toHaveLength(1);
    } finally {
      t.db.removeListener('query', seen);
    }
  });

  it('when an import run is recorded, then every key is loaded again from the new data', async () => {
    const memo = createDataMemo(t.db, dataVersion);
    let n = 0;
    const get = () => memo('k', async () => ++n);
    expect(await get()).toBe(1);
    expect(await get()).toBe(1);
    const [run] = await t.db('import_runs').select('*').orderBy('id', 'desc').limit(1);
    const { id: _id, ...copy } = run;
    await t.db('import_runs').insert({ ...copy, content_digest: `${copy.content_digest ?? ''}x`.slice(0, 64) });
    expect(await get()).toBe(2);
  });

  it('when a page consults the memo many times, then the data version is read once for that request, and again for the next one', async () => {
    const app = await createTestApp(dialect);
    try {
      const versionReads: string[] = [];
      const all: string[] = [];
      const seen = (q: { sql: string }) => {
        all.push(q.sql);
        if (/max\(.id.\).*from .import_runs./i.test(q.sql)) versionReads.push(q.sql);
      };
      app.db.on('query', seen);
      await request(app.app).get('/es/municipalidades/150101').expect(200);
      expect(all.length).toBeGreaterThan(3);
      expect(versionReads).toHaveLength(1);
      await request(app.app).get('/es/municipalidades/150101').expect(200);
      expect(versionReads).toHaveLength(2);
      app.db.removeListener('query', seen);
    } finally {
      await app.cleanup();
    }
  });
});
