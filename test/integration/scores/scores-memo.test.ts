import request from 'supertest';
import { upsertScores } from '../../../src/modules/scores/scores.queries';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

const LIMA = '150101';

eachDialect('scores kept per process until a recompute anywhere, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  const limaScore = async () => {
    const res = await request(t.app).get('/api/v1/scores?year=2024&department=15&limit=2000').expect(200);
    return res.body.data.find((r: { ubigeo: string }) => r.ubigeo === LIMA).score as number;
  };

  it('when another process writes scores (through the recompute path), then the next request shows them; a write that bypasses it does not reach the memo', async () => {
    const before = await limaScore();
    const row = await t.db('scores').where({ ubigeo: LIMA, year: 2024 }).first();
    // A write outside the recompute path does not move the version: the memo keeps its copy.
    await t.db('scores').where({ ubigeo: LIMA, year: 2024 }).update({ score: 1.5 });
    expect(await limaScore()).toBe(before);
    // The recompute path (any process: the app, `npm run scores`, an import) moves it.
    await upsertScores(t.db, [{ ...row, score: 12.34, computed_at: new Date(t.now.ms).toISOString() }]);
    expect(await limaScore()).toBe(12.34);
    const page = await request(t.app).get('/es/indice?year=2024&department=15').expect(200);
    expect(page.text).toMatch(/<td class="num">12[.,]3<\/td>/);
    await upsertScores(t.db, [row]);
    expect(await limaScore()).toBe(before);
  });
});
