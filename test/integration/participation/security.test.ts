import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { formToken, login, createUser, Agent } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { createCommitment, createHearing, createProcessAndItem, itemForm, official, PDF, jobResult } from '../../helpers/participation';

const A = '140101';
const B = '140102';

eachDialect('participation security (checklist 14, 15, 16, 24, 31) on %s', (dialect) => {
  let t: TestApp;
  let a: Agent;
  let b: Agent;
  let itemId: number;
  let hearingId: number;
  let commitmentId: number;
  let processId: number;
  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { uploadMaxBytes: 64 * 1024, importsPerHour: 3 } });
    a = await official(t, 'official-a@example.pe', A);
    b = await official(t, 'official-b@example.pe', B);
    itemId = await createProcessAndItem(t, a, A, { title_es: 'Obra secreta de A' });
    processId = Number((await t.db('pb_processes').where({ ubigeo: A }).first()).id);
    hearingId = await createHearing(t, a, A);
    commitmentId = await createCommitment(t, a, A, hearingId, { text_es: 'Compromiso de A' });
  });
  afterAll(async () => t.cleanup());

  describe('14. an official of another municipality', () => {
    it("when the official of B reads, edits or deletes any of A's rows, through B's or A's paths, then every answer is 404 and nothing changes", async () => {
      const token = await formToken(b, `/es/gestion/${B}/participacion`);
      const before = await t.db('pb_items').where({ id: itemId }).first();
      const gets = [
        `/es/gestion/${A}/participacion`,
        `/es/gestion/${A}/proyectos/${itemId}`,
        `/es/gestion/${B}/proyectos/${itemId}`,
        `/es/gestion/${B}/procesos/${processId}`,
        `/es/gestion/${A}/procesos/${processId}`,
        `/es/gestion/${B}/audiencias/${hearingId}`,
        `/es/gestion/${A}/audiencias/${hearingId}`,
        `/es/gestion/${B}/compromisos/${commitmentId}`,
        `/en/manage/${A}/commitments/${commitmentId}`,
      ];
      for (const url of gets) expect([url, (await b.get(url)).status]).toEqual([url, 404]);
      const posts: Array<[string, Record<string, string>]> = [
        [`/es/gestion/${B}/proyectos/${itemId}`, itemForm({ title_es: 'Robado' })],
        [`/es/gestion/${A}/proyectos/${itemId}`, itemForm({ title_es: 'Robado' })],
        [`/es/gestion/${B}/proyectos/${itemId}/retirar`, { reason: 'Robado' }],
        [`/es/gestion/${A}/proyectos/${itemId}/retirar`, { reason: 'Robado' }],
        [`/es/gestion/${B}/procesos/${processId}`, { year: '2025' }],
        [`/es/gestion/${B}/audiencias/${hearingId}/retirar`, { reason: 'Robado' }],
        [`/es/gestion/${B}/audiencias/${hearingId}/compromisos`, { text_es: 'x', due_on: '2025-01-01' }],
        [`/es/gestion/${B}/compromisos/${commitmentId}`, { text_es: 'Robado', due_on: '2025-01-01', status: 'cumplido' }],
        [`/es/gestion/${B}/compromisos/${commitmentId}/avances`, { happened_on: '2025-01-01', status: 'cumplido', text_es: 'Robado' }],
      ];
      for (const [url, body] of posts)
        expect([
          url,
          (
            await b
              .post(url)
              .type('form')
              .send({ _csrf: token, ...body })
          ).status,
        ]).toEqual([url, 404]);
      const ms = await b.post(`/es/gestion/${B}/proyectos/${itemId}/hitos`).field('_csrf', token).field('happened_on', '2025-01-01').field('title_es', 'Robado');
      expect(ms.status).toBe(404);
      const hr = await b.post(`/es/gestion/${B}/audiencias/${hearingId}`).field('_csrf', token).field('held_on', '2025-01-01');
      expect(hr.status).toBe(404);
      expect(await t.db('pb_items').where({ id: itemId }).first()).toEqual(before);
      expect((await t.db('commitments').where({ id: commitmentId }).first()).text_es).toBe('Compromiso de A');
      expect(await t.db('hearings').where({ id: hearingId }).first()).toBeTruthy();
      expect(await t.db('pb_milestones').where({ item_id: itemId })).toHaveLength(0);
    });

    it("when the official of B lists their own municipality, then none of A's rows appear", async () => {
      const page = await b.get(`/es/gestion/${B}/participacion`).expect(200);
      expect(page.text).not.toContain('Obra secreta de A');
      expect(page.text).not.toContain('Compromiso de A');
      expect(page.text).not.toContain(`/proyectos/${itemId}"`);
    });

    it("when a CSV upload of B names A's item id, then the row is refused and A's item is unchanged", async () => {
      const token = await formToken(b, `/es/gestion/${B}/participacion`);
      const csv = `id,year,priority,title_es,total_cost,status\n${itemId},2025,1,Robado,10,en_ejecucion\n`;
      const r = await b.post(`/es/gestion/${B}/importar`).field('_csrf', token).field('kind', 'items').attach('file', Buffer.from(csv), { filename: 'x.csv', contentType: 'text/csv' });
      expect((await jobResult(t, b, r)).status).toBe('rejected');
      expect((await t.db('pb_items').where({ id: itemId }).first()).title_es).toBe('Obra secreta de A');
    });
  });

  describe('15. no mass assignment', () => {
    it('when an item form carries ubigeo, process_id, is_example, id or role fields, then none of them is stored', async () => {
      const token = await formToken(a, `/es/gestion/${A}/proyectos/${itemId}`);
      await a
        .post(`/es/gestion/${A}/proyectos/${itemId}`)
        .type('form')
        .send({ _csrf: token, ...itemForm({ title_es: 'Obra secreta de A' }), ubigeo: B, process_id: '999', is_example: '1', id: '999', role: 'admin', municipality_id: B, created_at: '2000-01-01' })
        .expect(303);
      const row = await t.db('pb_items').where({ id: itemId }).first();
      expect(row.ubigeo).toBe(A);
      expect(Number(row.process_id)).toBe(processId);
      expect(Boolean(row.is_example)).toBe(false);
      const user = await t.db('users').where({ email: 'official-a@example.pe' }).first();
      expect([user.role, user.municipality_ubigeo]).toEqual(['official', A]);
    });

    it('when a commitment form carries hearing_id, ubigeo or is_example, then they are ignored', async () => {
      const token = await formToken(a, `/es/gestion/${A}/compromisos/${commitmentId}`);
      await a
        .post(`/es/gestion/${A}/compromisos/${commitmentId}`)
        .type('form')
        .send({ _csrf: token, text_es: 'Compromiso de A', due_on: '2025-08-31', status: 'pendiente', hearing_id: '1', ubigeo: B, is_example: 'true' })
        .expect(303);
      const row = await t.db('commitments').where({ id: commitmentId }).first();
      expect([Number(row.hearing_id), row.ubigeo, Boolean(row.is_example)]).toEqual([hearingId, A, false]);
    });
  });

  describe('16. CSRF', () => {
    it('when a form is posted without a token or with the token of another session, then it is 403 and nothing is created', async () => {
      const count = async () => Number((await t.db('pb_items').where({ ubigeo: A }).count({ n: '*' }))[0].n);
      const n = await count();
      await a
        .post(`/es/gestion/${A}/proyectos/nuevo`)
        .type('form')
        .send(itemForm({ priority: '7' }))
        .expect(403);
      const foreign = await formToken(b, `/es/gestion/${B}/participacion`);
      await a
        .post(`/es/gestion/${A}/proyectos/nuevo`)
        .type('form')
        .send({ _csrf: foreign, ...itemForm({ priority: '7' }) })
        .expect(403);
      const h = await a.post(`/es/gestion/${A}/audiencias/nueva`).field('held_on', '2025-05-01').attach('report', PDF, { filename: 'r.pdf', contentType: 'application/pdf' });
      expect(h.status).toBe(403);
      const h2 = await a.post(`/es/gestion/${A}/audiencias/nueva`).field('_csrf', foreign).field('held_on', '2025-05-01');
      expect(h2.status).toBe(403);
      expect(await count()).toBe(n);
      const monitor = await createUser(t, 'csrf-monitor@example.pe', 'monitor');
      expect(monitor).toBeTruthy();
      const { agent } = await login(t, 'csrf-monitor@example.pe');
      await agent
        .post('/es/observaciones')
        .type('form')
        .send({ entity_type: 'pb_item', entity_id: String(itemId), body: 'sin token de formulario' })
        .expect(403);
      await agent
        .post('/es/seguir')
        .type('form')
        .send({ entity_type: 'pb_item', entity_id: String(itemId) })
        .expect(403);
    });
  });

  describe('24. uploads', () => {
    it('when a report is larger than the limit, then the answer is 413 and no file is stored', async () => {
      const before = fs.readdirSync(t.config.uploadsDir).length;
      const token = await formToken(a, `/es/gestion/${A}/audiencias/nueva`);
      const big = Buffer.concat([PDF, Buffer.alloc(70 * 1024, 0x20)]);
      const r = await a.post(`/es/gestion/${A}/audiencias/nueva`).field('_csrf', token).field('held_on', '2025-05-02').attach('report', big, { filename: 'big.pdf', contentType: 'application/pdf' });
      expect(r.status).toBe(413);
      expect(fs.readdirSync(t.config.uploadsDir).length).toBe(before);
    });

    it('when a file named .pdf with a PDF type is really HTML, then it is refused with 422 by its content', async () => {
      const token = await formToken(a, `/es/gestion/${A}/audiencias/nueva`);
      const r = await a
        .post(`/es/gestion/${A}/audiencias/nueva`)
        .field('_csrf', token)
        .field('held_on', '2025-05-03')
        .attach('report', Buffer.from('<html><script>alert(1)</script></html>'), { filename: 'informe.pdf', contentType: 'application/pdf' });
      expect(r.status).toBe(422);
      expect(r.text).toContain('El archivo no es un PDF.');
      expect(r.text).toContain('value="2025-05-03"'); // input kept
    });

    it('when a report is stored, then it has a random name outside the web root and downloads as an attachment with nosniff, never as HTML', async () => {
      const h = await t.db('hearings').where({ id: hearingId }).first();
      expect(h.report_file).toMatch(/^[a-f0-9]{32}\.pdf$/);
      expect(fs.existsSync(path.join(t.config.uploadsDir, h.report_file))).toBe(true);
      expect(path.resolve(t.config.uploadsDir).startsWith(path.resolve(__dirname, '..', '..', '..', 'public'))).toBe(false);
      const r = await request(t.app).get(`/es/rendicion-de-cuentas/audiencias/${hearingId}/informe`).expect(200);
      expect(r.headers['content-disposition']).toMatch(/^attachment; filename="?informe\.pdf"?/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['content-type']).toMatch(/^application\/pdf/);
      expect(Buffer.from(r.body).subarray(0, 5).toString()).toBe('%PDF-');
      await request(t.app).get(`/static/../uploads/${h.report_file}`).expect(404);
      await request(t.app).get(`/es/rendicion-de-cuentas/audiencias/999999/informe`).expect(404);
    });

    it('when a user runs more imports per hour than allowed, then the next one gets 429', async () => {
      const c = await official(t, 'rate-official@example.pe', '140103');
      const token = await formToken(c, `/es/gestion/140103/participacion`);
      const send = () =>
        c
          .post(`/es/gestion/140103/importar`)
          .field('_csrf', token)
          .field('kind', 'items')
          .attach('file', Buffer.from('year,priority,title_es,total_cost,status\n2025,1,X,10,en_ejecucion\n'), { filename: 'x.csv', contentType: 'text/csv' });
      for (let i = 0; i < 3; i++) expect((await jobResult(t, c, await send())).status).toBe('rejected'); // no process for 2025: rejected, but counted
      expect((await send()).status).toBe(429);
    });
  });

  describe('31. bulk imports', () => {
    it('when one row of a CSV is bad, then nothing is written and the report names row, column, value and reason', async () => {
      const c = await official(t, 'bulk-official@example.pe', '140104');
      await createProcessAndItem(t, c, '140104', { priority: '1', title_es: 'Primera' });
      const token = await formToken(c, '/en/manage/140104/participation');
      const before = await t.db('pb_items').where({ ubigeo: '140104' }).orderBy('id');
      const csv = 'year,priority,title_es,total_cost,status,progress_pct\n2025,2,Segunda,1000.50,en_ejecucion,10\n2025,3,Tercera,abc,en_ejecucion,10\n2025,1,Primera cambiada,10,culminado,\n';
      const r = await jobResult(
        t,
        c,
        await c.post(`/en/manage/140104/import`).field('_csrf', token).field('kind', 'items').attach('file', Buffer.from(csv), { filename: 'items.csv', contentType: 'text/csv' }),
      );
      expect(r.status).toBe('rejected');
      expect(r.text).toContain('Import rejected: nothing was saved.');
      expect(r.text).toMatch(/<td>3<\/td><td>total_cost<\/td><td>abc<\/td><td>Type an amount in soles/);
      expect(await t.db('pb_items').where({ ubigeo: '140104' }).orderBy('id')).toEqual(before);
    });

    it('when the CSV export is uploaded back, then nothing changes and a second upload says so; an edited file updates without duplicates', async () => {
      const c = await official(t, 'roundtrip-official@example.pe', '140105');
      await createProcessAndItem(t, c, '140105', { priority: '1', title_es: '=Fórmula peligrosa' });
      const token = await formToken(c, '/es/gestion/140105/participacion');
      const exported = (await request(t.app).get('/api/v1/participatory-budget/items?ubigeo=140105&format=csv').expect(200)).text;
      expect(exported).toContain("'=Fórmula peligrosa");
      const up = async (text: string) =>
        jobResult(t, c, await c.post(`/es/gestion/140105/importar`).field('_csrf', token).field('kind', 'items').attach('file', Buffer.from(text), { filename: 'items.csv', contentType: 'text/csv' }));
      const again = await up(exported);
      expect(again.status).toBe('unchanged');
      expect(again.text).toContain('0 creados, 0 actualizados, 1 sin cambios');
      const edited =
        exported.replace('en_ejecucion', 'paralizado') +
        exported
          .split('\n')[1]
          .replace(/^\d+,/, ',')
          .replace(/,1,'=Fórmula peligrosa/, ',2,Nueva obra') +
        '\n';
      const r = await up(edited);
      expect(r.text).toContain('1 creados, 1 actualizados, 0 sin cambios');
      const rows = await t.db('pb_items').where({ ubigeo: '140105' }).orderBy('priority');
      expect(rows.map((x) => [x.priority, x.title_es, x.status])).toEqual([
        [1, '=Fórmula peligrosa', 'paralizado'],
        [2, 'Nueva obra', 'en_ejecucion'],
      ]);
    });

    it('when an import of the same municipality is already running, then a second one gets 409', async () => {
      const c = await official(t, 'lock-official@example.pe', '140106');
      const token = await formToken(c, '/es/gestion/140106/participacion');
      await t.db('import_locks').insert({ lock_key: 'participation:140106', acquired_at: new Date(t.now.ms).toISOString() });
      const r = await c
        .post(`/es/gestion/140106/importar`)
        .field('_csrf', token)
        .field('kind', 'commitments')
        .attach('file', Buffer.from('hearing_id,text_es,due_on,status\n1,X,2025-01-01,pendiente\n'), { filename: 'c.csv', contentType: 'text/csv' });
      expect(r.status).toBe(409);
      await t.db('import_locks').where({ lock_key: 'participation:140106' }).delete();
      const ok = await c
        .post(`/es/gestion/140106/importar`)
        .field('_csrf', token)
        .field('kind', 'commitments')
        .attach('file', Buffer.from('hearing_id,text_es,due_on,status\n1,X,2025-01-01,pendiente\n'), { filename: 'c.csv', contentType: 'text/csv' });
      expect((await jobResult(t, c, ok)).status).toBe('rejected'); // hearing 1 is not theirs: row refused, lock released
      expect(await t.db('import_locks')).toHaveLength(0);
    });
  });
});
