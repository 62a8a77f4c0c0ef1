import request from 'supertest';
import { currentPhase, prioritise, residentActions } from '../../../src/modules/participation/participation.rules';
import { readPabulib } from '../../../src/modules/participation/participation.pabulib';
import { createTestApp, TestApp } from '../../helpers/app';
import { Agent, csrfFrom, formToken } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { official, signedIn } from '../../helpers/participation';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('participatory budget rules (pure)', () => {
  const p = {
    preparacion_start: '2025-03-01',
    preparacion_end: '2025-03-31',
    concertacion_start: '2025-04-01',
    concertacion_end: '2025-04-30',
    coordinacion_start: '2025-05-10',
    coordinacion_end: null,
  };
  it('when the day falls on the edges of the phases, then the current phase is the one whose dates include it, with before, between and undated', () => {
    expect(currentPhase(p, '2025-02-28')).toBe('before');
    expect(currentPhase(p, '2025-03-01')).toBe('preparacion');
    expect(currentPhase(p, '2025-03-31')).toBe('preparacion');
    expect(currentPhase(p, '2025-04-01')).toBe('concertacion');
    expect(currentPhase(p, '2025-05-05')).toBe('between');
    expect(currentPhase(p, '2026-01-01')).toBe('coordinacion'); // open end
    expect(currentPhase({ ...p, coordinacion_end: '2025-05-31' }, '2025-06-01')).toBe('after');
    expect(currentPhase({}, '2025-06-01')).toBe('undated');
  });
  it('when a phase is current, then residents propose only in preparación and vote only in concertación', () => {
    expect(residentActions('preparacion')).toEqual({ propose: true, support: true, vote: false, resultsFinal: false });
    expect(residentActions('concertacion')).toEqual({ propose: false, support: false, vote: true, resultsFinal: false });
    expect(residentActions('coordinacion').resultsFinal).toBe(true);
    expect(residentActions('before')).toEqual({ propose: false, support: false, vote: false, resultsFinal: false });
  });
  it('when ballot and workshop disagree, then both shares weigh the same and winners are taken greedily within the envelope', () => {
    // 10 ballots: A on 8, B on 2, C on 5; workshop 50 votes: A 5, B 40, C 5.
    // scores: A .8+.1=.9, B .2+.8=1.0, C .5+.1=.6. Envelope 100: B (60) fits, A (50) does not fit, C (40) fits.
    const r = prioritise(
      [
        { id: 1, cost: 50, ballots: 8, workshop: 5 },
        { id: 2, cost: 60, ballots: 2, workshop: 40 },
        { id: 3, cost: 40, ballots: 5, workshop: 5 },
      ],
      100,
      10,
    );
    expect(r.ranked.map((x) => [x.id, x.rank, x.wins])).toEqual([
      [2, 1, true],
      [1, 2, false],
      [3, 3, true],
    ]);
    expect(r.spent).toBe(100);
  });
});

eachDialect(
  'residents propose, officials review, residents vote, on %s',
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect);
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    const UBIGEO = '130105';
    const base = `/es/presupuesto-participativo/${UBIGEO}/2025`;
    let off: Agent;
    let mod: Agent;
    let residents: Agent[];

    const setPhase = async (phase: 'preparacion' | 'concertacion' | 'coordinacion') => {
      const order = ['preparacion', 'concertacion', 'coordinacion'];
      const i = order.indexOf(phase);
      const dates: Record<string, string> = {};
      order.forEach((ph, j) => {
        dates[`${ph}_start`] = day((j - i) * 30 - 10);
        dates[`${ph}_end`] = day((j - i) * 30 + 10);
      });
      await t.db('pb_processes').where({ ubigeo: UBIGEO, year: 2025 }).update(dates);
    };
    const propose = async (agent: Agent, over: Record<string, string> = {}) => {
      const token = await formToken(agent, `${base}/propuestas/nueva`);
      return agent
        .post(`${base}/propuestas/nueva`)
        .type('form')
        .send({
          _csrf: token,
          title_es: 'Losa deportiva en Alto Perú',
          title_en: '',
          body: 'Una losa con iluminación para los jóvenes del barrio.',
          body_en: '',
          location: 'Jr. Los Olivos 120',
          estimated_cost: '80000',
          beneficiaries: '900',
          social_gap: 'No hay espacios de deporte a menos de 2 km.',
          website: '',
          ...over,
        });
    };
    const publish = async (id: number) => {
      const queue = await mod.get('/es/moderacion').expect(200);
      const row = await t.db('pb_proposals').where({ id }).first();
      await mod
        .post(`/es/moderacion/proposal/${id}`)
        .type('form')
        .send({ _csrf: csrfFrom(queue.text), decision: 'publish', version: String(row.version), reason: 'meets_rules' })
        .expect(303);
    };
    const review = async (id: number, f: Record<string, string>) => {
      const page = await off.get(`/es/gestion/${UBIGEO}/propuestas/2025`).expect(200);
      return off
        .post(`/es/gestion/${UBIGEO}/propuestas/2025/revision/${id}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), ...f });
    };
    const ids: number[] = [];

    beforeAll(async () => {
      off = await official(t, `off-${UBIGEO}@example.pe`, UBIGEO);
      const token = await formToken(off, `/es/gestion/${UBIGEO}/procesos/nuevo`);
      await off.post(`/es/gestion/${UBIGEO}/procesos/nuevo`).type('form').send({ _csrf: token, year: '2025', budget_envelope: '100000' }).expect(303);
      mod = await signedIn(t, `mod-${dialect}@example.pe`, 'moderator');
      residents = [];
      for (let i = 0; i < 3; i++) residents.push(await signedIn(t, `vecino${i}-${UBIGEO}@example.pe`, 'resident'));
      await setPhase('preparacion');
    });

    it('when a resident proposes in the preparation phase, then it waits for a neutral moderator (not the officials) and is then public and can be supported once and followed', async () => {
      const res = await propose(residents[0]);
      expect(res.status).toBe(303);
      const row = await t.db('pb_proposals').where({ ubigeo: UBIGEO }).orderBy('id', 'desc').first();
      expect(row.status).toBe('pending');
      ids.push(Number(row.id));
      expect((await request(t.app).get(`${base}/propuestas`).expect(200)).text).not.toContain('Losa deportiva');
      await request(t.app).get(`/es/presupuesto-participativo/propuestas/${row.id}`).expect(404);

      // The municipality's official cannot moderate it.
      const page = await off.get(`/es/gestion/${UBIGEO}/participacion`).expect(200);
      expect(
        (
          await off
            .post(`/es/moderacion/proposal/${row.id}`)
            .type('form')
            .send({ _csrf: csrfFrom(page.text), decision: 'publish', version: '1', reason: 'meets_rules' })
        ).status,
      ).toBe(403);
      const queue = (await mod.get('/es/moderacion').expect(200)).text;
      for (const text of ['Losa deportiva en Alto Perú', 'Una losa con iluminación', 'Jr. Los Olivos 120', 'No hay espacios de deporte']) expect(queue).toContain(text);
      await publish(Number(row.id));
      const list = await request(t.app).get(`${base}/propuestas`).expect(200);
      expect(list.text).toContain('Losa deportiva en Alto Perú');

      const show = await residents[1].get(`/es/presupuesto-participativo/propuestas/${row.id}`).expect(200);
      for (let i = 0; i < 2; i++)
        await residents[1]
          .post(`/es/presupuesto-participativo/propuestas/${row.id}/apoyo`)
          .type('form')
          .send({ _csrf: csrfFrom(show.text) })
          .expect(303);
      expect(await t.db('pb_proposal_supports').where({ proposal_id: row.id })).toHaveLength(1);
      await residents[1]
        .post('/es/seguir')
        .type('form')
        .send({ _csrf: csrfFrom(show.text), entity_type: 'pb_proposal', entity_id: String(row.id) });
      expect(await t.db('follows').where({ entity_type: 'pb_proposal', entity_id: String(row.id) })).toHaveLength(1);

      // A second and a third proposal, for the review and the ballot.
      await propose(residents[1], { title_es: 'Parque con juegos', estimated_cost: '50000' }).then((r) => expect(r.status).toBe(303));
      await propose(residents[2], { title_es: 'Puente colgante al cerro', estimated_cost: '900000' }).then((r) => expect(r.status).toBe(303));
      const more = await t.db('pb_proposals').where({ ubigeo: UBIGEO, status: 'pending' }).orderBy('id');
      for (const m of more) {
        ids.push(Number(m.id));
        await publish(Number(m.id));
      }
    });

    it('when a form comes with the honeypot filled or bad values, then 400 or a localized 422 and nothing is stored', async () => {
      const before = (await t.db('pb_proposals')).length;
      expect((await propose(residents[0], { website: 'http://spam.example' })).status).toBe(400);
      const bad = await propose(residents[0], { estimated_cost: 'mucho', title_es: '' });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Este campo es obligatorio');
      expect((await t.db('pb_proposals')).length).toBe(before);
    });

    it('when an account without a confirmed email proposes, or an official posts as a resident, then it is refused and nothing is stored', async () => {
      const before = (await t.db('pb_proposals')).length;
      const unconfirmed = await signedIn(t, `sin-confirmar-${UBIGEO}@example.pe`, 'resident');
      await t
        .db('users')
        .where({ email: `sin-confirmar-${UBIGEO}@example.pe` })
        .update({ email_confirmed_at: null });
      const res = await propose(unconfirmed);
      expect(res.status).toBe(403);
      expect(res.text).toContain('Confirme su correo');
      const page = await off.get(`/es/gestion/${UBIGEO}/participacion`).expect(200);
      expect(
        (
          await off
            .post(`${base}/propuestas/nueva`)
            .type('form')
            .send({ _csrf: csrfFrom(page.text), title_es: 'x' })
        ).status,
      ).toBe(403);
      expect((await t.db('pb_proposals')).length).toBe(before);
    });

    it('when officials review, then feasible needs a cost, unfeasible stays public with its reason, and a change goes to the public history with the reason', async () => {
      expect((await review(ids[0], { feasibility: 'feasible', reason: 'Terreno municipal saneado.', reviewed_cost: '' })).status).toBe(422);
      expect((await review(ids[0], { feasibility: 'feasible', reason: 'Terreno municipal saneado.', reviewed_cost: '60000' })).status).toBe(303);
      expect((await review(ids[1], { feasibility: 'feasible', reason: 'Viable con ajustes.', reviewed_cost: '30000' })).status).toBe(303);
      expect((await review(ids[2], { feasibility: 'unfeasible', reason: 'El cerro es zona de riesgo no mitigable.' })).status).toBe(303);
      const pub = await request(t.app).get(`/es/presupuesto-participativo/propuestas/${ids[2]}`).expect(200);
      expect(pub.text).toContain('No viable');
      expect(pub.text).toContain('El cerro es zona de riesgo no mitigable.');
      expect((await review(ids[1], { feasibility: 'feasible', reason: 'El expediente actualizó el costo.', reviewed_cost: '35000' })).status).toBe(303);
      const h = await t.db('participation_history').where({ entity_type: 'pb_proposal', entity_id: ids[1], field: 'reviewed_cost' }).orderBy('id');
      expect(h.map((r) => [r.old_value, r.new_value, r.reason])).toEqual([
        [null, '3000000', 'Viable con ajustes.'],
        ['3000000', '3500000', 'El expediente actualizó el costo.'],
      ]);
      // Another municipality's official cannot review it.
      const other = await official(t, 'off-130106@example.pe', '130106');
      const page = await other.get('/es/gestion/130106/participacion').expect(200);
      expect(
        (
          await other
            .post(`/es/gestion/${UBIGEO}/propuestas/2025/revision/${ids[0]}`)
            .type('form')
            .send({ _csrf: csrfFrom(page.text), feasibility: 'unfeasible', reason: 'x' })
        ).status,
      ).toBe(404);
    });

    it('when residents vote in the agreement phase, then only feasible choices within the envelope, once per resident: 50 parallel ballots by one resident leave one', async () => {
      expect((await residents[0].get(`${base}/votacion`).expect(200)).text).toContain('no está abierta');
      await setPhase('concertacion');
      expect((await propose(residents[0])).status).toBe(403); // proposals are closed now
      const form = await residents[0].get(`${base}/votacion`).expect(200);
      expect(form.text).toContain('Losa deportiva en Alto Perú');
      expect(form.text).not.toContain('Puente colgante'); // unfeasible: not on the ballot
      const token = csrfFrom(form.text);
      // 60 000 + 35 000 = 95 000 ≤ 100 000 fits; the unfeasible one is refused; nothing chosen is refused.
      expect(
        (
          await residents[0]
            .post(`${base}/votacion`)
            .type('form')
            .send({ _csrf: token, choice: [String(ids[0]), String(ids[2])] })
        ).status,
      ).toBe(422);
      expect((await residents[0].post(`${base}/votacion`).type('form').send({ _csrf: token })).status).toBe(422);
      expect(await t.db('pb_ballots')).toHaveLength(0);
      await t.db('pb_processes').where({ ubigeo: UBIGEO, year: 2025 }).update({ budget_envelope: 9_000_000 });
      const over = await residents[0]
        .post(`${base}/votacion`)
        .type('form')
        .send({ _csrf: token, choice: [String(ids[0]), String(ids[1])] });
      expect(over.status).toBe(422);
      expect(over.text).toContain('cuestan más que el monto disponible');
      await t.db('pb_processes').where({ ubigeo: UBIGEO, year: 2025 }).update({ budget_envelope: 10_000_000 });

      const posts = await Promise.all(
        Array.from({ length: 50 }, () =>
          residents[0]
            .post(`${base}/votacion`)
            .type('form')
            .send({ _csrf: token, choice: [String(ids[0]), String(ids[1])] }),
        ),
      );
      const statuses = posts.map((r) => r.status);
      expect(statuses.filter((s) => s === 303)).toHaveLength(1);
      expect(statuses.filter((s) => s !== 303 && s !== 409)).toEqual([]);
      const process = await t.db('pb_processes').where({ ubigeo: UBIGEO, year: 2025 }).first();
      expect(await t.db('pb_ballots').where({ process_id: process.id })).toHaveLength(1);
      expect(await t.db('pb_ballot_choices')).toHaveLength(2);
      expect((await residents[0].get(`${base}/votacion`).expect(200)).text).toContain('Ya votó en este proceso');

      const t1 = csrfFrom((await residents[1].get(`${base}/votacion`).expect(200)).text);
      await residents[1]
        .post(`${base}/votacion`)
        .type('form')
        .send({ _csrf: t1, choice: String(ids[0]), resident: '1' })
        .expect(303);
    });

    it('when the official enters the workshop tally, then a published tally changes only with a public reason, and the results show both counts and the winners, which become items linked both ways', async () => {
      const tally = async (f: Record<string, string>) => {
        const page = await off.get(`/es/gestion/${UBIGEO}/propuestas/2025`).expect(200);
        return off
          .post(`/es/gestion/${UBIGEO}/propuestas/2025/taller`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), ...f });
      };
      expect((await tally({ [`votes_${ids[0]}`]: '12', [`votes_${ids[1]}`]: '30' })).status).toBe(303);
      expect((await tally({ [`votes_${ids[1]}`]: 'muchos' })).status).toBe(422);
      expect((await tally({ [`votes_${ids[1]}`]: '31' })).status).toBe(422); // a correction without a reason
      expect((await tally({ [`votes_${ids[1]}`]: '31', reason: 'Se contó un acta tarde.' })).status).toBe(303);
      const h = await t.db('participation_history').where({ entity_type: 'pb_proposal', entity_id: ids[1], field: 'workshop_votes' }).orderBy('id');
      expect(h.map((r) => [r.old_value, r.new_value, r.reason])).toEqual([
        [null, '30', null],
        ['30', '31', 'Se contó un acta tarde.'],
      ]);

      // Ballots: A (ids[0]) on 2 of 2, B (ids[1]) on 1 of 2; workshop A 12, B 31 of 43.
      // Scores: A 1 + 12/43 ≈ 1.279, B 0.5 + 31/43 ≈ 1.221; envelope 100 000: A (60 000) then B (35 000) both fit.
      const res = await request(t.app).get(`${base}/resultados`).expect(200);
      const row = (id: number) => new RegExp(`data-proposal="${id}"[\\s\\S]*?class="online">(\\d+)<[\\s\\S]*?class="workshop">(\\d+)<[\\s\\S]*?class="outcome">([^<]+)`).exec(res.text)!;
      expect(row(ids[0]).slice(1, 4)).toEqual(['2', '12', 'Ganadora']);
      expect(row(ids[1]).slice(1, 4)).toEqual(['1', '31', 'Ganadora']);
      expect(res.text).toMatch(/class="ballots-cast">2</);
      expect(res.text).toMatch(/class="workshop-total">43</);
      // Declared residents are counted apart: one of the two ballots, and it chose A only.
      expect(res.text).toMatch(/class="ballots-declared">1</);
      expect(new RegExp(`data-proposal="${ids[0]}"[\\s\\S]*?class="declared">1<`).test(res.text)).toBe(true);
      expect(new RegExp(`data-proposal="${ids[1]}"[\\s\\S]*?class="declared">0<`).test(res.text)).toBe(true);

      const page = await off.get(`/es/gestion/${UBIGEO}/propuestas/2025`).expect(200);
      await off
        .post(`/es/gestion/${UBIGEO}/propuestas/2025/priorizar`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303);
      await off
        .post(`/es/gestion/${UBIGEO}/propuestas/2025/priorizar`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303); // twice: no duplicates
      const items = await t.db('pb_items').where({ ubigeo: UBIGEO }).orderBy('priority');
      expect(items.map((i) => [i.title_es, Number(i.total_cost), Number(i.priority)])).toEqual([
        ['Losa deportiva en Alto Perú', 6_000_000, 1],
        ['Parque con juegos', 3_500_000, 2],
      ]);
      const proposal = await t.db('pb_proposals').where({ id: ids[0] }).first();
      expect(Number(proposal.item_id)).toBe(Number(items[0].id));
      const itemPage = await request(t.app).get(`/es/presupuesto-participativo/proyectos/${items[0].id}`).expect(200);
      expect(itemPage.text).toContain(`/es/presupuesto-participativo/propuestas/${ids[0]}`);
      const proposalPage = await request(t.app).get(`/es/presupuesto-participativo/propuestas/${ids[0]}`).expect(200);
      expect(proposalPage.text).toContain(`/es/presupuesto-participativo/proyectos/${items[0].id}`);
    });

    it('when the process is exported in the Pabulib format, then re-reading the file gives the same projects, costs, ballots and totals', async () => {
      const res = await request(t.app).get(`${base}/pabulib`).expect(200);
      expect(res.headers['content-disposition']).toContain('.pb');
      const pb = readPabulib(res.text);
      expect(pb.meta.vote_type).toBe('approval');
      expect(Number(pb.meta.budget)).toBe(100_000);
      expect(Number(pb.meta.num_projects)).toBe(pb.projects.length);
      expect(Number(pb.meta.num_votes)).toBe(pb.votes.length);
      const process = await t.db('pb_processes').where({ ubigeo: UBIGEO, year: 2025 }).first();
      const ballots = await t.db('pb_ballots').where({ process_id: process.id });
      expect(pb.votes).toHaveLength(ballots.length);
      const choices = await t.db('pb_ballot_choices as c').join('pb_ballots as b', 'b.id', 'c.ballot_id').where('b.process_id', process.id).select('c.proposal_id');
      expect(pb.votes.flatMap((v) => v.vote).length).toBe(choices.length);
      // Each project's votes equal the times it appears in VOTES, and the database's count.
      for (const p of pb.projects) {
        expect(pb.votes.filter((v) => v.vote.includes(p.project_id)).length).toBe(p.votes);
        expect(choices.filter((c) => String(c.proposal_id) === p.project_id).length).toBe(p.votes);
      }
      expect(pb.projects.map((p) => [Number(p.project_id), p.cost]).sort()).toEqual(
        [
          [ids[0], 60_000],
          [ids[1], 35_000],
        ].sort(),
      );
      // No account appears: voter ids are 1…n.
      expect(pb.votes.map((v) => v.voter_id)).toEqual(pb.votes.map((_, i) => String(i + 1)));
    });
  },
  120_000,
);
