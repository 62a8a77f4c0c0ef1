import { Router } from 'express';
import { AMOUNT_COLUMNS, toSoles } from '../../lib/amounts';
import { NotFoundError } from '../../lib/errors';
import { pageOf, parse, sendRows, sendSerialized, serializeRows } from '../../lib/http';
import { municipalityRequest, type MunicipalitiesService } from '../municipalities';
import { ExecutionApiQuery, MunicipalityExecutionApiQuery } from './spending.schemas';
import type { SpendingService } from './spending.service';

export const EXECUTION_FIELDS = ['code', 'name', 'parent', 'year', ...AMOUNT_COLUMNS, 'execution_pct', 'rank', 'source', 'cut_off', 'cut_off_approximate', 'partial'];
const MUNI_EXECUTION_FIELDS = [
  'ubigeo',
  'year',
  'pia',
  'pim',
  'certificacion',
  'compromiso_anual',
  'devengado',
  'girado',
  'execution_pct',
  'source',
  'cut_off',
  'cut_off_approximate',
  'partial',
  'rank_national',
  'rank_department',
];

const soles = <T extends Record<string, unknown>>(r: T) => ({ ...r, ...Object.fromEntries(AMOUNT_COLUMNS.map((c) => [c, toSoles(Number(r[c]))])) });

/** Execution totals as open data: amounts in soles, execution_pct = devengado / PIM × 100. */
export function spendingApi(svc: SpendingService, municipalities: MunicipalitiesService): Router {
  const r = Router();

  r.get('/municipalities/:ubigeo/execution', async (req, res) => {
    const { ubigeo, q } = await municipalityRequest(municipalities, req, MunicipalityExecutionApiQuery);
    const year = q.year ?? (await svc.defaultYear());
    const rows = await svc.forMunicipality(ubigeo);
    const row = rows.find((e) => e.year === year);
    if (!row) throw new NotFoundError('spending:errors.no_data_for_year', { year });
    const out = soles({ ...row, ubigeo: ubigeo });
    if (q.format === 'csv') {
      sendRows(res, 'csv', [out], MUNI_EXECUTION_FIELDS, `execution-${ubigeo}-${year}`);
      return;
    }
    res.json(Object.fromEntries(MUNI_EXECUTION_FIELDS.map((f) => [f, out[f as keyof typeof out] ?? null])));
  });

  r.get('/execution', async (req, res) => {
    const q = parse(ExecutionApiQuery, req.query);
    const year = q.year ?? (await svc.defaultYear());
    if (year === null) throw new NotFoundError('spending:errors.no_data');
    // The serialised body is memoised with the ranking (same data version).
    const body = await svc.memo(
      `api:execution:${JSON.stringify([q.level, year, q.department ?? null, q.province ?? null, q.type ?? null, q.band ?? null, q.format, q.limit ?? null, q.offset ?? null])}`,
      async () => {
        const muni = q.level === 'municipality';
        const data = await svc.ranking({
          level: q.level,
          year,
          department: q.department,
          province: muni ? q.province : undefined,
          type: muni ? q.type : undefined,
          band: muni ? q.band : undefined,
          sort: 'rank',
        });
        const all = data.rows.map((row) => soles({ ...row, year, cut_off: data.year.cut_off, cut_off_approximate: data.year.cut_off_approximate, partial: data.year.partial }));
        const page = pageOf(all, q.format, q, '/api/v1/execution', { level: q.level, year, department: q.department, province: q.province, type: q.type, band: q.band });
        return serializeRows(q.format, page.rows, EXECUTION_FIELDS, {
          level: q.level,
          year,
          count: all.length,
          paging: page.paging,
          partial: data.year.partial,
          cut_off: data.year.cut_off,
          cut_off_approximate: data.year.cut_off_approximate,
          source: data.year.label,
          units: 'PEN (soles); execution_pct = devengado / pim × 100',
          total: soles({ ...data.total }),
        });
      },
    );
    sendSerialized(res, q.format, body, `execution-${q.level}-${year}`);
  });

  return r;
}
