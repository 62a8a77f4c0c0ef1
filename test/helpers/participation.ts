import { createUser, formToken, login, Agent } from './accounts';
import type { TestApp } from './app';

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** An official of `ubigeo`, logged in. */
export async function official(t: TestApp, email: string, ubigeo: string): Promise<Agent> {
  await createUser(t, email, 'official', ubigeo);
  const { agent, res } = await login(t, email);
  if (res.status !== 302) throw new Error(`login failed ${res.status}`);
  return agent;
}

export async function signedIn(t: TestApp, email: string, role: 'resident' | 'monitor' | 'moderator'): Promise<Agent> {
  await createUser(t, email, role);
  const { agent } = await login(t, email);
  return agent;
}

/**
 * A web upload answers 303 at once with its job page; this waits for the job (it runs in the
 * app's process in tests without a worker) and reads the page: its status (queued, running,
 * done, rejected, unchanged, failed) and text.
 */
export async function jobResult(t: TestApp, agent: Agent, posted: { status: number; headers: Record<string, string> }): Promise<{ status: string; text: string }> {
  if (posted.status !== 303) throw new Error(`the upload answered ${posted.status}, not 303`);
  await t.background.idle();
  const page = await agent.get(posted.headers.location);
  if (page.status !== 200) throw new Error(`the job page answered ${page.status}`);
  return { status: /data-status="(\w+)"/.exec(page.text)?.[1] ?? '', text: page.text };
}

/** The id at the end of a redirect's path (…/proyectos/12?done=saved → 12). */
export const idFrom = (location: string) => Number(/\/(\d+)(\?|$)/.exec(location)![1]);

export const itemForm = (over: Record<string, string> = {}) => ({
  year: '2025',
  priority: '1',
  title_es: 'Pistas del barrio Alto',
  title_en: '',
  description_es: 'Asfaltado',
  cui: '2345678',
  total_cost: '150000.50',
  pia_amount: '100000',
  funding_source: 'FONCOMUN',
  beneficiaries: '1200',
  latitude: '-12.05',
  longitude: '-77.04',
  district_ubigeo: '',
  start_date: '2025-02-01',
  planned_end: '2025-06-30',
  status: 'en_ejecucion',
  progress_pct: '30',
  finished_on: '',
  ...over,
});

/**
 * An official's edit of item `id` of `ubigeo`: the new title, a cost of 1000.00 with its public
 * reason, the optional fields emptied (year, priority and status kept). Expects the 303.
 */
export async function editItemTitle(t: TestApp, agent: Agent, ubigeo: string, id: number, title: string): Promise<void> {
  const token = await formToken(agent, `/es/gestion/${ubigeo}/proyectos/${id}`);
  const item = await t.db('pb_items').where({ id }).first();
  const cleared = Object.fromEntries(Object.keys(itemForm()).map((k) => [k, '']));
  await agent
    .post(`/es/gestion/${ubigeo}/proyectos/${id}`)
    .type('form')
    .send({
      ...cleared,
      _csrf: token,
      year: String(item.year),
      priority: String(item.priority),
      title_es: title,
      total_cost: '1000.00',
      status: item.status,
      reason: 'Corrección del costo y de las fechas',
    })
    .expect(303);
}

/** Creates a process for 2025 and one item; returns the item id. */
export async function createProcessAndItem(t: TestApp, agent: Agent, ubigeo: string, over: Record<string, string> = {}): Promise<number> {
  const token = await formToken(agent, `/es/gestion/${ubigeo}/procesos/nuevo`);
  const p = await agent
    .post(`/es/gestion/${ubigeo}/procesos/nuevo`)
    .type('form')
    .send({ _csrf: token, year: '2025', ordinance: 'OM 001-2024', agentes_participantes: '55', committee_members: 'Ana; Luis', committee_contact: 'comite@example.pe' });
  if (![303, 422].includes(p.status)) throw new Error(`process ${p.status}`);
  const r = await agent
    .post(`/es/gestion/${ubigeo}/proyectos/nuevo`)
    .type('form')
    .send({ _csrf: token, ...itemForm(over) });
  if (r.status !== 303) throw new Error(`item ${r.status} ${r.text.slice(0, 300)}`);
  return idFrom(r.headers.location);
}

/** A hearing already held (state realizada) on `heldOn`, with its report. */
export async function createHearing(t: TestApp, agent: Agent, ubigeo: string, heldOn = '2025-05-20', state = 'realizada'): Promise<number> {
  const token = await formToken(agent, `/es/gestion/${ubigeo}/audiencias/nueva`);
  const r = await agent
    .post(`/es/gestion/${ubigeo}/audiencias/nueva`)
    .field('_csrf', token)
    .field('held_on', heldOn)
    .field('state', state)
    .field('place', 'Plaza')
    .field('summary_es', 'Resumen')
    .attach('report', PDF, { filename: 'informe.pdf', contentType: 'application/pdf' });
  if (r.status !== 303) throw new Error(`hearing ${r.status} ${r.text.slice(0, 300)}`);
  return idFrom(r.headers.location);
}

export async function createCommitment(t: TestApp, agent: Agent, ubigeo: string, hearingId: number, over: Record<string, string> = {}): Promise<number> {
  const token = await formToken(agent, `/es/gestion/${ubigeo}/audiencias/${hearingId}`);
  const r = await agent
    .post(`/es/gestion/${ubigeo}/audiencias/${hearingId}/compromisos`)
    .type('form')
    .send({ _csrf: token, text_es: 'Reparar el puente peatonal', responsible_office: 'Obras', due_on: '2025-08-31', status: 'pendiente', ...over });
  if (r.status !== 303) throw new Error(`commitment ${r.status} ${r.text.slice(0, 300)}`);
  const list = await t.db('commitments').where({ hearing_id: hearingId }).orderBy('id', 'desc').first();
  return Number(list.id);
}
