import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';
import { glanceRows, listCommitments, listHearings, listItems } from '../../../src/modules/participation/participation.queries';
import { insertCommitment, insertHearing, insertItem } from '../scores/helpers';

const TODAY = '2026-12-06';
const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

eachDialect("the municipality page's participation glance on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    // Callería (250101): rows of every kind in the three tables the glance reads in one statement.
    await insertItem(t, { ubigeo: '250101', year: 2024, total_cost: 120_000, planned_end: '2024-12-31', status: 'culminado', progress_pct: 100 });
    await insertItem(t, { ubigeo: '250101', year: 2025, total_cost: 80_000, planned_end: '2025-10-31', status: 'en_ejecucion', progress_pct: 40, is_example: true });
    const held = await insertHearing(t, '250101', '2025-05-20');
    const withdrawn = await insertHearing(t, '250101', '2025-09-18');
    await t.db('hearings').where({ id: withdrawn }).update({ withdrawn_at: '2025-09-20T15:00:00.000Z' });
    await insertCommitment(t, held, '250101', '2025-08-31', 'cumplido', '2025-08-15');
    await insertCommitment(t, held, '250101', '2026-03-31', 'pendiente', null);
  });
  afterAll(async () => t.cleanup());

  it('when the glance of every municipality with participation rows is read, then it holds exactly what the full lists hold, field for field', async () => {
    const ubigeos = [...new Set([...(await t.db('pb_items').pluck('ubigeo')), ...(await t.db('hearings').pluck('ubigeo')), ...(await t.db('commitments').pluck('ubigeo'))].map(String))];
    expect(ubigeos).toContain('250101');
    for (const ubigeo of ubigeos) {
      const glance = await glanceRows(t.db, ubigeo);
      const [items, hearings, commitments] = await Promise.all([listItems(t.db, { ubigeo }, TODAY), listHearings(t.db, { ubigeo }), listCommitments(t.db, { ubigeo }, TODAY)]);
      expect([ubigeo, sorted(glance.items)]).toEqual([ubigeo, sorted(items.map((i) => ({ status: i.status, year: i.year, is_example: i.is_example })))]);
      expect([ubigeo, sorted(glance.hearings)]).toEqual([
        ubigeo,
        sorted(hearings.map((h) => ({ held_on: h.held_on, state: h.state, withdrawn_at: h.withdrawn_at ?? null, is_example: h.is_example }))),
      ]);
      expect([ubigeo, sorted(glance.commitments)]).toEqual([
        ubigeo,
        sorted(commitments.map((c) => ({ status: c.status, fulfilled_on: c.fulfilled_on ?? null, baseline_due_on: c.baseline_due_on, is_example: c.is_example }))),
      ]);
    }
  });

  it('when a municipality has an example item, a withdrawn hearing and a fulfilled commitment, then the glance keeps each of those values', async () => {
    const glance = await glanceRows(t.db, '250101');
    expect(sorted(glance.items)).toEqual(
      sorted([
        { status: 'culminado', year: 2024, is_example: false },
        { status: 'en_ejecucion', year: 2025, is_example: true },
      ]),
    );
    expect(sorted(glance.hearings)).toEqual(
      sorted([
        { held_on: '2025-05-20', state: 'realizada', withdrawn_at: null, is_example: false },
        { held_on: '2025-09-18', state: 'realizada', withdrawn_at: '2025-09-20T15:00:00.000Z', is_example: false },
      ]),
    );
    expect(sorted(glance.commitments)).toEqual(
      sorted([
        { status: 'cumplido', fulfilled_on: '2025-08-15', baseline_due_on: '2025-08-31', is_example: false },
        { status: 'pendiente', fulfilled_on: null, baseline_due_on: '2026-03-31', is_example: false },
      ]),
    );
  });

  it('when a municipality has no participation rows, then the glance is three empty lists', async () => {
    expect(await glanceRows(t.db, '010101')).toEqual({ items: [], hearings: [], commitments: [] });
  });
});
