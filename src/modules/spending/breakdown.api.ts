import { Response, Router } from 'express';
import { toSoles } from '../../lib/amounts';
import { NotFoundError } from '../../lib/errors';
import { Format, parse, sendRows } from '../../lib/http';
import { municipalityRequest, type MunicipalitiesService } from '../municipalities';
import type { AreaRef, BreakdownRow, BreakdownService, By } from './breakdown.service';
import { MEF_GASTO_LABEL } from './mef-gasto.importer';
import { AreaSpendingQuery, MunicipalitySpendingQuery } from './spending.schemas';

export const BREAKDOWN_FIELDS = ['code', 'name', 'pia', 'pim', 'devengado', 'execution_pct'];
const UNITS = 'PEN (soles); execution_pct = devengado / pim × 100';

const out = (r: BreakdownRow) => ({ code: r.code, name: r.name, pia: toSoles(r.pia), pim: toSoles(r.pim), devengado: toSoles(r.devengado), execution_pct: r.execution_pct });

/** The area an API or page request is about: national (PE), a department or a province. */
export function areaRef(level: 'national' | 'department' | 'province', code?: string): AreaRef {
  return level === 'national' ? { level, area: 'PE' } : { level, area: code! };
}

/** Detailed spending breakdowns as open data (JSON or CSV with the same filters as the pages). */
export function breakdownApi(svc: BreakdownService, municipalities: MunicipalitiesService): Router {
  const r = Router();

  /** The breakdown of an area in the query's year (else its latest), with `head` first in the meta block. */
  const sendBreakdown = async (res: Response, ref: AreaRef, q: { year?: number; by: By; format: Format }, name: string, head: Record<string, unknown>) => {
    const year = q.year ?? (await svc.years(ref))[0];
    if (!year) throw new NotFoundError('spending:errors.no_detail_any');
    const data = await svc.breakdown(ref, year, q.by, 'es');
    sendRows(res, q.format, data.rows.map(out), BREAKDOWN_FIELDS, `spending-${name}-${year}-${q.by}`, {
      ...head,
      year,
      by: q.by,
      count: data.rows.length,
      // Only area listings are cut short (municipalities' projects are all listed).
      ...(ref.level === 'municipality' ? {} : { truncated: data.truncated }),
      source: data.source,
      synthetic: data.synthetic,
      cut_off: data.cut_off,
      partial: data.partial,
      units: UNITS,
      total: { pia: toSoles(data.total.pia), pim: toSoles(data.total.pim), devengado: toSoles(data.total.devengado), execution_pct: data.total.execution_pct },
    });
  };

  r.get('/municipalities/:ubigeo/spending', async (req, res) => {
    const { ubigeo, q } = await municipalityRequest(municipalities, req, MunicipalitySpendingQuery);
    await sendBreakdown(res, { level: 'municipality', area: ubigeo }, q, ubigeo, { ubigeo });
  });

  r.get('/spending', async (req, res) => {
    const q = parse(AreaSpendingQuery, req.query);
    const ref = areaRef(q.level, q.code);
    if (q.level === 'department') await municipalities.department(ref.area);
    await sendBreakdown(res, ref, q, `${q.level}-${ref.area}`, { level: q.level, code: ref.area });
  });

  r.get('/spending/category-shares', async (req, res) => {
    const format = req.query.format === 'csv' ? 'csv' : 'json';
    const { values } = await svc.nationalCategoryShares();
    const rows = values.map((v) => ({ year: v.year, ...v.shares, devengado: toSoles(v.total) }));
    sendRows(res, format, rows, ['year', 'programa_presupuestal', 'acciones_centrales', 'apnop', 'devengado'], 'spending-category-shares', {
      source: MEF_GASTO_LABEL,
      units: 'share of devengado, %; devengado in PEN',
    });
  });

  return r;
}
