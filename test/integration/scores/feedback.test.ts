import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { createUser, csrfFrom, formToken, login, loginAdmin, PASSWORD } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { areaIds, insertItem, openForm, rate, resident } from './helpers';

const UBIGEO = '150101';

/** The mean and 95 % t-interval computed here, independently of the app (t quantiles for df 4–6). */
function expectedSummary(xs: number[]) {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const t = { 4: 2.776, 5: 2.571, 6: 2.447 }[n - 1]!;
  return { mean, low: Math.max(1, mean - (t * sd) / Math.sqrt(n)), high: Math.min(5, mean + (t * sd) / Math.sqrt(n)) };
}

eachDialect('feedback (checklist 18, 30) on %s', (dialect) => {
  let t: TestApp;
  let areas: number[];
  beforeAll(async () => {
    t = await createTestApp(dialect);
    areas = await areaIds(t);
  });
  afterAll(async () => t.cleanup());

  it('when the service areas are read, then the six of the design are there as data', async () => {
    const codes = (await t.db('service_areas').select('code').orderBy('sort_order')).map((r: { code: string }) => r.code);
    expect(codes).toEqual(['limpieza_publica', 'seguridad_ciudadana', 'agua_saneamiento', 'vias_transporte', 'parques_areas_verdes', 'atencion_ciudadano']);
  });

  it('when a resident rates twice in the same quarter, then the second rating replaces the first (one row), and no IP is stored', async () => {
    const r = await resident(t);
    expect((await rate(t, r.agent, UBIGEO, areas[0], 2)).status).toBe(303);
    expect((await rate(t, r.agent, UBIGEO, areas[0], 4, { comment: 'Mejoró el recojo' })).status).toBe(303);
    const rows = await t.db('ratings').where({ user_id: r.id });
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].score)).toBe(4);
    // 30: nothing that looks like an address is kept anywhere in the row.
    const columns = Object.keys(rows[0]);
    expect(columns.filter((c) => /ip|addr|agent/i.test(c))).toEqual([]);
    expect(JSON.stringify(rows)).not.toMatch(/127\.0\.0\.1|::1|::ffff/);
    expect(JSON.stringify(await t.db('feedback_comments'))).not.toMatch(/127\.0\.0\.1|::1|::ffff/);
  });

  it('when 20 identical submissions by one resident arrive in parallel, then exactly one row is left (checklist 30)', async () => {
    const r = await resident(t);
    const form = await openForm(r.agent, UBIGEO);
    t.now.ms += 5000;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        r.agent
          .post(`/es/municipalidades/${UBIGEO}/calificar`)
          .type('form')
          .send({ ...form, target: `a${areas[1]}`, score: '3', comment: 'igual' }),
      ),
    );
    expect(results.map((x) => x.status).filter((s) => s !== 303)).toEqual([]);
    const [{ n }] = await t.db('ratings').where({ user_id: r.id }).count({ n: '*' });
    expect(Number(n)).toBe(1);
    const [{ c }] = await t.db('feedback_comments').where({ user_id: r.id }).count({ c: '*' });
    expect(Number(c)).toBe(1);
  });

  it('when the honeypot is filled, the form is posted faster than a human, or the stamp is forged, then the post is refused with 400 and nothing is stored (checklist 30)', async () => {
    const r = await resident(t);
    const url = `/es/municipalidades/${UBIGEO}/calificar`;
    const form = await openForm(r.agent, UBIGEO);
    t.now.ms += 5000;
    const bot = await r.agent
      .post(url)
      .type('form')
      .send({ ...form, target: `a${areas[0]}`, score: '5', website: 'http://spam.example' });
    expect(bot.status).toBe(400);
    const fast = await openForm(r.agent, UBIGEO);
    t.now.ms += 500;
    const tooFast = await r.agent
      .post(url)
      .type('form')
      .send({ ...fast, target: `a${areas[0]}`, score: '5' });
    expect(tooFast.status).toBe(400);
    expect(tooFast.text).toContain('demasiado rápido');
    const forged = await r.agent
      .post(url)
      .type('form')
      .send({ _csrf: form._csrf, started: `${t.now.ms - 60_000}.AAAA`, target: `a${areas[0]}`, score: '5' });
    expect(forged.status).toBe(400);
    const [{ n }] = await t.db('ratings').where({ user_id: r.id }).count({ n: '*' });
    expect(Number(n)).toBe(0);
  });

  it.each([
    ['0', { score: '0' }],
    ['6', { score: '6' }],
    ['3a', { score: '3a' }],
    ['an array', { score: ['3', '4'] }],
    ['an object-like key', { 'score[a]': '3' }],
    ['a 10 kB comment', { score: '3', comment: 'a'.repeat(10_000) }],
    ['an unknown target', { score: '3', target: 'a99999' }],
    ['a target array', { score: '3', target: ['a1', 'a2'] }],
  ])('when the rating form is posted with %s, then it re-renders the form with 422 and a localized message, never 500 (checklist 18)', async (_label, body) => {
    const r = await resident(t);
    for (const lng of ['es', 'en'] as const) {
      const page = await r.agent.get(lng === 'es' ? `/es/municipalidades/${UBIGEO}/calificar` : `/en/municipalities/${UBIGEO}/rate`).expect(200);
      const started = /name="started" value="([^"]+)"/.exec(page.text)![1];
      t.now.ms += 5000;
      const res = await r.agent
        .post(lng === 'es' ? `/es/municipalidades/${UBIGEO}/calificar` : `/en/municipalities/${UBIGEO}/rate`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), started, target: `a${areas[2]}`, ...body });
      expect(res.status).toBe(422);
      expect(res.text).toMatch(lng === 'es' ? /calificación debe ser|comentario puede tener|Elija un servicio|no es válid/ : /rating must be|comment can have|Choose a service|not valid/);
      expect(res.text).not.toMatch(/feedback:errors|ZodError|node_modules|at Object\./);
    }
    const [{ n }] = await t.db('ratings').where({ user_id: r.id }).count({ n: '*' });
    expect(Number(n)).toBe(0);
  });

  it('when fewer than 5 residents rated an area, then nothing is published; at 5, the API gives count, mean and 95 % interval computed as expected', async () => {
    const ubigeo = '150102';
    const scores = [5, 4, 4, 2, 3];
    for (const s of scores.slice(0, 4)) expect((await rate(t, (await resident(t)).agent, ubigeo, areas[3], s)).status).toBe(303);
    const before = await request(t.app).get(`/api/v1/municipalities/${ubigeo}/satisfaction`).expect(200);
    expect(before.body.data).toEqual([]);
    const page = await request(t.app).get(`/es/municipalidades/${ubigeo}/satisfaccion`).expect(200);
    expect(page.text).toContain('Aún no hay suficientes calificaciones');
    expect((await rate(t, (await resident(t)).agent, ubigeo, areas[3], scores[4])).status).toBe(303);
    const after = await request(t.app).get(`/api/v1/municipalities/${ubigeo}/satisfaction`).expect(200);
    const area = after.body.data.find((r: { quarter: number | null; area: string }) => r.quarter === null && r.area === 'vias_transporte');
    const e = expectedSummary(scores);
    expect(area.n).toBe(5);
    expect(area.mean).toBeCloseTo(e.mean, 4);
    expect(area.ci_low).toBeCloseTo(e.low, 3);
    expect(area.ci_high).toBeCloseTo(e.high, 3);
    // Only this municipality is published in the department for this area: μ = its own mean.
    expect(area.shrunk_mean).toBeCloseTo(e.mean, 4);
    const csv = await request(t.app).get(`/api/v1/municipalities/${ubigeo}/satisfaction?format=csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\n')[0]).toContain('ubigeo,year,quarter,area,n,mean');
    const shown = await request(t.app).get(`/en/municipalities/${ubigeo}/satisfaction`).expect(200);
    expect(shown.text).toContain('role="img"');
    expect(shown.text).not.toMatch(/vecino\d+-/); // no author anywhere
  });

  it('when a resident lists and deletes their own feedback, then it is gone; another resident cannot delete it (404)', async () => {
    const a = await resident(t);
    const b = await resident(t);
    await rate(t, a.agent, UBIGEO, areas[4], 1);
    const mine = await a.agent.get('/es/cuenta/opiniones').expect(200);
    expect(mine.text).toContain('Parques y áreas verdes');
    const row = await t.db('ratings').where({ user_id: a.id }).first();
    const bToken = csrfFrom((await b.agent.get('/es/cuenta/opiniones').expect(200)).text);
    expect((await b.agent.post(`/es/cuenta/opiniones/${row.id}/eliminar`).type('form').send({ _csrf: bToken })).status).toBe(404);
    const del = await a.agent
      .post(`/es/cuenta/opiniones/${row.id}/eliminar`)
      .type('form')
      .send({ _csrf: csrfFrom(mine.text) });
    expect(del.status).toBe(303);
    expect(await t.db('ratings').where({ id: row.id }).first()).toBeUndefined();
  });

  it('when a resident deletes their account, then their ratings survive without the user link and their comments are gone', async () => {
    const r = await resident(t);
    await rate(t, r.agent, UBIGEO, areas[5], 5, { comment: 'Muy buena atención' });
    const ratingId = (await t.db('ratings').where({ user_id: r.id }).first()).id;
    const token = await formToken(r.agent, '/es/cuenta');
    const res = await r.agent.post('/es/cuenta/eliminar').type('form').send({ _csrf: token, current_password: PASSWORD, password: PASSWORD, confirm: 'ELIMINAR' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Su cuenta y sus sesiones fueron eliminadas.');
    expect(await t.db('users').where({ id: r.id }).first()).toBeUndefined();
    const kept = await t.db('ratings').where({ id: ratingId }).first();
    expect(kept).toBeDefined();
    expect(kept.user_id).toBeNull();
    expect(Number(kept.score)).toBe(5);
    expect(await t.db('feedback_comments').where({ rating_id: ratingId }).first()).toBeUndefined();
  });

  it('when a comment is pending, then no official (not even of its municipality) can moderate it; a moderator approves exactly the version seen, with a reason, and a later edit goes back to the queue', async () => {
    const r = await resident(t);
    await rate(t, r.agent, '150103', areas[0], 2, { comment: 'Falta recojo en mi calle <script>x</script>' });
    const comment = await t.db('feedback_comments').where({ user_id: r.id }).first();
    expect(comment.status).toBe('pending');
    await createUser(t, 'oficial-150103@example.pe', 'official', '150103');
    const off = (await login(t, 'oficial-150103@example.pe')).agent;
    expect((await off.get('/es/moderacion')).status).toBe(403);
    await createUser(t, 'moderadora@example.pe', 'moderator');
    const mod = (await login(t, 'moderadora@example.pe')).agent;
    const page = await mod.get('/es/moderacion').expect(200);
    expect(page.text).toContain('Falta recojo');
    expect(page.text).not.toContain('<script>x</script>');
    // the resident edits the text after the moderator opened the queue: the old version cannot be approved
    await rate(t, r.agent, '150103', areas[0], 2, { comment: 'Texto cambiado después' });
    const stale = await mod
      .post(`/es/moderacion/comment/${comment.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'publish', version: String(comment.version), reason: 'meets_rules' });
    expect(stale.status).toBe(303);
    expect(stale.headers.location).toContain('done=stale');
    expect((await t.db('feedback_comments').where({ id: comment.id }).first()).status).toBe('pending');
    const fresh = await t.db('feedback_comments').where({ id: comment.id }).first();
    const res = await mod
      .post(`/es/moderacion/comment/${comment.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'publish', version: String(fresh.version), reason: 'meets_rules' });
    expect(res.status).toBe(303);
    const pub = await request(t.app).get('/es/municipalidades/150103/satisfaccion').expect(200);
    expect(pub.text).toContain('Texto cambiado después');
    expect(pub.text).not.toContain(r.email);
    const audit = await t.db('audit_log').where({ action: 'moderation.comment.publish', entity_id: String(comment.id) });
    expect(audit).toHaveLength(1);
    // the municipality answers in public (it never moderates)
    const answers = await off.get('/es/gestion/150103/comentarios').expect(200);
    expect(answers.text).toContain('Texto cambiado después');
    await off
      .post(`/es/gestion/150103/comentarios/${comment.id}/respuesta`)
      .type('form')
      .send({ _csrf: csrfFrom(answers.text), answer: 'El recojo se reforzará desde el lunes.' })
      .expect(303);
    expect((await request(t.app).get('/es/municipalidades/150103/satisfaccion').set('Cache-Control', 'no-cache').expect(200)).text).toContain('El recojo se reforzará desde el lunes.');
    await createUser(t, 'oficial-otra-150104@example.pe', 'official', '150104');
    const other = (await login(t, 'oficial-otra-150104@example.pe')).agent;
    expect((await other.get('/es/gestion/150103/comentarios')).status).toBe(404);
  });

  it('when a moderator hides a comment, then the satisfaction page keeps a placeholder with the reason category and never the text; a decision without a catalogue reason is refused', async () => {
    const r = await resident(t);
    await rate(t, r.agent, '150104', areas[0], 3, { comment: 'Mi vecino Juan Pérez, DNI 12345678, no paga' });
    const comment = await t.db('feedback_comments').where({ user_id: r.id, ubigeo: '150104' }).first();
    await createUser(t, 'moderador2@example.pe', 'moderator');
    const mod = (await login(t, 'moderador2@example.pe')).agent;
    const page = await mod.get('/es/moderacion').expect(200);
    expect(
      (
        await mod
          .post(`/es/moderacion/comment/${comment.id}`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), decision: 'hide', version: String(comment.version), reason: 'meets_rules' })
      ).status,
    ).toBe(422);
    await mod
      .post(`/es/moderacion/comment/${comment.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'hide', version: String(comment.version), reason: 'personal_data' })
      .expect(303);
    const pub = await request(t.app).get('/es/municipalidades/150104/satisfaccion').expect(200);
    expect(pub.text).not.toContain('12345678');
    expect(pub.text).toContain('Contenido ocultado por moderación (motivo: Datos personales)');
  });
});

eachDialect('feedback: items, limits and service areas on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { feedbackLimits: { ratingsPerHour: 3 } });
  });
  afterAll(async () => t.cleanup());

  it('when a resident rates a finished PB item with "delivered", then it is stored; an example or unfinished item is refused with 422', async () => {
    const done = await insertItem(t, { ubigeo: '150105', year: 2025, total_cost: 1000, planned_end: '2025-06-30', status: 'culminado', progress_pct: 100, title: 'Losa deportiva' });
    const example = await insertItem(t, { ubigeo: '150105', year: 2025, total_cost: 1000, planned_end: '2025-06-30', status: 'culminado', progress_pct: 100, is_example: true, title: 'Ejemplo' });
    const running = await insertItem(t, { ubigeo: '150105', year: 2025, total_cost: 1000, planned_end: '2025-06-30', status: 'en_ejecucion', progress_pct: 10, title: 'En obra' });
    const r = await resident(t);
    const page = await r.agent.get('/es/municipalidades/150105/calificar').expect(200);
    expect(page.text).toContain('Losa deportiva');
    expect(page.text).not.toContain('Ejemplo');
    expect((await rate(t, r.agent, '150105', 0, 4, { target: `p${done}`, delivered: 'yes' })).status).toBe(303);
    const row = await t.db('ratings').where({ user_id: r.id, pb_item_id: done }).first();
    expect(Boolean(Number(row.delivered))).toBe(true);
    // Four more residents: at five the item's figures are published (3 of 5 say delivered).
    for (const [score, delivered] of [
      [2, 'no'],
      [3, 'yes'],
      [5, 'yes'],
      [1, 'no'],
    ] as const)
      expect((await rate(t, (await resident(t)).agent, '150105', 0, score, { target: `p${done}`, delivered })).status).toBe(303);
    const year = new Date(t.now.ms - 5 * 3600_000).getUTCFullYear();
    const api = await request(t.app).get(`/api/v1/municipalities/150105/satisfaction?year=${year}`).expect(200);
    const item = api.body.data.find((x: { area: string }) => x.area === `pb_item:${done}`);
    expect(item.n).toBe(5);
    expect(item.mean).toBeCloseTo((4 + 2 + 3 + 5 + 1) / 5, 4);
    const page2 = await request(t.app).get(`/es/municipalidades/150105/satisfaccion?year=${year}`).expect(200);
    expect(page2.text).toContain('60 %');
    expect((await rate(t, r.agent, '150105', 0, 4, { target: `p${example}` })).status).toBe(422);
    expect((await rate(t, (await resident(t)).agent, '150105', 0, 4, { target: `p${running}` })).status).toBe(422);
  });

  it('when a resident posts more ratings than the per-account limit, then the next one gets 429', async () => {
    const r = await resident(t);
    const [a] = await areaIds(t);
    for (let i = 0; i < 3; i++) expect((await rate(t, r.agent, '150106', a, 3)).status).toBe(303);
    expect((await rate(t, r.agent, '150106', a, 3)).status).toBe(429);
  });

  it('when an admin adds and renames a service area, then the form offers it, each change is audited, and a bad code gets 422', async () => {
    const admin = await loginAdmin(t, `admin-areas-${dialect}@example.pe`);
    const page = await admin.get('/es/admin/areas').expect(200);
    const bad = await admin
      .post('/es/admin/areas')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: 'Alumbrado Público', name_es: 'Alumbrado público', active: '1' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('El código debe tener');
    const ok = await admin
      .post('/es/admin/areas')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: 'alumbrado_publico', name_es: 'Alumbrado público', name_en: 'Street lighting', active: '1', sort_order: '7' });
    expect(ok.status).toBe(303);
    const dup = await admin
      .post('/es/admin/areas')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: 'alumbrado_publico', name_es: 'Otra', active: '1' });
    expect(dup.status).toBe(422);
    const area = await t.db('service_areas').where({ code: 'alumbrado_publico' }).first();
    const r = await resident(t);
    expect((await r.agent.get('/en/municipalities/150101/rate').expect(200)).text).toContain('Street lighting');
    await admin
      .post('/es/admin/areas')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), id: String(area.id), code: 'alumbrado_publico', name_es: 'Alumbrado', sort_order: '7' });
    expect(Boolean(Number((await t.db('service_areas').where({ id: area.id }).first()).active))).toBe(false);
    expect((await r.agent.get('/es/municipalidades/150101/calificar').expect(200)).text).not.toContain('Alumbrado');
    const actions = (await t.db('audit_log').where('action', 'like', 'feedback.area.%').orderBy('id')).map((e: { action: string }) => e.action);
    expect(actions).toEqual(['feedback.area.create', 'feedback.area.update']);
  });
});
