import { Router } from 'express';
import { AMOUNT_COLUMNS, toSoles } from '../../lib/amounts';
import { NotFoundError } from '../../lib/errors';
import { pageOf, parse, sendRows, sendSerialized, serializeRows } from '../../lib/http';
import { municipalityRequest, type MunicipalitiesService } from '../municipalities';
import { ExecutionApiQuery, HistoryApiQuery, MunicipalityExecutionApiQuery, MunicipalityHistoryApiQuery } from './spending.schemas';
import type { HistoryService } from './history.service';
import type { SpendingService } from './spending.service';

export const EXECUTION_FIELDS = ['code', 'name', 'parent', 'year', ...AMOUNT_COLUMNS, 'execution_pct', 'rank', 'source', 'cut_off', 'partial'];
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
  'partial',
  'rank_national',
  'rank_department',
];

const soles = <T extends Record<string, unknown>>(r: T) => ({ ...r, ...Object.fromEntries(AMOUNT_COLUMNS.map((c) => [c, toSoles(Number(r[c]))])) });

/** Execution totals as open data: amounts in soles, execution_pct = devengado / PIM × 100. */
/** Where the computed history rows come from (every aggregate row names it). */
export const HISTORY_SOURCE = 'Resultados Abiertos: Σ devengado ÷ Σ PIM of the municipalities (MEF, Consulta Amigable)';
export const HISTORY_FIELDS = [
  'level',
  'code',
  'name',
  'year',
  'pim',
  'devengado',
  'execution_pct',
  'municipalities',
  'paper_execution_pct',
  'difference_pts',
  'partial',
  'cut_off',
  'cut_off_approximate',
  'source',
];
const MUNI_HISTORY_FIELDS = [
  'ubigeo',
  'year',
  'pim',
  'devengado',
  'execution_pct',
  'department_execution_pct',
  'national_execution_pct',
  'revenue_total',
  'own_taxes',
  'canon',
  'fiscal_autonomy_pct',
  'canon_dependence_pct',
  'partial',
  'cut_off',
  'cut_off_approximate',
  'source',
];

export function spendingApi(svc: SpendingService, municipalities: MunicipalitiesService, history: HistoryService): Router {
  const r = Router();

  /** Execution per year, national and by department, from the municipal data, with the paper's Table 1 alongside. */
  r.get('/history/execution', async (req, res) => {
    const q = parse(HistoryApiQuery, req.query);
    const h = await history.departmentHistory();
    // A partial year's cut-off is the date the snapshot was seen (approximate); a full year's is 31 Dec.
    const meta = (year: number) => ({ partial: Boolean(h.partial[year]), cut_off: h.cutOff[year] ?? null, cut_off_approximate: Boolean(h.partial[year]), source: HISTORY_SOURCE });
    const rows: Record<string, unknown>[] = [];
    if (q.level !== 'department')
      h.years.forEach((year, i) => {
        const n = h.national[i];
        if (n)
          rows.push({
            level: 'national',
            code: 'PE',
            name: 'Perú',
            year,
            pim: toSoles(n.pim),
            devengado: toSoles(n.devengado),
            execution_pct: n.pct,
            municipalities: n.count,
            paper_execution_pct: null,
            difference_pts: null,
            ...meta(year),
          });
      });
    if (q.level !== 'national')
      for (const d of h.rows)
        for (const y of d.years)
          if (y.pct !== null)
            rows.push({
              level: 'department',
              code: d.code,
              name: d.name,
              year: y.year,
              pim: toSoles(y.pim!),
              devengado: toSoles(y.devengado!),
              execution_pct: y.pct,
              municipalities: y.count,
              paper_execution_pct: y.paper,
              difference_pts: y.diff,
              ...meta(y.year),
            });
    sendRows(res, q.format, rows, HISTORY_FIELDS, 'execution-history', {
      count: rows.length,
      source: HISTORY_SOURCE,
      paper: 'Table 1 of the reference article (execution % of local governments by department, 2012–2020 and 2022, source “Consulta Amigable del MEF”)',
      gaps: h.years.filter((_, i) => !h.national[i]),
      max_difference_pts: h.maxDiff,
      units: 'PEN (soles); execution_pct = Σ devengado / Σ pim × 100; predecessor municipalities counted in their department in the years they existed',
    });
  });

  /** One municipality's execution and revenue per year (missing years absent; 2023 is a gap). */
  r.get('/municipalities/:ubigeo/history', async (req, res) => {
    const q = parse(MunicipalityHistoryApiQuery, req.query);
    const ubigeo = String(req.params.ubigeo);
    if (!/^\d{6}$/.test(ubigeo)) throw new NotFoundError('municipalities:errors.municipality_not_found', { ubigeo });
    if (!(await municipalities.predecessor(ubigeo))) await municipalities.municipality(ubigeo); // 404 when neither a municipality nor a predecessor
    const h = await history.historyFor(ubigeo);
    const e = h.execution;
    const rev = new Map(h.revenue.years.map((y, i) => [y, h.revenue.own[i]]));
    const rows: Record<string, unknown>[] = [];
    e.years.forEach((year, i) => {
      const o = e.own[i];
      const rv = rev.get(year) ?? null;
      if (!o && !rv) return;
      rows.push({
        ubigeo,
        year,
        pim: o ? toSoles(o.pim) : null,
        devengado: o ? toSoles(o.devengado) : null,
        execution_pct: o?.pct ?? null,
        department_execution_pct: e.department[i]?.pct ?? null,
        national_execution_pct: e.national[i]?.pct ?? null,
        revenue_total: rv ? toSoles(rv.total ?? 0) : null,
        own_taxes: rv && rv.own_taxes !== null ? toSoles(rv.own_taxes) : null,
        canon: rv && rv.canon !== null ? toSoles(rv.canon) : null,
        fiscal_autonomy_pct: rv?.autonomy_pct ?? null,
        canon_dependence_pct: rv?.canon_pct ?? null,
        partial: Boolean(e.partial[year]) && Boolean(o),
        cut_off: o ? (e.cutOff[year] ?? null) : null,
        cut_off_approximate: Boolean(e.partial[year]) && Boolean(o),
        source: 'MEF, Consulta Amigable (execution); MEF, Transparencia Económica, ingresos (revenue)',
      });
    });
    sendRows(res, q.format, rows, MUNI_HISTORY_FIELDS, `history-${ubigeo}`, {
      ubigeo,
      predecessor_of: h.predecessor?.successor_ubigeo ?? null,
      predecessors: h.predecessors.map((p) => p.ubigeo),
      gaps: e.years.filter((_, i) => !e.own[i]),
      units:
        'PEN (soles); execution_pct = devengado / pim × 100; context: Σ devengado / Σ pim; fiscal_autonomy_pct = own_taxes / revenue_total × 100; canon_dependence_pct = canon / revenue_total × 100',
    });
  });

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
    const body = await svc.memo(`api:execution:${JSON.stringify([q.level, year, q.department ?? null, q.format, q.limit ?? null, q.offset ?? null])}`, async () => {
      const data = await svc.ranking({ level: q.level, year, department: q.department, sort: 'rank' });
      const all = data.rows.map((row) => soles({ ...row, year, cut_off: data.year.cut_off, partial: data.year.partial }));
      const page = pageOf(all, q.format, q, '/api/v1/execution', { level: q.level, year, department: q.department });
      return serializeRows(q.format, page.rows, EXECUTION_FIELDS, {
        level: q.level,
        year,
        count: all.length,
        paging: page.paging,
        partial: data.year.partial,
        cut_off: data.year.cut_off,
        source: data.year.label,
        units: 'PEN (soles); execution_pct = devengado / pim × 100',
        total: soles({ ...data.total }),
      });
    });
    sendSerialized(res, q.format, body, `execution-${q.level}-${year}`);
  });

  return r;
}
