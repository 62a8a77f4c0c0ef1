import { Router } from 'express';
import { pageOf, parse, sendRows } from '../../lib/http';
import { idOr404 } from '../../lib/schemas';
import { INDICATOR_CSV_COLUMNS, OBJECTIVE_CSV_COLUMNS } from './results.import';
import { Format, ListQuery } from './results.schemas';
import type { ResultsService } from './results.service';

/** Flags as words in the CSV (true | false | blank when not judged), so that false and "no data" differ. */
const csvFlag = (v: unknown) => (v == null ? '' : v ? 'true' : 'false');
export const HISTORY_COLUMNS = ['indicator_id', 'year', 'at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'actor_role', 'actor_ubigeo'];
const NOTE = 'rows with is_example = true are example content, not real data; on_track compares actual with baseline_target (the first published target) in the indicator direction';

/** GET /api/v1/results/indicators, /objectives, /history and /indicators/:id (JSON or CSV with the import's columns). */
export function resultsApi(service: ResultsService): Router {
  const r = Router();
  r.get('/results/indicators', async (req, res) => {
    const f = parse(ListQuery, req.query);
    const all = await service.exportRows(f);
    const rows: Array<Record<string, unknown>> = f.format === 'csv' ? all.map((x) => ({ ...x, on_track: csvFlag(x.on_track), is_example: csvFlag(x.is_example) })) : all;
    const page = pageOf(rows, f.format, f, '/api/v1/results/indicators', { ubigeo: f.ubigeo, level: f.level, type: f.type, programme: f.programme, department: f.department, format: f.format });
    sendRows(res, f.format, page.rows, INDICATOR_CSV_COLUMNS, 'results-indicators', { count: rows.length, paging: page.paging, note: NOTE });
  });
  r.get('/results/objectives', async (req, res) => {
    const f = parse(ListQuery, req.query);
    const rows = (await service.objectiveRows(f.ubigeo)).map((x: Record<string, unknown>) => (f.format === 'csv' ? { ...x, is_example: csvFlag(x.is_example) } : x));
    sendRows(res, f.format, rows, OBJECTIVE_CSV_COLUMNS, 'results-objectives', { count: rows.length, note: NOTE });
  });
  r.get('/results/municipalities/:ubigeo/history', async (req, res) => {
    const f = parse(Format, req.query);
    const chain = await service.chain(String(req.params.ubigeo));
    sendRows(res, f.format, chain.history as unknown as Record<string, unknown>[], HISTORY_COLUMNS, `results-history-${chain.municipality.ubigeo}`, {
      note: 'append-only: every published target and actual with the reason and the role (and municipality) that set it',
    });
  });
  r.get('/results/indicators/:id', async (req, res) => {
    const id = idOr404(req.params.id);
    const f = parse(Format, req.query);
    const { children: _children, ...indicator } = await service.indicator(id);
    if (f.format === 'csv') return sendRows(res, 'csv', indicator.history as unknown as Record<string, unknown>[], HISTORY_COLUMNS, `results-indicator-${id}-history`);
    res.json({ data: indicator, meta: { note: NOTE } });
  });
  return r;
}
