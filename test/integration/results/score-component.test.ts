import { parse as parseCsv } from 'csv-parse/sync';
import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { Agent, csrfFrom, formToken, loginAdmin } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { official } from '../../helpers/participation';

const YEAR = 2024;
const X = '150105';
const Y = '150106';
// X: a final result that improves downward and is met, a product not met, a process with no actual (not met), an intermediate result with no target that year.
const X_CSV = `code,name_es,level,type,unit,direction,year,target,actual,actual_source
RF1,Anemia,final_result,effectiveness,%,down,${YEAR},36,35.5,ENDES
P1,Hierro,product,effectiveness,%,up,${YEAR},65,60,HIS
PR1,Compras,process,efficiency,días,down,${YEAR},30,,
RI1,Cobertura,intermediate_result,quality,%,up,${YEAR - 1},50,55,ENAHO
`;
// Y: one product met exactly.
const Y_CSV = `code,name_es,level,type,unit,direction,year,target,actual,actual_source
P1,Residuos,product,economy,t,up,${YEAR},100,100,Registro municipal
`;

/** The I component recomputed here from the published CSVs only (not from the code under test). */
function expectedI(indicators: Array<Record<string, string>>, values: Array<Record<string, string>>, ubigeo: string): number | null {
  const weight: Record<string, number> = { process: 1, product: 2, intermediate_result: 3, final_result: 4 }; // as the methodology page states
  let met = 0;
  let total = 0;
  for (const v of values) {
    const ind = indicators.find((i) => i.id === v.indicator_id)!;
    if (ind.ubigeo !== ubigeo || ind.is_example === 'true' || v.year !== String(YEAR) || v.baseline_target === '') continue;
    total += weight[ind.level];
    if (v.actual !== '' && (ind.direction === 'down' ? Number(v.actual) <= Number(v.baseline_target) : Number(v.actual) >= Number(v.baseline_target))) met += weight[ind.level];
  }
  return total ? Math.round(((100 * met) / total) * 100) / 100 : null;
}

eachDialect('score component I (indicators on track) on %s', (dialect) => {
  let t: TestApp;
  const upload = async (agent: Agent, ubigeo: string, csv: string) => {
    const token = await formToken(agent, `/es/gestion/${ubigeo}/resultados`);
    const r = await agent
      .post(`/es/gestion/${ubigeo}/resultados/importar`)
      .field('_csrf', token)
      .field('kind', 'indicators')
      .attach('file', Buffer.from(csv), { filename: 'i.csv', contentType: 'text/csv' });
    if (r.status !== 200) throw new Error(`${r.status} ${r.text.replace(/<[^>]+>/g, ' ').slice(0, 800)}`);
  };
  const csv = async (name: string) => parseCsv((await request(t.app).get(`/api/v1/datasets/${name}.csv`).expect(200)).text, { columns: true }) as Array<Record<string, string>>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await upload(await official(t, `i-x-${dialect}@example.pe`, X), X, X_CSV);
    await upload(await official(t, `i-y-${dialect}@example.pe`, Y), Y, Y_CSV);
    // Example content in the same municipality and year, missing its target: it must never count.
    const [id] = await t.db('results_indicators').insert({
      ubigeo: X,
      code: 'EJ1',
      name_es: 'Ejemplo',
      level: 'final_result',
      type: 'quality',
      unit: '%',
      direction: 'up',
      is_example: true,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
    await t
      .db('results_values')
      .insert({ indicator_id: id, year: YEAR, ubigeo: X, target: 90, baseline_target: 90, actual: 10, actual_source: 'ejemplo', is_example: true, updated_at: '2026-01-01T00:00:00.000Z' });
  });
  afterAll(async () => t.cleanup());

  it('when weights are set, then I in scores.csv equals the level-weighted share of met targets recomputed from results_indicators.csv and results_values.csv, weight 0 leaves the score alone, and a weight moves it reproducibly', async () => {
    const admin = await loginAdmin(t, `i-admin-${dialect}@example.pe`);
    const form = await admin.get('/es/admin/pesos').expect(200);
    expect(form.text).toContain('Indicadores en camino (opcional)');
    // The defaults, saved again: every stored year is recomputed with I still weighing 0.
    await admin
      .post('/es/admin/pesos')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), w_s: '0.3', w_e: '0.25', w_r: '0.15', w_p: '0.15', w_a: '0.15' })
      .expect(303);
    const [indicators, values, weights0] = [await csv('results_indicators'), await csv('results_values'), await csv('score_weights')];
    const iX = expectedI(indicators, values, X);
    const iY = expectedI(indicators, values, Y);
    expect(iX).toBe(57.14); // a hand check of the fixture: the final result (4) of 4 + 2 + 1 = 7
    expect(iY).toBe(100);
    expect(Number(weights0[weights0.length - 1].w_i)).toBe(0);
    let scores = await csv('scores');
    const rowOf = (u: string) => scores.find((s) => s.ubigeo === u && s.year === String(YEAR))!;
    expect(Number(rowOf(X).i)).toBe(iX);
    expect(Number(rowOf(Y).i)).toBe(iY);
    const combined = (row: Record<string, string>, w: Record<string, string>) => {
      let num = 0;
      let den = 0;
      for (const k of ['s', 'e', 'r', 'p', 'a', 'i']) {
        if (row[k] === '' || Number(w[`w_${k}`]) <= 0) continue;
        num += Number(w[`w_${k}`]) * Number(row[k]);
        den += Number(w[`w_${k}`]);
      }
      return den ? Math.round((num / den) * 100) / 100 : null;
    };
    const before = rowOf(X);
    expect(before.score === '' ? null : Number(before.score)).toBe(combined(before, weights0[weights0.length - 1]));

    await admin
      .post('/es/admin/pesos')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), w_s: '0.3', w_e: '0.25', w_r: '0.15', w_p: '0.15', w_a: '0.15', w_i: '0.5', note: 'I cuenta' })
      .expect(303);
    const weights1 = await csv('score_weights');
    expect(Number(weights1[weights1.length - 1].w_i)).toBe(0.5);
    scores = await csv('scores');
    expect(Number(rowOf(X).score)).toBe(combined(rowOf(X), weights1[weights1.length - 1]));
    expect(Number(rowOf(Y).score)).toBe(combined(rowOf(Y), weights1[weights1.length - 1]));
    expect(Number(rowOf(X).score)).not.toBe(Number(before.score));
    const m = await request(t.app).get('/en/score/methodology').expect(200);
    expect(m.text).toContain('Indicators on track (optional)');
    expect(m.text).toContain('process 1, product 2, intermediate result 3, final result 4');
    const dp = await request(t.app).get('/api/v1/datasets/datapackage.json').expect(200);
    const valuesResource = dp.body.resources.find((r: { name: string }) => r.name === 'results-values');
    expect(valuesResource.schema.primaryKey).toEqual(['indicator_id', 'year']);
    expect(valuesResource.schema.foreignKeys).toEqual([{ fields: ['indicator_id'], reference: { resource: 'results-indicators', fields: ['id'] } }]);
    const names = dp.body.resources.map((r: { name: string }) => r.name);
    for (const fk of dp.body.resources.flatMap((r: { schema: { foreignKeys?: Array<{ reference: { resource: string } }> } }) => r.schema.foreignKeys ?? []))
      expect(names).toContain(fk.reference.resource);
  });
});
