import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateMefGasto, importMefGasto } from '../../../src/modules/spending';
import { createTestApp, TestApp } from '../../helpers/app';
import { Agent, formToken, loginAdmin } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { withCell } from '../../helpers/mef-gasto';
import { official } from '../../helpers/participation';

const X = '150110';
const Y = '150111';

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

eachDialect("an official's MEF upload touches only what it may (own municipality, code names, audit) on %s", (dialect) => {
  let t: TestApp;
  let own: string;
  const facts = async (ubigeo: string) => Number((await t.db('mef_gasto_facts').where({ ubigeo }).count({ n: '*' }).first())!.n);
  const upload = async (agent: Agent, ubigeo: string, f: string) => {
    const token = await formToken(agent, `/es/gestion/${ubigeo}/participacion`);
    const r = await agent
      .post(`/es/gestion/${ubigeo}/gasto-mef`)
      .field('_csrf', token)
      .attach('file', fs.readFileSync(f), { filename: path.basename(f), contentType: 'text/csv' });
    expect(r.status).toBe(303);
    await t.background.idle(); // the import runs after the answer (a job)
    return (await agent.get(r.headers.location).expect(200)).text;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { mefAllowSynthetic: true } });
    own = path.join(t.config.uploadsDir, 'own.csv');
    await generateMefGasto({ rows: 200, year: 2025, out: own, ubigeos: [X], otherLevelsEvery: 0, seed: 11 });
  });
  afterAll(async () => t.cleanup());

  it("when the importer is restricted to a municipality and one row is another one's, then the whole file is refused, nothing is written and the row is listed with column and value", async () => {
    const secY = String((await t.db('municipalities').where({ ubigeo: Y }).first()).sec_ejec);
    const foreign = withCell(withCell(own, 7, 'SEC_EJEC', secY, 'sec'), 7, 'DISTRITO_EJECUTORA', '11', 'dist');
    const report = await importMefGasto(t.db, foreign, { allowSynthetic: true, restrictToUbigeo: X });
    expect(report.status).toBe('rejected');
    expect(report.errors.map((e) => [e.row, e.column, e.value, e.key])).toEqual([
      [7, 'SEC_EJEC', secY, 'import:errors.foreign_row'],
      [7, 'DISTRITO_EJECUTORA', '11', 'import:errors.foreign_row'],
    ]);
    expect([await facts(X), await facts(Y)]).toEqual([0, 0]);
  });

  it("when an official uploads a file whose SEC_EJEC is theirs but one row's ubigeo column names another municipality, then it is refused and the status page lists that row", async () => {
    const a = await official(t, 'scope-x@example.pe', X);
    const foreign = withCell(own, 9, 'DISTRITO_EJECUTORA', '11', 'ubigeo-only');
    const page = await upload(a, X, foreign);
    expect(page).toContain('Rechazado: no se escribió nada');
    expect(page).toMatch(/<td>9<\/td><td>DISTRITO_EJECUTORA<\/td><td>11<\/td><td>la fila es de otra municipalidad: en esta columna se esperaba 10/);
    expect([await facts(X), await facts(Y)]).toEqual([0, 0]);
    const run = await t.db('participation_imports').where({ ubigeo: X, kind: 'mef_gasto' }).orderBy('id', 'desc').first();
    expect(run.status).toBe('rejected');
  });

  it("when the command line set a code name, then an official's upload does not overwrite it (only adds missing codes) but an admin's upload does", async () => {
    const cli = await importMefGasto(t.db, own, { allowSynthetic: true });
    expect(cli.status).toBe('imported');
    const header = fs.readFileSync(own, 'utf8').split('\n')[0].split(',');
    const code = fs.readFileSync(own, 'utf8').split('\n')[1].split(',')[header.indexOf('PRODUCTO_PROYECTO')].padStart(20, '0');
    const name = async () => t.db('mef_codes').where({ list: 'project', code }).first('name', 'set_by');
    const byCli = await name();
    expect(byCli.set_by).toBe('cli');
    const missing = await t.db('mef_codes').where({ list: 'function' }).first('code', 'name');
    await t.db('mef_codes').where({ list: 'function', code: missing.code }).delete();

    const a = await official(t, 'names-x@example.pe', X);
    const officialId = (await t.db('users').where({ email: 'names-x@example.pe' }).first()).id;
    expect(await upload(a, X, withCell(own, 2, 'PRODUCTO_PROYECTO_NOMBRE', 'NOMBRE DEL FUNCIONARIO', 'official'))).toContain('Importado');
    expect(await name()).toEqual(byCli);
    expect(await t.db('mef_codes').where({ list: 'function', code: missing.code }).first('name', 'set_by')).toEqual({ name: missing.name, set_by: `official:${officialId}` });

    const admin = await loginAdmin(t, 'names-admin@example.pe');
    const adminId = (await t.db('users').where({ email: 'names-admin@example.pe' }).first()).id;
    expect(await upload(admin, X, withCell(own, 2, 'PRODUCTO_PROYECTO_NOMBRE', 'NOMBRE DEL ADMIN', 'admin'))).toContain('Importado');
    expect(await name()).toEqual({ name: 'NOMBRE DEL ADMIN', set_by: `admin:${adminId}` });
  });

  it("when an official uploads an MEF file, then the audit log has the import with the file's SHA-256, row counts and the municipalities it wrote", async () => {
    const a = await official(t, 'audit-x@example.pe', X);
    const userId = (await t.db('users').where({ email: 'audit-x@example.pe' }).first()).id;
    const file = withCell(own, 3, 'PRODUCTO_PROYECTO_NOMBRE', 'OTRO NOMBRE PARA AUDITAR', 'audit');
    expect(await upload(a, X, file)).toContain('Importado');
    const entry = await t.db('audit_log').where({ action: 'import.mef_gasto', actor_user_id: userId }).first();
    expect(entry).toMatchObject({ actor_role: 'official', entity_type: 'import', entity_id: sha256(file), municipality_ubigeo: X });
    const after = JSON.parse(entry.after_json);
    expect(after).toMatchObject({ status: 'imported', sha256: sha256(file), municipalities: [X], counts: { read: 200, updated: 0, unchanged: 0, rejected: 0 } });
    expect(after.counts.inserted).toBeGreaterThan(0);
    // A refused upload is audited too, with what it refused.
    const refused = withCell(own, 4, 'DISTRITO_EJECUTORA', '11', 'audit-refused');
    expect(await upload(a, X, refused)).toContain('Rechazado');
    const r = await t
      .db('audit_log')
      .where({ action: 'import.mef_gasto', entity_id: sha256(refused) })
      .first();
    expect(JSON.parse(r.after_json)).toMatchObject({ status: 'rejected', municipalities: [], counts: { read: 200, inserted: 0, rejected: 1 } });
  });
});
