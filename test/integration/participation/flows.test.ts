import request from 'supertest';
import { createMailer } from '../../../src/lib/mailer';
import { createLogger } from '../../../src/lib/logger';
import { runDigests } from '../../../src/modules/participation';
import { createTestApp, TestApp } from '../../helpers/app';
import { formToken, mailsTo } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { createCommitment, createHearing, createProcessAndItem, idFrom, itemForm, official, PDF, signedIn } from '../../helpers/participation';

eachDialect('participatory budget and accountability flows on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when the app starts on an empty database, then example content is loaded and marked as example on pages and in the API', async () => {
    const api = await request(t.app).get('/api/v1/participatory-budget/items?ubigeo=150101').expect(200);
    expect(api.body.data.length).toBeGreaterThan(0);
    expect(api.body.data.every((r: { is_example: boolean }) => r.is_example === true)).toBe(true);
    for (const url of [
      '/es/presupuesto-participativo?ubigeo=150101',
      '/en/participatory-budget?ubigeo=150101',
      '/es/municipalidades/150101/cumplimiento',
      '/en/municipalities/150101/delivery',
      '/es/rendicion-de-cuentas?ubigeo=150101',
      '/en/accountability/commitments?ubigeo=150101',
      `/en/participatory-budget/items/${api.body.data[0].id}`,
    ]) {
      const page = await request(t.app).get(url).expect(200);
      expect(page.text).toMatch(/class="badge-example"[^>]*>(Ejemplo|Example)</);
    }
    const csv = await request(t.app).get('/api/v1/accountability/commitments?ubigeo=150101&format=csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\n')[0]).toContain('is_example');
  });

  it('when an item has no English title, then the English page shows the Spanish one with a visible note', async () => {
    const row = await t.db('pb_items').where({ ubigeo: '150101', is_example: true }).whereNull('title_en').first();
    const page = await request(t.app).get(`/en/participatory-budget/items/${row.id}`).expect(200);
    expect(page.text).toContain(row.title_es);
    expect(page.text).toContain('No English translation: shown in Spanish.');
  });

  it('when an official creates a process, an item, a milestone with a PDF, a hearing with commitments and updates, then the public pages, history and API show them', async () => {
    const a = await official(t, 'flow-official@example.pe', '130101');
    const itemId = await createProcessAndItem(t, a, '130101', { title_es: 'Pistas del barrio Alto', planned_end: '2025-06-30' });
    const page = await request(t.app).get(`/es/presupuesto-participativo/proyectos/${itemId}`).expect(200);
    expect(page.text).toContain('Pistas del barrio Alto');
    expect(page.text).toContain('S/ 150,001'); // céntimos stored, soles shown
    expect(page.text).toContain('class="badge-overdue"'); // planned end passed, not finished
    expect(page.text).not.toContain('class="badge-example"');

    // status change → history; culminado sets 100 % and clears the overdue flag
    const token = await formToken(a, `/es/gestion/130101/proyectos/${itemId}`);
    await a
      .post(`/es/gestion/130101/proyectos/${itemId}`)
      .type('form')
      .send({ _csrf: token, ...itemForm({ title_es: 'Pistas del barrio Alto', status: 'culminado', progress_pct: '' }) })
      .expect(303);
    const ms = await a
      .post(`/es/gestion/130101/proyectos/${itemId}/hitos`)
      .field('_csrf', token)
      .field('happened_on', '2025-07-01')
      .field('title_es', 'Entrega de obra')
      .field('evidence_url', 'https://example.pe/acta')
      .attach('evidence_file', PDF, { filename: 'acta.pdf', contentType: 'application/pdf' });
    expect(ms.status).toBe(303);
    const after = await request(t.app).get(`/en/participatory-budget/items/${itemId}`).expect(200);
    expect(after.text).toContain('Entrega de obra');
    expect(after.text).toContain('Finished');
    expect(after.text).not.toContain('class="badge-overdue"');
    // the status change is recorded field by field: status, old → new (the label was "Status or progress change" before the field-level record)
    expect(after.text).toMatch(/Public history of changes[\s\S]*<td>Change<\/td>[\s\S]*Status: <del>en_ejecucion<\/del> → <ins>culminado<\/ins>[\s\S]*Recorded/);
    const api = await request(t.app).get('/api/v1/participatory-budget/items?ubigeo=130101&status=culminado').expect(200);
    expect(api.body.data).toEqual([expect.objectContaining({ id: itemId, total_cost: 150000.5, progress_pct: 100, status: 'culminado', is_example: false, overdue: false })]);

    const hearingId = await createHearing(t, a, '130101', '2025-05-20');
    await createHearing(t, a, '130101', '2025-09-25');
    const cId = await createCommitment(t, a, '130101', hearingId, { due_on: '2025-08-31' });
    const ct = await formToken(a, `/es/gestion/130101/compromisos/${cId}`);
    await a
      .post(`/es/gestion/130101/compromisos/${cId}/avances`)
      .type('form')
      .send({ _csrf: ct, happened_on: '2025-08-15', status: 'cumplido', text_es: 'Puente reparado', evidence_url: 'https://example.pe/foto' })
      .expect(303);
    const c = await request(t.app).get(`/es/rendicion-de-cuentas/compromisos/${cId}`).expect(200);
    expect(c.text).toContain('Puente reparado');
    expect(c.text).toContain('Cumplido');
    const summary = await request(t.app).get('/en/municipalities/130101/delivery').expect(200);
    expect(summary.text).toMatch(/<th scope="row">2025<\/th><td>Held<\/td><td>Held<\/td>/);
    expect(summary.text).toContain('1 of 1 commitments due were fulfilled on time (100.0 %)');
    const audits = await t.db('audit_log').where({ municipality_ubigeo: '130101' }).pluck('action');
    expect(audits).toEqual(expect.arrayContaining(['pb_process.create', 'pb_item.create', 'pb_item.update', 'pb_milestone.create', 'hearing.create', 'commitment.create', 'commitment.add_update']));
  });

  it('when an item form is invalid, then it is re-rendered with 422, localized errors and the input kept', async () => {
    const a = await official(t, 'form-official@example.pe', '130102');
    const token = await formToken(a, '/en/manage/130102/items/new');
    const r = await a
      .post('/en/manage/130102/items/new')
      .type('form')
      .send({ _csrf: token, ...itemForm({ title_es: 'Título conservado', total_cost: 'mucho', status: 'hecho' }) })
      .expect(422);
    expect(r.text).toContain('Type an amount in soles, e.g. 1234.50.');
    expect(r.text).toContain('Invalid status.');
    expect(r.text).toContain('value="Título conservado"');
    expect(r.text).toContain('aria-invalid="true"');
    const missing = await a
      .post('/es/gestion/130102/proyectos/nuevo')
      .type('form')
      .send({ _csrf: token, ...itemForm({ year: '2031' }) })
      .expect(422);
    expect(missing.text).toContain('Primero registre el proceso participativo de ese año.');
  });

  it('when a resident follows an item that changes, then one digest a day is mailed and its one-click link unsubscribes', async () => {
    const a = await official(t, 'digest-official@example.pe', '130103');
    const itemId = await createProcessAndItem(t, a, '130103');
    const resident = await signedIn(t, 'follower@example.pe', 'resident');
    const page = await resident.get(`/es/presupuesto-participativo/proyectos/${itemId}`).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await resident
      .post('/es/seguir')
      .type('form')
      .send({ _csrf: csrf, entity_type: 'pb_item', entity_id: String(itemId) })
      .expect(303);
    expect((await resident.get(`/es/presupuesto-participativo/proyectos/${itemId}`)).text).toContain('Dejar de seguir');

    t.now.ms += 1000;
    const token = await formToken(a, `/es/gestion/130103/proyectos/${itemId}`);
    await a
      .post(`/es/gestion/130103/proyectos/${itemId}`)
      .type('form')
      .send({ _csrf: token, ...itemForm({ status: 'en_ejecucion', progress_pct: '60' }) })
      .expect(303);
    const mailer = createMailer(t.config, createLogger('silent'));
    const deps = { db: t.db, mailer, clock: () => t.now.ms + 1000, publicUrl: t.config.publicUrl, secret: t.config.sessionSecret };
    expect(await runDigests(deps)).toEqual({ sent: 1 });
    const mail = await mailsTo(t, 'follower@example.pe');
    expect(mail).toHaveLength(1);
    expect(mail[0]).toContain('60 %');

    t.now.ms += 60_000;
    await a
      .post(`/es/gestion/130103/proyectos/${itemId}`)
      .type('form')
      .send({ _csrf: token, ...itemForm({ status: 'paralizado', progress_pct: '60' }) })
      .expect(303);
    expect(await runDigests({ ...deps, clock: () => t.now.ms + 1000 })).toEqual({ sent: 0 }); // same day
    expect(await runDigests({ ...deps, clock: () => t.now.ms + 25 * 3_600_000 })).toEqual({ sent: 1 }); // next day

    const link = /https?:\/\/[^\s/]+(\/es\/dejar-de-seguir\?token=[^\s>]+)/.exec((await mailsTo(t, 'follower@example.pe'))[1])![1];
    await request(t.app).get(link).expect(200);
    // The one-click link stops the digests (frequency off) and keeps what the resident follows.
    expect((await t.db('users').where({ email: 'follower@example.pe' }).first('digest_frequency')).digest_frequency).toBe('off');
    expect(await t.db('follows').where({ entity_id: String(itemId) })).toHaveLength(1);
    await request(t.app).get('/es/dejar-de-seguir?token=1.forged').expect(400);
  });

  it("when a monitor posts an observation, then the municipality's own official cannot moderate it, an admin publishes it with a reason, the official answers in public, and the decision is audited", async () => {
    const a = await official(t, 'moderator@example.pe', '130104');
    const itemId = await createProcessAndItem(t, a, '130104');
    await a
      .post(`/es/gestion/130104/proyectos/${itemId}/hitos`)
      .field('_csrf', await formToken(a, `/es/gestion/130104/proyectos/${itemId}`))
      .field('happened_on', '2025-03-01')
      .field('title_es', 'Inicio')
      .field('evidence_url', 'https://example.pe/x')
      .expect(303);
    const monitor = await signedIn(t, 'monitor-obs@example.pe', 'monitor');
    const page = await monitor.get(`/es/presupuesto-participativo/proyectos/${itemId}`).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await monitor
      .post('/es/observaciones')
      .type('form')
      .send({ _csrf: csrf, entity_type: 'pb_item', entity_id: String(itemId), body: 'La obra está detenida desde marzo.' })
      .expect(303);
    expect((await request(t.app).get(`/es/presupuesto-participativo/proyectos/${itemId}`)).text).not.toContain('La obra está detenida');
    const msId = (await t.db('pb_milestones').where({ item_id: itemId }).first()).id;
    await monitor
      .post('/es/evidencias/disputar')
      .type('form')
      .send({ _csrf: csrf, kind: 'milestone', id: String(msId), reason: 'La foto es de otra obra del distrito.' })
      .expect(303);

    // the official of the municipality neither sees the pending text nor reaches the queue
    const manage = await a.get('/es/gestion/130104/participacion').expect(200);
    expect(manage.text).not.toContain('La obra está detenida');
    const obs = await t.db('observations').where({ ubigeo: '130104' }).first();
    expect((await a.get('/es/moderacion')).status).toBe(403);
    expect(
      (
        await a
          .post(`/es/moderacion/observation/${obs.id}`)
          .type('form')
          .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(manage.text)![1], decision: 'publish', version: '1', reason: 'meets_rules' })
      ).status,
    ).toBe(403);
    expect((await t.db('observations').where({ id: obs.id }).first()).status).toBe('pending');

    const mod = await signedIn(t, 'neutral-moderator@example.pe', 'moderator');
    const queue = await mod.get('/es/moderacion').expect(200);
    expect(queue.text).toContain('La obra está detenida');
    await mod
      .post(`/es/moderacion/observation/${obs.id}`)
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(queue.text)![1], decision: 'publish', version: String(obs.version), reason: 'meets_rules' })
      .expect(303);
    const pub = await request(t.app).get(`/es/presupuesto-participativo/proyectos/${itemId}`).expect(200);
    expect(pub.text).toContain('La obra está detenida');
    expect(pub.text).toContain('La foto es de otra obra del distrito.');
    const decision = await t.db('audit_log').where({ action: 'moderation.observation.publish', entity_id: String(obs.id) });
    expect(decision).toHaveLength(1);
    expect(JSON.parse(decision[0].after_json).reason).toBe('meets_rules');

    const manage2 = await a.get('/es/gestion/130104/participacion').expect(200);
    await a
      .post(`/es/gestion/130104/observaciones/${obs.id}/respuesta`)
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(manage2.text)![1], answer: 'La obra se reanuda en julio.' })
      .expect(303);
    expect((await request(t.app).get(`/es/presupuesto-participativo/proyectos/${itemId}`)).text).toContain('La obra se reanuda en julio.');
    // a resident may not observe
    const resident = await signedIn(t, 'resident-obs@example.pe', 'resident');
    const rp = await resident.get(`/es/presupuesto-participativo/proyectos/${itemId}`);
    await resident
      .post('/es/observaciones')
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(rp.text)![1], entity_type: 'pb_item', entity_id: String(itemId), body: 'No debería poder publicar esto.' })
      .expect(403);
  });

  it('when the bulk download is read, then the datapackage lists the participation datasets and their CSVs carry soles and is_example', async () => {
    const pkg = await request(t.app).get('/api/v1/datasets/datapackage.json').expect(200);
    expect(pkg.body.resources.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['pb-items', 'hearings', 'commitments']));
    const csv = await request(t.app).get('/api/v1/datasets/pb_items.csv').expect(200);
    const [header, ...lines] = csv.text.trim().split('\n');
    expect(header).toBe('id,ubigeo,year,priority,title_es,title_en,cui,total_cost,pia_amount,start_date,planned_end,baseline_planned_end,status,progress_pct,finished_on,is_example');
    const example = lines.find((l) => l.includes('Mejoramiento de pistas y veredas (ejemplo)'))!;
    expect(example).toMatch(/,1200000,600000,.*,true$/);
    expect(lines.some((l) => l.endsWith(',false'))).toBe(true);
    const page = await request(t.app).get('/es/datos').expect(200);
    expect(page.text).toContain('/api/v1/datasets/pb_items.csv');
    expect(page.text).toContain('Presupuesto participativo: proyectos priorizados');
  });

  it('when the lists are filtered by status, year or overdue, then only matching rows come back and bad filters are 400', async () => {
    const overdue = await request(t.app).get('/api/v1/participatory-budget/items?overdue=1').expect(200);
    expect(overdue.body.data.length).toBeGreaterThan(0);
    expect(overdue.body.data.every((r: { overdue: boolean }) => r.overdue)).toBe(true);
    const year = await request(t.app).get('/api/v1/accountability/commitments?year=2025&status=cumplido').expect(200);
    expect(year.body.data.every((r: { due_on: string; status: string }) => r.due_on.startsWith('2025') && r.status === 'cumplido')).toBe(true);
    await request(t.app).get("/api/v1/participatory-budget/items?status=' OR 1=1--").expect(400);
    await request(t.app).get('/api/v1/participatory-budget/items?ubigeo=(select sleep(5))').expect(400);
    await request(t.app).get('/es/presupuesto-participativo?year=abc').expect(400);
    expect(idFrom('/es/x/12?done=1')).toBe(12);
  });
});
