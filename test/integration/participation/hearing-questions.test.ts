import request from 'supertest';
import { questionsDeadline, questionsOpen } from '../../../src/modules/participation/participation.rules';
import { createTestApp, TestApp } from '../../helpers/app';
import { csrfFrom } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { createHearing, official, signedIn } from '../../helpers/participation';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('questions to a hearing (pure)', () => {
  it('when the day is around the deadline, then questions are taken until the day before a convened hearing, never for a held, cancelled or withdrawn one', () => {
    expect(questionsDeadline('2025-03-01')).toBe('2025-02-28');
    const h = { state: 'convocada', held_on: '2025-05-20' };
    expect(questionsOpen(h, '2025-05-19')).toBe(true);
    expect(questionsOpen(h, '2025-05-20')).toBe(false);
    expect(questionsOpen({ ...h, state: 'realizada' }, '2025-05-01')).toBe(false);
    expect(questionsOpen({ ...h, withdrawn_at: '2025-04-01T00:00:00.000Z' }, '2025-05-01')).toBe(false);
  });
});

eachDialect(
  'hearings take questions on %s',
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect);
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('when a resident asks before a convened hearing, then a moderator publishes it, it shows under its topic, the official records the answer and the unanswered are counted', async () => {
      const ubigeo = '130107';
      const off = await official(t, `off-q-${ubigeo}@example.pe`, ubigeo);
      const hearingId = await createHearing(t, off, ubigeo, day(10), 'convocada');
      const url = `/es/rendicion-de-cuentas/audiencias/${hearingId}`;
      const res = await signedIn(t, `vecino-q-${ubigeo}@example.pe`, 'resident');
      const page = await res.get(url).expect(200);
      expect(page.text).toContain('Puede enviar preguntas hasta el');
      const token = csrfFrom(page.text);
      const ask = (body: Record<string, string>) =>
        res
          .post(`${url}/preguntas`)
          .type('form')
          .send({ _csrf: token, topic: 'obras', website: '', ...body });
      expect((await ask({ body: 'corta' })).status).toBe(422);
      expect((await ask({ body: '¿Cuándo termina la obra del mercado?', topic: 'nada' })).status).toBe(422);
      expect((await ask({ body: '¿Cuándo termina la obra del mercado?', website: 'x' })).status).toBe(400);
      await ask({ body: '¿Cuándo termina la obra del mercado?' }).then((r) => expect(r.status).toBe(303));
      await ask({ body: '¿Por qué subió el arbitrio de limpieza?', topic: 'ambiente' }).then((r) => expect(r.status).toBe(303));
      const rows = await t.db('hearing_questions').where({ hearing_id: hearingId }).orderBy('id');
      expect(rows.map((r) => r.status)).toEqual(['pending', 'pending']);
      expect((await request(t.app).get(url).expect(200)).text).not.toContain('obra del mercado');

      const mod = await signedIn(t, `mod-q-${dialect}@example.pe`, 'moderator');
      const queue = await mod.get('/es/moderacion').expect(200);
      expect(queue.text).toContain('obra del mercado');
      for (const r of rows)
        await mod
          .post(`/es/moderacion/question/${r.id}`)
          .type('form')
          .send({ _csrf: csrfFrom(queue.text), decision: 'publish', version: '1', reason: 'meets_rules' })
          .expect(303);
      const pub = await request(t.app).get(url).expect(200);
      expect(pub.text).toMatch(/<h3>Obras<\/h3>\s*<ul class="questions">[\s\S]*obra del mercado/);
      expect(pub.text).toMatch(/<h3>Ambiente y limpieza<\/h3>\s*<ul class="questions">[\s\S]*arbitrio de limpieza/);
      expect(pub.text).toContain('2 preguntas publicadas, 2 sin respuesta.');

      // After the deadline: no more questions.
      await t
        .db('hearings')
        .where({ id: hearingId })
        .update({ held_on: day(-1), state: 'realizada' });
      expect((await ask({ body: '¿Y la obra del colegio cuándo empieza?' })).status).toBe(403);

      // The official answers one, at the hearing; another municipality's official cannot.
      const manage = await off.get(`/es/gestion/${ubigeo}/audiencias/${hearingId}`).expect(200);
      expect(manage.text).toContain('obra del mercado');
      await off
        .post(`/es/gestion/${ubigeo}/preguntas/${rows[0].id}/respuesta`)
        .type('form')
        .send({ _csrf: csrfFrom(manage.text), answer: 'La obra termina en octubre; el contratista entregó el cronograma.' })
        .expect(303);
      const other = await official(t, `off-q-130108@example.pe`, '130108');
      const otherPage = await other.get('/es/gestion/130108/participacion').expect(200);
      expect(
        (
          await other
            .post(`/es/gestion/130108/preguntas/${rows[1].id}/respuesta`)
            .type('form')
            .send({ _csrf: csrfFrom(otherPage.text), answer: 'No corresponde.' })
        ).status,
      ).toBe(404);
      const after = await request(t.app).get(url).expect(200);
      expect(after.text).toContain('La obra termina en octubre; el contratista entregó el cronograma.');
      expect(after.text).toContain('2 preguntas publicadas, 1 sin respuesta.');
      expect(after.text).toContain('Ya no se reciben preguntas para esta audiencia.');
      expect(await t.db('audit_log').where({ action: 'hearing_question.answer', entity_id: String(rows[0].id) })).toHaveLength(1);
    });
  },
  120_000,
);
