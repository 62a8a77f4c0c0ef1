import request from 'supertest';
import { hearingsOnTime, HEARING_WINDOWS } from '../../../src/modules/participation';
import { createScoresService } from '../../../src/modules/scores';
import { createAuditService } from '../../../src/modules/audit';
import { Id, isoDate, soles } from '../../../src/lib/schemas';
import { createTestApp, TestApp } from '../../helpers/app';
import { formToken } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { createCommitment, createHearing, createProcessAndItem, itemForm, official, jobResult } from '../../helpers/participation';

const YEAR = 2025;

describe('record rules (pure)', () => {
  it('when hearings fall on the edges of the legal windows, then only held, not withdrawn, not future hearings count, once per window', () => {
    const h = (held_on: string, state = 'realizada', withdrawn_at: string | null = null) => ({ held_on, state, withdrawn_at });
    const today = '2025-12-01';
    expect(hearingsOnTime([h('2025-05-31'), h('2025-06-01')], YEAR, today)).toEqual({ first: true, second: true, onTime: 2 });
    expect(hearingsOnTime([h('2025-09-30'), h('2025-10-01')], YEAR, today)).toEqual({ first: false, second: true, onTime: 1 });
    expect(hearingsOnTime([h('2025-05-10', 'convocada'), h('2025-09-10', 'cancelada'), h('2025-05-11', 'realizada', '2025-06-01T00:00:00Z')], YEAR, today).onTime).toBe(0);
    expect(hearingsOnTime([h('2025-05-10')], YEAR, '2025-05-09').onTime).toBe(0); // not yet happened
    expect(HEARING_WINDOWS.map((w) => `${w.from}..${w.to}`)).toEqual(['01-01..05-31', '06-01..09-30']);
  });

  it("when ids, dates and money come in odd notations, then only plain decimal ids, sane ISO dates and the form's money format pass", () => {
    for (const bad of ['0x5', '5.0', '1e3', ' 5', '-5', '0', '05', '99999999999']) expect([bad, Id.safeParse(bad).success]).toEqual([bad, false]);
    expect(Id.parse('5')).toBe(5);
    for (const bad of ['0000-01-01', '1899-12-31', '2101-01-01', '2025-02-30', '2025-1-1']) expect([bad, isoDate().safeParse(bad).success]).toEqual([bad, false]);
    expect(isoDate().parse('2025-02-28')).toBe('2025-02-28');
    const money = soles();
    for (const bad of ['1,2,3,4', '12,34', '1.234,50', '1,2345', '.5', '1.234']) expect([bad, money.safeParse(bad).success]).toEqual([bad, false]);
    expect(money.parse('1,234,567.50')).toBe(123_456_750);
    expect(money.parse('1234.5')).toBe(123_450);
  });
});

eachDialect('the public record on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t?.cleanup();
  });
  const scores = () => createScoresService({ db: t.db, clock: () => t.now.ms, audit: createAuditService() });
  const scoreOf = async (ubigeo: string) => t.db('scores').where({ ubigeo, year: YEAR }).first();

  it('when hearings are recorded around the legal windows, then the delivery page and the score A count the same hearings on time (one definition)', async () => {
    const ubigeo = '130201';
    const a = await official(t, 'a-130201@example.pe', ubigeo);
    await createHearing(t, a, ubigeo, '2025-05-31');
    await createHearing(t, a, ubigeo, '2025-10-01'); // late: outside both windows
    const page = await request(t.app).get(`/es/municipalidades/${ubigeo}/cumplimiento`).expect(200);
    expect(page.text).toMatch(/<th scope="row">2025<\/th><td>Realizada<\/td><td>No registrada<\/td>/);
    await scores().recompute({ year: YEAR });
    expect(Number((await scoreOf(ubigeo)).a)).toBe(50); // one window of two, no commitments due → 100 × 1/2
  });

  it('when an official records a hearing in the future as held, then 422 and nothing is stored; as convened it is stored and does not count', async () => {
    const ubigeo = '130202';
    const a = await official(t, 'a-130202@example.pe', ubigeo);
    const token = await formToken(a, `/es/gestion/${ubigeo}/audiencias/nueva`);
    const future = new Date(t.now.ms + 30 * 86_400_000).toISOString().slice(0, 10);
    const r = await a.post(`/es/gestion/${ubigeo}/audiencias/nueva`).field('_csrf', token).field('held_on', future).field('state', 'realizada');
    expect(r.status).toBe(422);
    expect(r.text).toContain('no puede registrarse como realizada');
    expect(await t.db('hearings').where({ ubigeo })).toHaveLength(0);
    const ok = await a.post(`/es/gestion/${ubigeo}/audiencias/nueva`).field('_csrf', token).field('held_on', future).field('state', 'convocada').field('agenda_es', 'Informe del primer semestre');
    expect(ok.status).toBe(303);
    const page = await request(t.app)
      .get(`/es/rendicion-de-cuentas/audiencias/${(await t.db('hearings').where({ ubigeo }).first()).id}`)
      .expect(200);
    expect(page.text).toContain('Convocada');
    expect(page.text).toContain('Informe del primer semestre');
  });

  it("when an official moves an item's planned end and cost, then a reason is required, the baseline stays, the overdue flag and the score P do not move, and the history keeps old → new with the role", async () => {
    const ubigeo = '130203';
    const a = await official(t, 'a-130203@example.pe', ubigeo);
    const itemId = await createProcessAndItem(t, a, ubigeo, { planned_end: '2025-06-30', total_cost: '100000', status: 'en_ejecucion', progress_pct: '20' });
    await scores().recompute({ year: YEAR });
    const before = await scoreOf(ubigeo);
    const token = await formToken(a, `/es/gestion/${ubigeo}/proyectos/${itemId}`);
    const moved = itemForm({ planned_end: '2026-12-31', total_cost: '90000', status: 'en_ejecucion', progress_pct: '20' });
    const refused = await a
      .post(`/es/gestion/${ubigeo}/proyectos/${itemId}`)
      .type('form')
      .send({ _csrf: token, ...moved });
    expect(refused.status).toBe(422);
    expect((await t.db('pb_items').where({ id: itemId }).first()).total_cost).toBe(10_000_000);
    await a
      .post(`/es/gestion/${ubigeo}/proyectos/${itemId}`)
      .type('form')
      .send({ _csrf: token, ...moved, reason: 'Se amplió el plazo por lluvias' })
      .expect(303);
    const row = await t.db('pb_items').where({ id: itemId }).first();
    expect(String(row.baseline_planned_end)).toContain('2025-06-30');
    expect(Number(row.baseline_total_cost)).toBe(10_000_000);
    const api = await request(t.app).get(`/api/v1/participatory-budget/items/${itemId}`).expect(200);
    expect(api.body.data.overdue).toBe(true);
    expect(api.body.data.reprogrammed).toBe(1);
    expect(
      api.body.data.history
        .filter((h: { kind: string }) => h.kind === 'changed')
        .map((h: { field: string; old_value: string; new_value: string; reason: string; actor_role: string; actor_ubigeo: string }) => [
          h.field,
          h.old_value,
          h.new_value,
          h.reason,
          h.actor_role,
          h.actor_ubigeo,
        ])
        .sort(),
    ).toEqual([
      ['planned_end', '2025-06-30', '2026-12-31', 'Se amplió el plazo por lluvias', 'official', ubigeo],
      ['total_cost', '10000000', '9000000', 'Se amplió el plazo por lluvias', 'official', ubigeo],
    ]);
    const page = await request(t.app).get(`/es/presupuesto-participativo/proyectos/${itemId}`).expect(200);
    expect(page.text).toContain('Costo reducido');
    expect(page.text).toContain('Plazo reprogramado 1 vez');
    await scores().recompute({ year: YEAR });
    expect((await scoreOf(ubigeo)).p).toEqual(before.p);
    expect(Number(before.p)).toBe(20);
  });

  it('when an official withdraws a published item or hearing, then it stays public with the reason (and its report), is never deleted, and cannot be edited again', async () => {
    const ubigeo = '130204';
    const a = await official(t, 'a-130204@example.pe', ubigeo);
    const itemId = await createProcessAndItem(t, a, ubigeo);
    const hearingId = await createHearing(t, a, ubigeo);
    const token = await formToken(a, `/es/gestion/${ubigeo}/proyectos/${itemId}`);
    expect((await a.post(`/es/gestion/${ubigeo}/proyectos/${itemId}/retirar`).type('form').send({ _csrf: token, reason: '' })).status).toBe(422);
    await a.post(`/es/gestion/${ubigeo}/proyectos/${itemId}/retirar`).type('form').send({ _csrf: token, reason: 'Duplicado del proyecto 2' }).expect(303);
    await a.post(`/es/gestion/${ubigeo}/audiencias/${hearingId}/retirar`).type('form').send({ _csrf: token, reason: 'Fecha registrada por error' }).expect(303);
    const item = await request(t.app).get(`/es/presupuesto-participativo/proyectos/${itemId}`).expect(200);
    expect(item.text).toContain('Motivo: Duplicado del proyecto 2');
    const hearing = await request(t.app).get(`/es/rendicion-de-cuentas/audiencias/${hearingId}`).expect(200);
    expect(hearing.text).toContain('Motivo: Fecha registrada por error');
    await request(t.app).get(`/es/rendicion-de-cuentas/audiencias/${hearingId}/informe`).expect(200);
    const again = await a
      .post(`/es/gestion/${ubigeo}/proyectos/${itemId}`)
      .type('form')
      .send({ _csrf: token, ...itemForm({ title_es: 'Otro' }), reason: 'x' });
    expect(again.status).toBe(422);
    expect(await t.db('participation_history').where({ entity_id: itemId, kind: 'withdrawn' })).toHaveLength(1);
  });

  it('when a commitment is reprogrammed, then A still judges it against its first due date', async () => {
    const ubigeo = '130205';
    const a = await official(t, 'a-130205@example.pe', ubigeo);
    const hearingId = await createHearing(t, a, ubigeo, '2025-05-20');
    await createCommitment(t, a, ubigeo, hearingId, { due_on: '2025-03-31', status: 'pendiente' });
    await scores().recompute({ year: YEAR });
    const before = await scoreOf(ubigeo);
    const c = await t.db('commitments').where({ ubigeo }).first();
    const token = await formToken(a, `/es/gestion/${ubigeo}/compromisos/${c.id}`);
    await a
      .post(`/es/gestion/${ubigeo}/compromisos/${c.id}`)
      .type('form')
      .send({ _csrf: token, text_es: c.text_es, due_on: '2026-03-31', status: 'cumplido', fulfilled_on: '2025-11-30', reason: 'Reprogramado por falta de presupuesto' })
      .expect(303);
    await scores().recompute({ year: YEAR });
    const after = await scoreOf(ubigeo);
    expect(Number(before.a)).toBe(25); // first window held, second not: 50 × 1/2; the commitment due 2025-03-31 not fulfilled: 0
    expect(Number(after.a)).toBe(25); // fulfilled 2025-11-30, after its baseline: still not on time
  });

  it('when a bulk CSV moves a published planned end, then the row needs a change_reason (else the whole file is refused) and the reason lands in the history', async () => {
    const ubigeo = '130206';
    const a = await official(t, 'a-130206@example.pe', ubigeo);
    const itemId = await createProcessAndItem(t, a, ubigeo, { planned_end: '2025-06-30' });
    const token = await formToken(a, `/es/gestion/${ubigeo}/participacion`);
    const exported = (await request(t.app).get(`/api/v1/participatory-budget/items?ubigeo=${ubigeo}&format=csv`).expect(200)).text;
    expect(exported.split('\n')[0]).toContain('baseline_planned_end');
    const moved = exported.replace(/,2025-06-30,/, ',2025-09-30,');
    const up = async (text: string) =>
      jobResult(
        t,
        a,
        await a.post(`/es/gestion/${ubigeo}/importar`).field('_csrf', token).field('kind', 'items').attach('file', Buffer.from(text), { filename: 'items.csv', contentType: 'text/csv' }),
      );
    const refused = await up(moved);
    expect(refused.status).toBe('rejected');
    expect(refused.text).toContain('escriba el motivo');
    expect(String((await t.db('pb_items').where({ id: itemId }).first()).planned_end)).toContain('2025-06-30');
    const lines = moved.trimEnd().split('\n');
    const withReason = [`${lines[0]},change_reason`, `${lines[1]},Lluvias de marzo`].join('\n') + '\n';
    const ok = await up(withReason);
    expect(ok.status).toBe('done');
    const h = await t.db('participation_history').where({ entity_type: 'pb_item', entity_id: itemId, field: 'planned_end' }).first();
    expect([h.old_value, h.new_value, h.reason, h.actor_role]).toEqual(['2025-06-30', '2025-09-30', 'Lluvias de marzo', 'official']);
  });

  it('when a form with a file carries its CSRF token only in the URL, then 403 and nothing is stored; in the form body it passes', async () => {
    const ubigeo = '130207';
    const a = await official(t, 'a-130207@example.pe', ubigeo);
    const token = await formToken(a, `/es/gestion/${ubigeo}/audiencias/nueva`);
    const inUrl = await a
      .post(`/es/gestion/${ubigeo}/audiencias/nueva?_csrf=${encodeURIComponent(token)}`)
      .field('held_on', '2025-05-02')
      .field('state', 'realizada');
    expect(inUrl.status).toBe(403);
    expect(await t.db('hearings').where({ ubigeo })).toHaveLength(0);
    const inBody = await a.post(`/es/gestion/${ubigeo}/audiencias/nueva`).field('_csrf', token).field('held_on', '2025-05-02').field('state', 'realizada');
    expect(inBody.status).toBe(303);
    expect(inBody.headers.location).not.toContain('_csrf');
  });

  it('when the application is searched for writes to the public record, then it only ever inserts into participation_history', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /participation_history'\)[^;]*\.(update|del|delete|truncate)\(/s.test(fs.readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    walk(path.resolve(__dirname, '../../../src'));
    expect(offenders).toEqual([]);
  });
});
