import type { TestApp } from '../../helpers/app';
import { Agent, createUser, csrfFrom, login } from '../../helpers/accounts';

let seq = 0;

/** A confirmed resident, signed in. */
export async function resident(t: TestApp, prefix = 'vecino'): Promise<{ agent: Agent; email: string; id: number }> {
  const email = `${prefix}${++seq}-${Math.random().toString(36).slice(2, 8)}@example.pe`;
  const u = await createUser(t, email, 'resident');
  const { agent, res } = await login(t, email);
  if (res.status !== 302) throw new Error(`login failed: ${res.status}`);
  return { agent, email, id: u.id };
}

/** Opens the rating form and returns its CSRF token and signed start stamp. */
export async function openForm(agent: Agent, ubigeo: string, lng: 'es' | 'en' = 'es'): Promise<{ _csrf: string; started: string }> {
  const res = await agent.get(lng === 'es' ? `/es/municipalidades/${ubigeo}/calificar` : `/en/municipalities/${ubigeo}/rate`).expect(200);
  const started = /name="started" value="([^"]+)"/.exec(res.text);
  if (!started) throw new Error('no started stamp');
  return { _csrf: csrfFrom(res.text), started: started[1] };
}

/** Opens the form, waits (on the app's clock) longer than the minimum fill time, and posts. */
export async function rate(t: TestApp, agent: Agent, ubigeo: string, areaId: number, score: number | string, extra: Record<string, unknown> = {}) {
  const form = await openForm(agent, ubigeo);
  t.now.ms += 5000;
  return agent
    .post(`/es/municipalidades/${ubigeo}/calificar`)
    .type('form')
    .send({ ...form, target: `a${areaId}`, score: String(score), ...extra });
}

export async function areaIds(t: TestApp): Promise<number[]> {
  return (await t.db('service_areas').select('id').orderBy('sort_order')).map((r: { id: number }) => Number(r.id));
}

/** Inserts a PB process (once per municipality-year) and an item. */
export async function insertItem(
  t: TestApp,
  row: { ubigeo: string; year: number; total_cost: number; planned_end: string; status: string; progress_pct: number; is_example?: boolean; title?: string },
): Promise<number> {
  const now = new Date(t.now.ms).toISOString();
  let proc = await t.db('pb_processes').where({ ubigeo: row.ubigeo, year: row.year }).first();
  if (!proc) {
    await t.db('pb_processes').insert({ ubigeo: row.ubigeo, year: row.year, is_example: false, created_at: now, updated_at: now });
    proc = await t.db('pb_processes').where({ ubigeo: row.ubigeo, year: row.year }).first();
  }
  const [id] = await t.db('pb_items').insert({
    process_id: proc.id,
    ubigeo: row.ubigeo,
    year: row.year,
    priority: 1,
    title_es: row.title ?? 'Obra',
    total_cost: row.total_cost,
    planned_end: row.planned_end,
    baseline_planned_end: row.planned_end,
    baseline_total_cost: row.total_cost,
    status: row.status,
    progress_pct: row.progress_pct,
    is_example: row.is_example ?? false,
    created_at: now,
    updated_at: now,
  });
  return Number(id);
}

export async function insertHearing(t: TestApp, ubigeo: string, held_on: string, is_example = false): Promise<number> {
  const now = new Date(t.now.ms).toISOString();
  const [id] = await t.db('hearings').insert({ ubigeo, held_on, state: 'realizada', is_example, created_at: now, updated_at: now });
  return Number(id);
}

export async function insertCommitment(t: TestApp, hearingId: number, ubigeo: string, due_on: string, status: string, fulfilled_on: string | null, is_example = false): Promise<void> {
  const now = new Date(t.now.ms).toISOString();
  await t.db('commitments').insert({ hearing_id: hearingId, ubigeo, text_es: 'Compromiso', due_on, baseline_due_on: due_on, status, fulfilled_on, is_example, created_at: now, updated_at: now });
}

/** Inserts ratings directly (for score tests): one distinct fake resident per rating. */
export async function insertRatings(t: TestApp, ubigeo: string, year: number, quarter: number, areaId: number, scores: number[]): Promise<void> {
  const users: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const [id] = await t.db('users').insert({
      email: `r${++seq}-${Math.random().toString(36).slice(2)}@example.pe`,
      password_hash: 'x',
      role: 'resident',
      status: 'active',
      email_confirmed_at: '2026-01-01T00:00:00.000Z',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
    users.push(Number(id));
  }
  await t.db('ratings').insert(
    scores.map((score, i) => ({
      user_id: users[i],
      ubigeo,
      target: `a${areaId}`,
      area_id: areaId,
      pb_item_id: null,
      year,
      quarter,
      score,
      delivered: null,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    })),
  );
}

/** Polls until the check passes (background score recomputes settle within milliseconds). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
