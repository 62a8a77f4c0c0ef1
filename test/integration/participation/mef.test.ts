import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { generateMefGasto } from '../../../src/modules/spending';
import { createTestApp, TestApp } from '../../helpers/app';
import { formToken } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { createProcessAndItem, official } from '../../helpers/participation';

const X = '150104';

eachDialect('money follows the CUI and the web upload of MEF files on %s', (dialect) => {
  let t: TestApp;
  let file: string;
  let otherFile: string;
  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { mefAllowSynthetic: true } });
    file = path.join(t.config.uploadsDir, 'gen-own.csv');
    otherFile = path.join(t.config.uploadsDir, 'gen-other.csv');
    await generateMefGasto({ rows: 300, year: 2025, out: file, ubigeos: [X], otherLevelsEvery: 0, seed: 7 });
    await generateMefGasto({ rows: 50, year: 2025, out: otherFile, ubigeos: ['150105'], otherLevelsEvery: 0, seed: 8 });
  });
  afterAll(async () => t.cleanup());

  const upload = async (agent: Awaited<ReturnType<typeof official>>, ubigeo: string, f: string) => {
    const token = await formToken(agent, `/es/gestion/${ubigeo}/participacion`);
    const r = await agent.post(`/es/gestion/${ubigeo}/gasto-mef`).field('_csrf', token).attach('file', fs.readFileSync(f), { filename: 'gasto.csv', contentType: 'text/csv' });
    await t.background.idle(); // the import runs after the answer (a job)
    return r;
  };

  it('when an official uploads an MEF file of their municipality, then the status page says imported, and the item with that CUI shows PIM and devengado by year with the gap flag', async () => {
    const a = await official(t, 'mef-official@example.pe', X);
    const r = await upload(a, X, file);
    expect(r.status).toBe(303);
    const status = await a.get(r.headers.location).expect(200);
    expect(status.text).toContain('Importado');
    expect(status.text).toContain('2025');
    const project = await t.db('mef_gasto_rollups').where({ level: 'municipality', area: X, dim: 'project', parent: '2' }).where('devengado', '>', 0).orderBy('code').first();
    expect(project).toBeTruthy();
    const cui = String(project.code).replace(/^0+/, '');
    const itemId = await createProcessAndItem(t, a, X, { cui, status: 'en_formulacion', progress_pct: '' });
    const page = await request(t.app).get(`/en/participatory-budget/items/${itemId}`).expect(200);
    expect(page.text).toContain(`PIM and accrued spending (devengado) of CUI ${cui} by year (MEF)`);
    expect(page.text).toMatch(/<th scope="row">2025<\/th>/);
    expect(page.text).toContain('Warning: money was spent but physical progress does not match.');
    const again = await upload(a, X, file);
    expect((await a.get(again.headers.location)).text).toContain('Sin cambios');
  });

  it('when an official uploads an MEF file with rows of another municipality, then nothing is imported and the status page names the rows', async () => {
    const b = await official(t, 'mef-official-b@example.pe', '150106');
    const r = await upload(b, '150106', otherFile);
    expect(r.status).toBe(303);
    const status = await b.get(r.headers.location).expect(200);
    expect(status.text).toContain('Rechazado: no se escribió nada');
    expect(status.text).toContain('SEC_EJEC');
    expect(await t.db('mef_gasto_rollups').where({ area: '150105' })).toHaveLength(0);
    // and another official cannot read that status page
    const a = await official(t, 'mef-official-c@example.pe', '150107');
    await a.get(r.headers.location).expect(404);
    await a.get(r.headers.location.replace('/150106/', '/150107/')).expect(404);
  });

  it('when an MEF import of the same municipality is already running, then a second upload gets 409', async () => {
    const c = await official(t, 'mef-lock@example.pe', '150108');
    await t.db('import_locks').insert({ lock_key: 'mef:150108', acquired_at: new Date(t.now.ms).toISOString() });
    expect((await upload(c, '150108', otherFile)).status).toBe(409);
    await t.db('import_locks').where({ lock_key: 'mef:150108' }).delete();
  });

  it('when a user uploads more MEF files per hour than allowed, then the next one gets 429', async () => {
    const d = await official(t, 'mef-rate@example.pe', '150109');
    for (let i = 0; i < 10; i++)
      await t.db('participation_imports').insert({
        user_id: (await t.db('users').where({ email: 'mef-rate@example.pe' }).first()).id,
        ubigeo: '150109',
        kind: 'mef_gasto',
        status: 'done',
        rows: 1,
        created_at: new Date(t.now.ms).toISOString(),
      });
    expect((await upload(d, '150109', otherFile)).status).toBe(429);
  });
});
