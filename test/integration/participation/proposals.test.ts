import crypto from 'node:crypto';
import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import request from 'supertest';
import { commentsSince } from '../../../src/modules/participation/participation.proposal-queries';
import { currentPhase, prioritise, residentActions } from '../../../src/modules/participation/participation.rules';
import { readPabulib } from '../../../src/modules/participation/participation.pabulib';
import { createTestApp, TestApp } from '../../helpers/app';
import { Agent, csrfFrom, formToken } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { official, PDF, signedIn } from '../../helpers/participation';

const ACT = Buffer.concat([PDF, Buffer.from('% acta del taller, primera versión\n')]);

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
    /** The workshop tally form (multipart, as the browser sends it), with the act when given. */
    const tally = async (f: Record<string, string>, act?: Buffer) => {
      const page = await off.get(`/es/gestion/${UBIGEO}/propuestas/2025`).expect(200);
      let req = off.post(`/es/gestion/${UBIGEO}/propuestas/2025/taller`).field('_csrf', csrfFrom(page.text));
      for (const [k, v] of Object.entries(f)) req = req.field(k, v);
      if (act) req = req.attach('act', act, 'acta-taller.pdf');
      return req;
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
      // The first tally needs the workshop's act (a PDF): without it, or with a file that is not a PDF, nothing is stored.
      expect((await tally({ [`votes_${ids[0]}`]: '12', [`votes_${ids[1]}`]: '30' })).status).toBe(422);
      expect((await tally({ [`votes_${ids[0]}`]: '12' }, Buffer.from('<html>no</html>'))).status).toBe(422);
      expect(await t.db('pb_workshop_acts')).toHaveLength(0);
      expect((await t.db('pb_proposals').where({ ubigeo: UBIGEO }).whereNotNull('workshop_votes')).length).toBe(0);
      expect((await tally({ [`votes_${ids[0]}`]: '12', [`votes_${ids[1]}`]: '30' }, ACT)).status).toBe(303);
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
    /** A moderator's decision on one row of the queue (the version read from the row, as the queue's form carries it). */
    const decide = async (type: string, table: string, id: number, decision: 'publish' | 'hide', reason: string) => {
      const queue = await mod.get('/es/moderacion').expect(200);
      const row = await t.db(table).where({ id }).first();
      return mod
        .post(`/es/moderacion/${type}/${id}`)
        .type('form')
        .send({ _csrf: csrfFrom(queue.text), decision, version: String(row.version), reason });
    };
    const comment = async (agent: Agent, id: number, body: string, over: Record<string, string> = {}) => {
      const url = `/es/presupuesto-participativo/propuestas/${id}`;
      const page = await agent.get(url).expect(200);
      return agent
        .post(`${url}/comentarios`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), body, website: '', ...over });
    };

    it('when residents comment on a published proposal, then each waits for a neutral moderator, is public once published (newest last, counted), a hidden one leaves its placeholder, and published ones can be flagged and listed by time', async () => {
      const url = `/es/presupuesto-participativo/propuestas/${ids[0]}`;
      const count = async () => (await t.db('pb_proposal_comments').where({ proposal_id: ids[0] })).length;
      expect((await comment(residents[1], ids[0], 'Muy necesaria para los jóvenes del barrio.')).status).toBe(303);
      // Honeypot: 400; too short: localized 422 with the text kept; nothing stored.
      expect((await comment(residents[1], ids[0], 'Otro comentario', { website: 'http://spam.example' })).status).toBe(400);
      const short = await comment(residents[1], ids[0], 'a');
      expect(short.status).toBe(422);
      expect(short.text).toContain('El comentario debe tener al menos 3 caracteres.');
      expect(await count()).toBe(1);
      // An unconfirmed account and an official cannot comment.
      const unconfirmed = await signedIn(t, `sin-confirmar-com-${UBIGEO}@example.pe`, 'resident');
      await t
        .db('users')
        .where({ email: `sin-confirmar-com-${UBIGEO}@example.pe` })
        .update({ email_confirmed_at: null });
      expect((await comment(unconfirmed, ids[0], 'Comentario sin correo confirmado.')).status).toBe(403);
      const offPage = await off.get(`/es/gestion/${UBIGEO}/participacion`).expect(200);
      expect(
        (
          await off
            .post(`${url}/comentarios`)
            .type('form')
            .send({ _csrf: csrfFrom(offPage.text), body: 'La municipalidad opina.' })
        ).status,
      ).toBe(403);
      expect(await count()).toBe(1);

      const first = await t.db('pb_proposal_comments').where({ proposal_id: ids[0] }).first();
      expect([first.status, first.ubigeo]).toEqual(['pending', UBIGEO]);
      expect((await request(t.app).get(url).expect(200)).text).not.toContain('Muy necesaria para los jóvenes');
      // The municipality's official cannot moderate it; a neutral moderator sees it in the queue, with its kind.
      expect(
        (
          await off
            .post(`/es/moderacion/proposal_comment/${first.id}`)
            .type('form')
            .send({ _csrf: csrfFrom(offPage.text), decision: 'publish', version: '1', reason: 'meets_rules' })
        ).status,
      ).toBe(403);
      const queue = (await mod.get('/es/moderacion').expect(200)).text;
      expect(queue).toContain('Muy necesaria para los jóvenes del barrio.');
      expect(queue).toContain('Comentario sobre una propuesta');
      expect(queue).toContain(`/es/presupuesto-participativo/propuestas/${ids[0]}`);
      expect((await decide('proposal_comment', 'pb_proposal_comments', first.id, 'publish', 'meets_rules')).status).toBe(303);

      // Two more: one published, one hidden (its placeholder stays, never its text).
      t.now.ms += 60_000;
      expect((await comment(residents[2], ids[0], 'Mejor si incluye bancas y sombra.')).status).toBe(303);
      t.now.ms += 60_000;
      expect((await comment(residents[2], ids[0], 'Texto ofensivo de prueba.')).status).toBe(303);
      const [second, third] = await t.db('pb_proposal_comments').where({ proposal_id: ids[0] }).where('id', '>', first.id).orderBy('id');
      expect((await decide('proposal_comment', 'pb_proposal_comments', second.id, 'publish', 'meets_rules')).status).toBe(303);
      expect((await decide('proposal_comment', 'pb_proposal_comments', third.id, 'hide', 'offensive')).status).toBe(303);

      const es = (await request(t.app).get(url).expect(200)).text;
      expect(es).toContain('2 comentarios publicados.');
      expect(es.indexOf('Muy necesaria para los jóvenes')).toBeGreaterThan(-1);
      expect(es.indexOf('Mejor si incluye bancas')).toBeGreaterThan(es.indexOf('Muy necesaria para los jóvenes')); // newest last
      expect(es).toContain('Contenido ocultado por moderación (motivo: Lenguaje ofensivo).');
      expect(es).not.toContain('Texto ofensivo de prueba.');
      const en = (await request(t.app).get(`/en/participatory-budget/proposals/${ids[0]}`).expect(200)).text;
      expect(en).toContain('2 published comments.');

      // Flagged by a signed-in resident: it stays visible and goes back to the queue.
      const page = await residents[0].get(url).expect(200);
      await residents[0]
        .post('/es/reportar')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), type: 'proposal_comment', id: String(first.id), reason: 'off_topic', return_to: url })
        .expect(303);
      expect(Number((await t.db('pb_proposal_comments').where({ id: first.id }).first()).flags)).toBe(1);
      expect((await mod.get('/es/moderacion').expect(200)).text).toContain('Muy necesaria para los jóvenes del barrio.');
      expect((await request(t.app).get(url).expect(200)).text).toContain('Muy necesaria para los jóvenes del barrio.');

      // A digest lists the published comments of followed proposals since a time, oldest first.
      expect((await commentsSince(t.db, first.created_at, [ids[0]])).map((c) => c.id)).toEqual([Number(first.id), Number(second.id)]);
      expect((await commentsSince(t.db, second.created_at, [ids[0]])).map((c) => c.id)).toEqual([Number(second.id)]);
      expect(await commentsSince(t.db, first.created_at, [ids[1]])).toEqual([]);
    });

    it('when an approved monitor proposes on behalf of their organisation, then the proposal says so in both languages and the CSV and Pabulib carry the proposer type and organisation, never an email', async () => {
      await setPhase('preparacion');
      const monitorEmail = `monitor-${UBIGEO}@example.pe`;
      const monitor = await signedIn(t, monitorEmail, 'monitor'); // organisation: Comité de Vigilancia
      const form = (await monitor.get(`${base}/propuestas/nueva`).expect(200)).text;
      expect(form).toContain('Presentar en nombre de Comité de Vigilancia');
      expect((await residents[0].get(`${base}/propuestas/nueva`).expect(200)).text).not.toContain('Presentar en nombre de');
      const before = (await t.db('pb_proposals')).length;
      expect((await propose(residents[0], { title_es: 'Falsa organización', on_behalf: '1' })).status).toBe(403);
      expect((await t.db('pb_proposals')).length).toBe(before);

      expect((await propose(monitor, { title_es: 'Veredas accesibles en el mercado', estimated_cost: '10000', on_behalf: '1' })).status).toBe(303);
      expect((await propose(monitor, { title_es: 'Propuesta personal del monitor' })).status).toBe(303);
      const [org, own] = await t
        .db('pb_proposals')
        .where({ ubigeo: UBIGEO })
        .orderBy('id', 'desc')
        .limit(2)
        .then((r) => r.reverse());
      expect([org.proposer_type, org.org_name]).toEqual(['organisation', 'Comité de Vigilancia']);
      expect([own.proposer_type, own.org_name]).toEqual(['resident', null]);
      await publish(Number(org.id));
      expect((await review(Number(org.id), { feasibility: 'feasible', reason: 'Viable en el presupuesto del mercado.', reviewed_cost: '10000' })).status).toBe(303);

      const es = (await request(t.app).get(`/es/presupuesto-participativo/propuestas/${org.id}`).expect(200)).text;
      expect(es).toContain('Propuesta de Comité de Vigilancia');
      expect(es).not.toContain(monitorEmail);
      expect((await request(t.app).get(`/en/participatory-budget/proposals/${org.id}`).expect(200)).text).toContain('Proposed by Comité de Vigilancia');
      expect((await request(t.app).get(`${base}/propuestas`).expect(200)).text).toContain('Propuesta de Comité de Vigilancia');
      expect((await request(t.app).get(`/es/presupuesto-participativo/propuestas/${ids[0]}`).expect(200)).text).toContain('Propuesta de un vecino');

      const csv = (await request(t.app).get('/api/v1/datasets/pb_proposals.csv').buffer(true).expect(200)).text;
      expect(csv).not.toContain('@');
      const rows = parseCsv(csv.replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
      const byId = new Map(rows.map((r) => [Number(r.id), r]));
      expect([byId.get(Number(org.id))?.proposer_type, byId.get(Number(org.id))?.organisation]).toEqual(['organisation', 'Comité de Vigilancia']);
      expect([byId.get(ids[0])?.proposer_type, byId.get(ids[0])?.organisation]).toEqual(['resident', '']);
      expect(byId.has(Number(own.id))).toBe(false); // pending: not public
      const ownComment = await residents[0]
        .post(`/es/presupuesto-participativo/propuestas/${own.id}/comentarios`)
        .type('form')
        .send({ _csrf: csrfFrom((await residents[0].get(`/es/presupuesto-participativo/propuestas/${ids[0]}`).expect(200)).text), body: 'Comentario sobre una propuesta pendiente.' });
      expect(ownComment.status).toBe(404); // a proposal not yet published has nothing to comment on

      const api = await request(t.app).get(`/api/v1/participatory-budget/proposals?ubigeo=${UBIGEO}&year=2025`).expect(200);
      expect(JSON.stringify(api.body)).not.toContain('@');
      const apiRows = new Map((api.body.data as Array<Record<string, unknown>>).map((r) => [Number(r.id), r]));
      expect([apiRows.get(Number(org.id))?.proposer_type, apiRows.get(Number(org.id))?.organisation, apiRows.get(Number(org.id))?.reviewed_cost]).toEqual([
        'organisation',
        'Comité de Vigilancia',
        10_000,
      ]);
      expect([apiRows.get(ids[0])?.proposer_type, apiRows.get(ids[0])?.organisation]).toEqual(['resident', null]);
      expect(apiRows.has(Number(own.id))).toBe(false);
      const apiCsv = (await request(t.app).get(`/api/v1/participatory-budget/proposals?ubigeo=${UBIGEO}&year=2025&format=csv`).buffer(true).expect(200)).text;
      const apiCsvRows = parseCsv(apiCsv.replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
      expect(apiCsvRows.find((r) => Number(r.id) === Number(org.id))?.organisation).toBe('Comité de Vigilancia');

      const pb = readPabulib((await request(t.app).get(`${base}/pabulib`).expect(200)).text);
      const project = pb.projects.find((p) => p.project_id === String(org.id))!;
      expect([project.proposer_type, project.organisation, project.cost]).toEqual(['organisation', 'Comité de Vigilancia', 10_000]);
      expect(pb.projects.find((p) => p.project_id === String(ids[0]))!.proposer_type).toBe('resident');
      await setPhase('coordinacion');
    });

    it('when the official corrects the workshop act, then the results page links the current act with its date and hash, the correction needs a public reason, and the earlier act stays public', async () => {
      const hash = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
      const results = async () => (await request(t.app).get(`${base}/resultados`).expect(200)).text;
      const actHref = (html: string) => /class="act-link" href="([^"]+)"/.exec(html)![1];
      let html = await results();
      expect(html).toContain(hash(ACT));
      const first = await request(t.app)
        .get(actHref(html))
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(/application\/pdf/);
      expect(first.headers['content-disposition']).toMatch(/^attachment/);
      expect(hash(first.body as Buffer)).toBe(hash(ACT));

      const corrected = Buffer.concat([PDF, Buffer.from('% acta corregida: firma del secretario\n')]);
      const stored = () => fs.readdirSync(t.config.uploadsDir).length;
      const files = stored();
      expect((await tally({}, corrected)).status).toBe(422); // a correction without a reason
      expect(stored()).toBe(files); // the refused act is not kept
      expect((await tally({ reason: 'Faltaba la firma del secretario técnico.' }, corrected)).status).toBe(303);
      html = await results();
      expect(html).toContain(hash(corrected));
      const versions = /<ul class="act-versions">([\s\S]*?)<\/ul>/.exec(html)![1];
      expect(versions).toContain(hash(ACT));
      expect(html).toContain('Faltaba la firma del secretario técnico.');
      const process = await t.db('pb_processes').where({ ubigeo: UBIGEO, year: 2025 }).first();
      const h = await t.db('participation_history').where({ entity_type: 'pb_process', entity_id: process.id, field: 'workshop_act' }).orderBy('id');
      expect(h.map((r) => [r.kind, r.old_value, r.new_value, r.reason, r.actor_role])).toEqual([
        ['act_uploaded', null, hash(ACT), null, 'official'],
        ['changed', hash(ACT), hash(corrected), 'Faltaba la firma del secretario técnico.', 'official'],
      ]);
      // Both versions stay downloadable; an act is not found under another process.
      const acts = await t.db('pb_workshop_acts').where({ process_id: process.id }).orderBy('id');
      expect(acts.map((a) => a.sha256)).toEqual([hash(ACT), hash(corrected)]);
      expect(actHref(html)).toBe(`${base}/actas-del-taller/${acts[1].id}`); // the current act is the correction
      for (const a of acts) await request(t.app).get(`${base}/actas-del-taller/${a.id}`).expect(200);
      await request(t.app).get(`/es/presupuesto-participativo/130106/2025/actas-del-taller/${acts[0].id}`).expect(404);
      // Another municipality's official cannot upload an act here.
      const other = await official(t, `off2-130106@example.pe`, '130106');
      const page = await other.get('/es/gestion/130106/participacion').expect(200);
      const res = await other.post(`/es/gestion/${UBIGEO}/propuestas/2025/taller`).field('_csrf', csrfFrom(page.text)).field('reason', 'Intento ajeno.').attach('act', corrected, 'acta.pdf');
      expect([403, 404]).toContain(res.status);
      expect(await t.db('pb_workshop_acts').where({ process_id: process.id })).toHaveLength(2);
    });

    it('when the bulk download is read, then datapackage.json lists the Pabulib files, and the Pabulib file it points to has the totals of the results page', async () => {
      const pkg = (await request(t.app).get('/api/v1/datasets/datapackage.json').expect(200)).body as { resources: Array<{ name: string; path: string }> };
      expect(pkg.resources.map((r) => r.path)).toEqual(expect.arrayContaining(['pb_pabulib.csv', 'pb_proposals.csv']));
      const csv = (await request(t.app).get('/api/v1/datasets/pb_pabulib.csv').buffer(true).expect(200)).text;
      const rows = parseCsv(csv.replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
      const row = rows.find((r) => r.ubigeo === UBIGEO && r.year === '2025')!;
      expect(row.pabulib_path).toBe(`${base}/pabulib`);
      const pb = readPabulib((await request(t.app).get(row.pabulib_path).expect(200)).text);
      expect([Number(row.num_projects), Number(row.num_votes), Number(row.budget)]).toEqual([pb.projects.length, pb.votes.length, Number(pb.meta.budget)]);

      // The results page, read as a visitor reads it.
      const html = (await request(t.app).get(`${base}/resultados`).expect(200)).text;
      const cell = (cls: string) => Number(new RegExp(`class="${cls}">([^<]+)<`).exec(html)![1].replace(/[^\d]/g, ''));
      expect(pb.votes.length).toBe(cell('ballots-cast'));
      expect(pb.projects.reduce((s, p) => s + p.workshop_votes, 0)).toBe(cell('workshop-total'));
      expect(Number(pb.meta.budget)).toBe(cell('envelope')); // whole soles on both (S/ 100 000)
      for (const p of pb.projects) {
        const m = new RegExp(`data-proposal="${p.project_id}"[\\s\\S]*?class="online">(\\d+)<`).exec(html)!;
        expect([p.project_id, p.votes]).toEqual([p.project_id, Number(m[1])]);
      }
      // Every process in the list has a Pabulib file that answers.
      for (const r of rows) await request(t.app).get(r.pabulib_path).expect(200);
    });

    it('when the sitemap is read, then it lists published proposals and the proposals and results pages of their processes in both languages, and never a pending proposal', async () => {
      const index = (await request(t.app).get('/sitemap.xml').expect(200)).text;
      const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => new URL(m[1].replace(/&amp;/g, '&')).pathname);
      const urls: string[] = [];
      for (const f of locs(index)) urls.push(...locs((await request(t.app).get(f).expect(200)).text));
      for (const u of [
        `/es/presupuesto-participativo/propuestas/${ids[0]}`,
        `/en/participatory-budget/proposals/${ids[0]}`,
        `${base}/propuestas`,
        `${base}/resultados`,
        `/en/participatory-budget/${UBIGEO}/2025/results`,
      ])
        expect(urls).toContain(u);
      const pending = await t.db('pb_proposals').where({ ubigeo: UBIGEO, status: 'pending' });
      expect(pending.length).toBeGreaterThan(0);
      for (const p of pending) expect(urls).not.toContain(`/es/presupuesto-participativo/propuestas/${p.id}`);
      const hearing = await t.db('hearings').first('id');
      if (hearing) expect(urls).toContain(`/es/rendicion-de-cuentas/audiencias/${hearing.id}`);
    });

    it('when a resident posts more comments in an hour than the limit, then the next one is refused with 429 and not stored', async () => {
      const busy = await signedIn(t, `muchos-comentarios-${UBIGEO}@example.pe`, 'resident');
      const url = `/es/presupuesto-participativo/propuestas/${ids[1]}`;
      const token = csrfFrom((await busy.get(url).expect(200)).text);
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++)
        statuses.push(
          (
            await busy
              .post(`${url}/comentarios`)
              .type('form')
              .send({ _csrf: token, body: `Comentario número ${i + 1}.` })
          ).status,
        );
      expect(statuses.slice(0, 20).every((s) => s === 303)).toBe(true);
      expect(statuses[20]).toBe(429);
      const user = await t
        .db('users')
        .where({ email: `muchos-comentarios-${UBIGEO}@example.pe` })
        .first();
      expect(await t.db('pb_proposal_comments').where({ user_id: user.id })).toHaveLength(20);
    });
  },
  120_000,
);
