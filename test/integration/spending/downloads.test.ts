import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { rawBody as raw } from '../../helpers/http';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

eachDialect('whole-country downloads produced once per data version (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  }, 120000);
  afterAll(async () => t?.cleanup());

  const files = () => fs.readdirSync(t.config.downloadsDir).filter((f) => f.startsWith('execution_totals@'));

  it('when a versioned dataset is downloaded with and without gzip, then both decode to the same CSV of the database rows and it was written once for this version', async () => {
    const gz = await raw(request(t.app).get('/api/v1/datasets/execution_totals.csv').set('Accept-Encoding', 'gzip')).expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-disposition']).toContain('execution_totals.csv');
    const plain = await raw(request(t.app).get('/api/v1/datasets/execution_totals.csv').set('Accept-Encoding', 'identity')).expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    // superagent inflates the gzipped answer: same bytes, fewer on the wire.
    expect((gz.body as Buffer).equals(plain.body as Buffer)).toBe(true);
    expect(Number(gz.headers['content-length'])).toBeLessThan((plain.body as Buffer).length / 2);
    const rows = parse((plain.body as Buffer).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    const [{ n }] = await t.db('execution_totals').count({ n: '*' });
    expect(rows).toHaveLength(Number(n));
    expect(files().sort()).toEqual([expect.stringMatching(/^execution_totals@\d+$/), expect.stringMatching(/^execution_totals@\d+\.gz$/)]);
    // Served from the file: changing the database without a new import run changes nothing.
    const first = rows[0];
    expect(
      await t
        .db('execution_totals')
        .where({ ubigeo: first.ubigeo, year: Number(first.year), source: first.source })
        .update({ pim: 1 }),
    ).toBe(1);
    const again = await raw(request(t.app).get('/api/v1/datasets/execution_totals.csv').set('Accept-Encoding', 'identity')).expect(200);
    expect((again.body as Buffer).equals(plain.body as Buffer)).toBe(true);
  });

  it('when the data version moves (a new import run), then the next download is produced from the new rows and the old version is removed', async () => {
    const before = files();
    const [run] = await t.db('import_runs').select('*').orderBy('id', 'desc').limit(1);
    const { id: _id, ...copy } = run;
    await t.db('import_runs').insert({ ...copy, content_digest: `${copy.content_digest ?? ''}y`.slice(0, 64) });
    const res = await raw(request(t.app).get('/api/v1/datasets/execution_totals.csv').set('Accept-Encoding', 'identity')).expect(200);
    const rows = parse((res.body as Buffer).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.some((r) => r.pim === '0.01')).toBe(true); // the pim of 1 céntimo written in the test above
    const after = files();
    expect(after).toHaveLength(2);
    for (const f of before) expect(after).not.toContain(f);
  });

  it('when a dataset without a version (residents’ satisfaction) is downloaded, then it is streamed and nothing is written', async () => {
    const res = await request(t.app).get('/api/v1/datasets/satisfaction.csv').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(fs.readdirSync(t.config.downloadsDir).filter((f) => f.startsWith('satisfaction'))).toEqual([]);
  });
});
