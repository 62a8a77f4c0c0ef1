import crypto from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { Agent, formToken } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { createProcessAndItem, jobResult, official } from '../../helpers/participation';

const MAX_ROWS = 900;
const itemsCsv = (n: number, from = 2) =>
  `year,priority,title_es,total_cost,status,progress_pct\n${Array.from({ length: n }, (_, i) => `2025,${from + i},Obra ${from + i},${1000 + i}.50,en_ejecucion,10`).join('\n')}\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

eachDialect('large participation CSVs (IMPORT_MAX_ROWS, event loop, audit) on %s', (dialect) => {
  let t: TestApp;
  let a: Agent;
  const U = '140110';
  const items = async () => Number((await t.db('pb_items').where({ ubigeo: U }).count({ n: '*' }).first())!.n);
  const upload = async (agent: Agent, csv: string, lang: 'es' | 'en' = 'es') => {
    const token = await formToken(agent, `/${lang}/${lang === 'es' ? 'gestion' : 'manage'}/${U}/${lang === 'es' ? 'participacion' : 'participation'}`);
    return agent
      .post(`/${lang}/${lang === 'es' ? 'gestion' : 'manage'}/${U}/${lang === 'es' ? 'importar' : 'import'}`)
      .field('_csrf', token)
      .field('kind', 'items')
      .attach('file', Buffer.from(csv), { filename: 'items.csv', contentType: 'text/csv' });
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { importMaxRows: MAX_ROWS, importsPerHour: 100 } });
    a = await official(t, 'bulk-large@example.pe', U);
    await createProcessAndItem(t, a, U, { priority: '1' });
  });
  afterAll(async () => t.cleanup());

  it('when a CSV has more rows than IMPORT_MAX_ROWS, then it is refused with 413 and a localized message to split it or use the command line, and nothing is written', async () => {
    const before = await items();
    const es = await upload(a, itemsCsv(MAX_ROWS + 1));
    expect(es.status).toBe(413);
    expect(es.text).toContain(`El archivo tiene más de ${MAX_ROWS} filas. Divídalo en archivos de ${MAX_ROWS} filas como máximo`);
    const en = await upload(a, itemsCsv(MAX_ROWS + 1), 'en');
    expect(en.status).toBe(413);
    expect(en.text).toContain(`The file has more than ${MAX_ROWS} rows. Split it into files of at most ${MAX_ROWS} rows, or ask an administrator to import it from the command line`);
    expect(await items()).toBe(before);
    expect(await t.db('import_locks')).toHaveLength(0);
  });

  it('when a CSV at the row limit is imported, then the portal keeps answering: /healthz requests made meanwhile are answered before the import finishes', async () => {
    let finishedAt = 0;
    const started = Date.now();
    const importing = upload(a, itemsCsv(MAX_ROWS)).then(async (r) => {
      const page = await jobResult(t, a, r); // the job runs in this process after the 303
      finishedAt = Date.now() - started;
      return page;
    });
    const answered: number[] = [];
    while (!finishedAt) {
      await request(t.app).get('/healthz').expect(200);
      if (!finishedAt) answered.push(Date.now() - started);
      await sleep(25);
    }
    const r = await importing;
    expect(r.status).toBe('done');
    expect(r.text).toContain(`${MAX_ROWS} creados, 0 actualizados, 0 sin cambios`);
    // Answers keep coming while the import runs: no gap between two of them (or before the
    // first) anywhere near the import's own duration.
    const gaps = answered.map((ms, i) => ms - (answered[i - 1] ?? 0));
    expect(answered.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...gaps)).toBeLessThan(Math.max(1000, finishedAt / 2));
    // An import at the cap writes every row with its history and audit rows: on a loaded machine
    // with MariaDB that can take longer than the default 30 s; the assertion is about gaps, not speed.
  }, 180_000);

  it('when a CSV is imported from the web, then the audit log has its SHA-256, row counts and municipality', async () => {
    const csv = itemsCsv(3, 950);
    expect((await jobResult(t, a, await upload(a, csv))).status).toBe('done');
    const userId = (await t.db('users').where({ email: 'bulk-large@example.pe' }).first()).id;
    const digest = crypto.createHash('sha256').update(csv).digest('hex');
    const e = await t.db('audit_log').where({ action: 'import.participation_items', entity_id: digest }).first();
    expect(e).toMatchObject({ actor_user_id: userId, actor_role: 'official', municipality_ubigeo: U });
    expect(JSON.parse(e.after_json)).toMatchObject({ status: 'imported', sha256: digest, municipalities: [U], counts: { read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 } });
  });

  it('when taking the import lock fails with a database error other than a duplicate key, then the upload answers 500 (not 409 "already running") and the MEF upload too', async () => {
    if (dialect === 'sqlite') await t.db.raw("create trigger locks_broken before insert on import_locks begin select raise(abort, 'disk says no'); end");
    else await t.db.raw("create trigger locks_broken before insert on import_locks for each row signal sqlstate '45000' set message_text = 'disk says no'");
    try {
      const r = await upload(a, itemsCsv(1, 960));
      expect(r.status).toBe(500);
      expect(r.text).not.toContain('Ya hay una importación en curso');
      const token = await formToken(a, `/es/gestion/${U}/participacion`);
      const m = await a.post(`/es/gestion/${U}/gasto-mef`).field('_csrf', token).attach('file', Buffer.from('ANO_EJE\n2025\n'), { filename: 'g.csv', contentType: 'text/csv' });
      expect(m.status).toBe(500);
    } finally {
      await t.db.raw('drop trigger locks_broken');
    }
  });
});
