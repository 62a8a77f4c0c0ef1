import path from 'node:path';
import { migrations } from '../../../migrations';
import { importConsultaAmigable } from '../../../src/modules/spending';
import { createTestApp, TestApp } from '../../helpers/app';
import { formToken } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { createCommitment, createHearing, createProcessAndItem, official, PDF } from '../../helpers/participation';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RAW = path.join(__dirname, '..', '..', 'fixtures', 'mef_consulta_amigable_raw_sample.csv');
const UBIGEO = '130102';
/** The columns migration 20261205400000 and 20261205400100 converted from TIMESTAMP. */
const CONVERTED: Array<[string, string[]]> = [
  ['pb_processes', ['created_at', 'updated_at']],
  ['pb_items', ['created_at', 'updated_at']],
  ['hearings', ['created_at', 'updated_at']],
  ['commitments', ['created_at', 'updated_at']],
  ['pb_milestones', ['created_at']],
  ['commitment_updates', ['created_at']],
  ['import_runs', ['imported_at']],
];

eachDialect('stored times (one representation: ISO-8601 UTC text) on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.now.ms = Date.UTC(2026, 0, 15, 10, 30, 5, 123);
  });
  afterAll(async () => t.cleanup());

  // SQLite stores each value with its own type: there the rows below are checked with typeof().
  (dialect === 'mysql' ? it : it.skip)('when the MariaDB schema is read, then no application table keeps a TIMESTAMP or DATETIME column and the converted columns are VARCHAR(24)', async () => {
    const [rows] = await t.db.raw(
      "SELECT table_name AS t, column_name AS c, data_type AS type, character_maximum_length AS len FROM information_schema.columns WHERE table_schema = DATABASE() AND data_type IN ('timestamp', 'datetime')",
    );
    // Those two belong to libraries that read and write them themselves (knex's migrator, connect-session-knex).
    expect((rows as Array<{ t: string; c: string }>).map((r) => `${r.t}.${r.c}`).sort()).toEqual(['knex_migrations.migration_time', 'sessions.expired']);
    for (const [table, columns] of CONVERTED) {
      for (const c of columns) {
        const [[col]] = await t.db.raw(
          'SELECT data_type AS type, character_maximum_length AS len FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?',
          [table, c],
        );
        expect([table, c, col.type, Number(col.len)]).toEqual([table, c, 'varchar', 24]);
      }
    }
  });

  it('when an official writes a process, an item, a milestone, a hearing, a commitment and its update through the app, then every stored time is the ISO text of the app clock', async () => {
    const a = await official(t, 'times-official@example.pe', UBIGEO);
    const itemId = await createProcessAndItem(t, a, UBIGEO);
    const token = await formToken(a, `/es/gestion/${UBIGEO}/proyectos/${itemId}`);
    const ms = await a
      .post(`/es/gestion/${UBIGEO}/proyectos/${itemId}/hitos`)
      .field('_csrf', token)
      .field('happened_on', '2025-07-01')
      .field('title_es', 'Entrega de obra')
      .field('evidence_url', 'https://example.pe/acta')
      .attach('evidence_file', PDF, { filename: 'acta.pdf', contentType: 'application/pdf' });
    expect(ms.status).toBe(303);
    const hearingId = await createHearing(t, a, UBIGEO);
    const cId = await createCommitment(t, a, UBIGEO, hearingId);
    const ct = await formToken(a, `/es/gestion/${UBIGEO}/compromisos/${cId}`);
    await a.post(`/es/gestion/${UBIGEO}/compromisos/${cId}/avances`).type('form').send({ _csrf: ct, happened_on: '2025-08-15', status: 'cumplido', text_es: 'Puente reparado' }).expect(303);

    const expected = new Date(t.now.ms).toISOString();
    for (const [table, columns] of CONVERTED.filter(([table]) => table !== 'import_runs')) {
      const where = table === 'pb_milestones' ? { item_id: itemId } : table === 'commitment_updates' ? { commitment_id: cId } : { ubigeo: UBIGEO };
      const rows = await t.db(table).where(where).select(columns);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) for (const c of columns) expect([table, c, row[c]]).toEqual([table, c, expected]);
      if (dialect === 'sqlite') {
        const types = await t
          .db(table)
          .where(where)
          .select(t.db.raw(columns.map((c) => `typeof(${c}) AS ${c}`).join(', ')));
        for (const row of types) for (const c of columns) expect([table, c, row[c]]).toEqual([table, c, 'text']);
      }
    }
  });

  it('when an import run is recorded, then its imported_at is ISO text', async () => {
    await t.db('execution_totals').del();
    expect((await importConsultaAmigable(t.db, RAW)).status).toBe('imported');
    const run = await t.db('import_runs').orderBy('id', 'desc').first('imported_at');
    expect(run.imported_at).toMatch(ISO);
  });

  it('when rows stored the old way (TIMESTAMP digits, or milliseconds on SQLite) are migrated, then they become the same instant as ISO text, and down gives them back', async () => {
    const participation = migrations['20261205400000_convert_timestamps_of_participation_tables'];
    const importRuns = migrations['20261205400100_convert_imported_at_of_import_runs'];
    await participation.down(t.db);
    await importRuns.down(t.db);
    const [procId] = await t.db('pb_processes').insert({ ubigeo: '130103', year: 2024, is_example: false, created_at: '2025-03-04 05:06:07', updated_at: '2025-12-31 23:59:59' });
    const instant = Date.UTC(2025, 2, 4, 5, 6, 7);
    const [runId] = await t
      .db('import_runs')
      .insert({ kind: 'test', file_name: 'old.csv', sha256: 'x'.repeat(64), row_count: 0, changed: 0, imported_at: dialect === 'sqlite' ? instant : '2025-03-04 05:06:07' });
    await participation.up(t.db);
    await importRuns.up(t.db);
    expect(await t.db('pb_processes').where({ id: procId }).first('created_at', 'updated_at')).toEqual({ created_at: '2025-03-04T05:06:07.000Z', updated_at: '2025-12-31T23:59:59.000Z' });
    expect(await t.db('import_runs').where({ id: runId }).first('imported_at')).toEqual({ imported_at: '2025-03-04T05:06:07.000Z' });
    // rows written by the app earlier in this file keep their instant through down and up (to the second: TIMESTAMP has no milliseconds)
    expect(await t.db('pb_items').where({ ubigeo: UBIGEO }).first('created_at')).toEqual({ created_at: '2026-01-15T10:30:05.000Z' });
  });
});
