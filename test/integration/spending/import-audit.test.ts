import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importConsultaAmigable, importMefGasto } from '../../../src/modules/spending';
import { createTestDb, eachDialect, TestDb } from '../../helpers/db';
import { syntheticFile } from '../../helpers/mef-gasto';

const RAW = path.join(__dirname, '..', '..', 'fixtures', 'mef_consulta_amigable_raw_sample.csv');
const tmp = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), 'audit-'));
const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const entries = async (t: TestDb, action: string) => (await t.db('audit_log').where({ action }).orderBy('id')).map((r) => ({ ...r, after: JSON.parse(r.after_json) }));

eachDialect('command-line imports in the audit log on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when a Consulta Amigable file is imported from the command line, then the audit log names the actor "cli" with the digest, row counts and municipalities written', async () => {
    const edited = path.join(tmp, `edited-${dialect}.csv`);
    fs.writeFileSync(edited, fs.readFileSync(RAW, 'utf8').replace('"62,334,134"', '"62,334,999"'));
    const report = await importConsultaAmigable(t.db, edited);
    expect(report).toMatchObject({ status: 'imported', updated: 1, unchanged: 39 });
    const e = (await entries(t, 'import.consulta_amigable')).find((x) => x.entity_id === sha256(edited))!;
    expect(e).toMatchObject({ actor_user_id: null, actor_email: 'cli', actor_role: 'cli', entity_type: 'import', entity_id: sha256(edited), municipality_ubigeo: null });
    expect(e.after).toMatchObject({ status: 'imported', file: path.basename(edited), counts: { read: 40, inserted: 0, updated: 1, unchanged: 39, rejected: 0 } });
    expect(e.after.municipalities).toHaveLength(1);
    expect(e.after.municipalities[0]).toMatch(/^\d{6}$/);
  });

  it('when a command-line file is rejected, then the attempt is audited with its rejected count and no municipality', async () => {
    const bad = path.join(tmp, `bad-${dialect}.csv`);
    fs.writeFileSync(bad, fs.readFileSync(RAW, 'utf8').replace('"895,516"', '"89x"'));
    expect((await importConsultaAmigable(t.db, bad)).status).toBe('rejected');
    const e = (await entries(t, 'import.consulta_amigable')).find((x) => x.entity_id === sha256(bad))!;
    expect(e.after).toMatchObject({ status: 'rejected', municipalities: [], counts: { read: 40, inserted: 0, updated: 0, rejected: 1 } });
  });

  it('when an MEF file is imported from the command line, then the audit log has its digest, counts and every municipality it wrote', async () => {
    const file = await syntheticFile({ rows: 600, year: 2023, ubigeos: ['150101', '150132'], name: 'audit' });
    const report = await importMefGasto(t.db, file, { allowSynthetic: true });
    expect(report.status).toBe('imported');
    const e = (await entries(t, 'import.mef_gasto')).find((x) => x.entity_id === sha256(file))!;
    expect(e).toMatchObject({ actor_user_id: null, actor_role: 'cli', entity_id: sha256(file), municipality_ubigeo: null });
    expect(e.after).toMatchObject({ status: 'imported', municipalities: ['150101', '150132'], counts: { read: 600, inserted: report.facts, updated: 0, unchanged: 0, rejected: 0 } });
    // The same file again: audited as unchanged, nothing written.
    expect((await importMefGasto(t.db, file, { allowSynthetic: true })).status).toBe('unchanged');
    const again = await entries(t, 'import.mef_gasto');
    expect(again).toHaveLength(2);
    expect(again[1].after).toMatchObject({ status: 'unchanged', municipalities: [], counts: { inserted: 0 } });
  });
});
