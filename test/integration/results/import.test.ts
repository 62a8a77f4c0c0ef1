import { parse as parseCsv } from 'csv-parse/sync';
import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { Agent, formToken } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';
import { mefAmounts } from '../../helpers/mef-gasto';
import { createProcessAndItem, official } from '../../helpers/participation';

const U = '150105';
const OTHER = '150106';
const OBJECTIVES = `ubigeo,plan_title_es,period_from,period_to,ordinance,code,text_es,gap_es
${U},PDLC Breña 2024-2027,2024,2027,OM 010-2023,OE1,Reducir la anemia infantil,Niños con anemia
${U},PDLC Breña 2024-2027,2024,2027,OM 010-2023,OE2,Mejorar el recojo de residuos,Hogares sin recojo
`;
/** The product comes before its parent result on purpose: the file may name a parent further down. */
const indicators = (
  itemId: number,
  actual2024 = '37.5',
  reason = '',
) => `code,name_es,level,type,unit,direction,baseline_value,baseline_year,objective_code,parent_code,pp_code,pb_item_ids,year,target,actual,actual_source,change_reason
P1,Niños con hierro,product,effectiveness,%,up,55,2023,OE1,RF1,0001,${itemId},2024,65,68,HIS-MINSA,
P1,Niños con hierro,product,effectiveness,%,up,55,2023,OE1,RF1,0001,${itemId},2025,75,,,
RF1,Anemia en niños de 6 a 35 meses,final_result,effectiveness,%,down,40,2023,OE1,,0001,,2024,36,${actual2024},ENDES,${reason}
`;

eachDialect('results chain CSV import on %s', (dialect) => {
  let t: TestApp;
  let a: Agent;
  let itemId: number;
  let otherItem: number;
  const upload = async (kind: 'objectives' | 'indicators', csv: string, lang: 'es' | 'en' = 'es') => {
    const token = await formToken(a, `/${lang}/${lang === 'es' ? 'gestion' : 'manage'}/${U}/${lang === 'es' ? 'resultados' : 'results'}`);
    return a
      .post(`/${lang}/${lang === 'es' ? 'gestion' : 'manage'}/${U}/${lang === 'es' ? 'resultados/importar' : 'results/import'}`)
      .field('_csrf', token)
      .field('kind', kind)
      .attach('file', Buffer.from(csv), { filename: `${kind}.csv`, contentType: 'text/csv' });
  };
  /** An upload that must succeed (200), with the page's text on failure to see why. */
  const uploadOk = async (kind: 'objectives' | 'indicators', csv: string) => {
    const r = await upload(kind, csv);
    if (r.status !== 200) throw new Error(`${r.status}: ${r.text.replace(/<[^>]+>/g, ' ').slice(0, 1500)}`);
    return r;
  };
  const count = async (table: string) => Number((await t.db(table).where({ ubigeo: U }).count({ n: '*' }).first())!.n);

  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { importsPerHour: 100 } });
    a = await official(t, `results-import-${dialect}@example.pe`, U);
    itemId = await createProcessAndItem(t, a, U);
    const b = await official(t, `results-other-${dialect}@example.pe`, OTHER);
    otherItem = await createProcessAndItem(t, b, OTHER);
  });
  afterAll(async () => t.cleanup());

  it('when a file has bad rows, then nothing is written and every bad row is reported with its line, column and a localized reason', async () => {
    await uploadOk('objectives', OBJECTIVES);
    const bad = `code,name_es,level,type,unit,direction,pb_item_ids,year,target,actual,actual_source
A1,Bien,product,effectiveness,%,up,,2024,10,,
A2,Nivel raro,outcome,effectiveness,%,up,,2024,10,,
A3,Meta rara,product,effectiveness,%,up,,2024,diez,,
A4,Proyecto ajeno,product,effectiveness,%,up,${otherItem},2024,10,,
A5,Sin fuente,product,effectiveness,%,up,,2024,10,5,
`;
    const es = await upload('indicators', bad);
    expect(es.status).toBe(422);
    expect(es.text).toContain('No se cargó nada');
    const rows = [...es.text.matchAll(/<tr><td>(\d+)<\/td><td>([a-z_]+)<\/td>/g)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual([
      [3, 'level'],
      [4, 'target'],
      [5, 'pb_item_ids'],
      [6, 'actual_source'],
    ]);
    expect(es.text).toContain('Elija un nivel de la lista.');
    expect(es.text).toContain('Algún número no corresponde a esta municipalidad.');
    const en = await upload('indicators', bad, 'en');
    expect(en.status).toBe(422);
    expect(en.text).toContain('Choose a level from the list.');
    expect(en.text).toContain('Give the source of the actual.');
    expect(await count('results_indicators')).toBe(0);
    expect(await count('results_values')).toBe(0);
    expect(await t.db('import_locks')).toHaveLength(0);
  });

  it('when the same file is imported twice, then the second run changes nothing, and the export imports back unchanged', async () => {
    const first = await uploadOk('indicators', indicators(itemId));
    expect(first.text).toContain('Carga completa: 3 nuevas, 0 actualizadas, 0 sin cambios.');
    const p1 = await t.db('results_indicators').where({ ubigeo: U, code: 'P1' }).first();
    const rf1 = await t.db('results_indicators').where({ ubigeo: U, code: 'RF1' }).first();
    expect(Number(p1.parent_id)).toBe(Number(rf1.id));
    expect(await t.db('results_links').where({ indicator_id: p1.id })).toEqual([{ indicator_id: p1.id, link_type: 'pb_item', link_id: itemId }]);
    const history = await count('results_history');
    const second = await uploadOk('indicators', indicators(itemId));
    expect(second.text).toContain('Carga completa: 0 nuevas, 0 actualizadas, 3 sin cambios.');
    expect(await count('results_history')).toBe(history);
    expect(await count('results_values')).toBe(3);

    const exported = await request(t.app).get(`/api/v1/results/indicators?ubigeo=${U}&format=csv`).expect(200);
    const rows = parseCsv(exported.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((r) => r.code === 'RF1' && r.year === '2024')).toMatchObject({ target: '36', baseline_target: '36', actual: '37.5', on_track: 'false', direction: 'down' });
    expect(rows.find((r) => r.code === 'P1' && r.year === '2024')).toMatchObject({ actual: '68', on_track: 'true', parent_code: 'RF1', pb_item_ids: String(itemId) });
    expect(rows.find((r) => r.code === 'P1' && r.year === '2025')).toMatchObject({ actual: '', on_track: '' });
    const back = await uploadOk('indicators', exported.text);
    expect(back.text).toContain('0 nuevas, 0 actualizadas, 3 sin cambios');
    const objectives = await request(t.app).get(`/api/v1/results/objectives?ubigeo=${U}&format=csv`).expect(200);
    expect((await uploadOk('objectives', objectives.text)).text).toContain('0 nuevas, 0 actualizadas, 2 sin cambios');
  });

  it('when a published actual changes in the file, then it needs a change_reason, and the change with its reason joins the public history', async () => {
    const refused = await upload('indicators', indicators(itemId, '35.9'));
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Cambia una meta o un valor ya publicados');
    expect(await t.db('results_values').where({ ubigeo: U, year: 2024 }).whereNotNull('actual').orderBy('actual').pluck('actual')).toHaveLength(2);
    const ok = await uploadOk('indicators', indicators(itemId, '35.9', 'ENDES corrigió la cifra'));
    expect(ok.text).toContain('0 nuevas, 1 actualizadas, 2 sin cambios');
    const h = await request(t.app).get(`/api/v1/results/municipalities/${U}/history`).expect(200);
    expect(h.body.data.find((r: Record<string, unknown>) => r.field === 'actual' && r.new_value === '35.9')).toMatchObject({
      old_value: '37.5',
      reason: 'ENDES corrigió la cifra',
      actor_role: 'official',
      actor_ubigeo: U,
    });
    const page = await request(t.app).get(`/es/municipalidades/${U}/resultados`).expect(200);
    expect(page.text).toContain('ENDES corrigió la cifra');
    expect(page.text).toContain('En camino');
  });

  it('when detailed MEF data has the linked programme, then the tree shows its spending with the source; without it, it says so', async () => {
    const before = await request(t.app).get(`/es/municipalidades/${U}/resultados`).expect(200);
    expect(before.text).toContain('sin datos detallados del MEF para este programa');
    await t.db('mef_gasto_rollups').insert([
      { level: 'municipality', area: U, year: 2024, dim: 'generic', code: '3', parent: '', ...mefAmounts(90_000_000, 60_000_000) },
      { level: 'municipality', area: U, year: 2024, dim: 'category', code: '0001', parent: '', ...mefAmounts(50_000_000, 40_000_000) },
      { level: 'municipality', area: U, year: 2024, dim: 'category', code: '9001', parent: '', ...mefAmounts(40_000_000, 20_000_000) },
    ]);
    const es = await request(t.app).get(`/es/municipalidades/${U}/resultados?v=2`).expect(200);
    const text = es.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Programa articulado nutricional, 2024: devengado S/ 400,000 de un PIM de S/ 500,000 (MEF, datos abiertos');
    expect(text).not.toContain('sin datos detallados del MEF para este programa');
    const en = await request(t.app).get(`/en/municipalities/${U}/results?v=2`).expect(200);
    expect(en.text).toContain('Articulated nutrition programme, 2024:');
  });

  it('when a file has more rows than IMPORT_MAX_ROWS, then it is refused with 413 and a localized message, and nothing is written', async () => {
    const rows = Array.from({ length: 5001 }, (_, i) => `X${i},Indicador ${i},process,efficiency,u,up`).join('\n');
    const before = await count('results_indicators');
    const r = await upload('indicators', `code,name_es,level,type,unit,direction\n${rows}\n`);
    expect(r.status).toBe(413);
    expect(r.text).toContain('El archivo tiene más de 5000 filas.');
    expect(await count('results_indicators')).toBe(before);
    expect(await t.db('import_locks')).toHaveLength(0);
  });
});
