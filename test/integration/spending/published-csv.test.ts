import { parse as parseCsv } from 'csv-parse/sync';
import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';
import { eachDialect } from '../../helpers/db';

const rowsOf = (text: string) => parseCsv(text, { columns: true }) as Array<Record<string, string>>;

eachDialect('published CSVs on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when the department totals of the partial year are downloaded, then booleans are true/false, the aggregate rows name their source and the approximate cut-off says so', async () => {
    const rows = rowsOf((await request(t.app).get('/api/v1/execution?level=department&year=2025&format=csv').expect(200)).text);
    expect(rows).toHaveLength(25);
    for (const r of rows) {
      expect(r.partial).toBe('true');
      expect(r.cut_off).toBe('2025-03-08');
      expect(r.cut_off_approximate).toBe('true');
      expect(r.source).toBe('sum:consulta_amigable');
    }
  });

  it('when the complete year is downloaded, then partial and cut_off_approximate are false (not 0 or empty)', async () => {
    const rows = rowsOf((await request(t.app).get('/api/v1/execution?level=province&year=2024&format=csv').expect(200)).text);
    expect(rows).toHaveLength(196);
    expect(new Set(rows.map((r) => `${r.partial}/${r.cut_off_approximate}`))).toEqual(new Set(['false/false']));
    const json = (await request(t.app).get('/api/v1/execution?level=municipality&year=2025&limit=1').expect(200)).body;
    expect(json.meta).toMatchObject({ partial: true, cut_off: '2025-03-08', cut_off_approximate: true });
  });

  it('when the bulk execution dataset and the example items are downloaded, then every boolean column holds true or false', async () => {
    const totals = rowsOf((await request(t.app).get('/api/v1/datasets/execution_totals.csv').expect(200)).text);
    expect(new Set(totals.map((r) => r.partial))).toEqual(new Set(['true', 'false']));
    expect(new Set(totals.filter((r) => r.year === '2025').map((r) => r.cut_off_approximate))).toEqual(new Set(['true']));
    const items = rowsOf((await request(t.app).get('/api/v1/datasets/pb_items.csv').expect(200)).text);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((r) => r.is_example === 'true' || r.is_example === 'false')).toBe(true);
  });

  it('when the municipality page shows the partial year, then its cut-off is marked approximate and the complete year is not', async () => {
    const res = await request(t.app).get('/es/municipalidades/150122').expect(200);
    expect(res.text).toContain('datos con corte al 8 de marzo de 2025 (fecha aproximada).');
  });
});
