import { Router } from 'express';
import { parse, sendRows } from '../../lib/http';
import { toSoles } from '../../lib/amounts';
import { COMMITMENT_CSV_COLUMNS, ITEM_CSV_COLUMNS } from './participation.import';
import { ListQuery } from './participation.schemas';
import type { ParticipationService } from './participation.service';
import type { CommitmentRow, ItemRow } from './participation.types';

/** An item as open data: money in soles, flags as booleans. */
export const itemForApi = (i: ItemRow) => ({ ...i, total_cost: toSoles(i.total_cost), pia_amount: i.pia_amount == null ? null : toSoles(i.pia_amount), is_example: i.is_example, overdue: !!i.overdue });
export const commitmentForApi = (c: CommitmentRow) => ({ ...c, is_example: c.is_example, overdue: !!c.overdue });
const HEARING_API_COLUMNS = ['id', 'ubigeo', 'municipality', 'held_on', 'period_from', 'period_to', 'place', 'link', 'summary_es', 'summary_en', 'attendance', 'has_report', 'is_example'];

/** GET /api/v1/participatory-budget/items, /api/v1/accountability/commitments and /hearings (JSON or CSV). */
export function participationApi(service: ParticipationService): Router {
  const r = Router();
  r.get('/participatory-budget/items', async (req, res) => {
    const f = parse(ListQuery, req.query);
    const rows = (await service.listItems({ ...f, overdue: f.overdue === '1' })).map(itemForApi);
    sendRows(res, f.format, rows, ITEM_CSV_COLUMNS, 'participatory-budget-items', { count: rows.length, units: 'total_cost and pia_amount in PEN (soles)', note: 'rows with is_example = true are example content, not real data' });
  });
  r.get('/accountability/commitments', async (req, res) => {
    const f = parse(ListQuery, req.query);
    const rows = (await service.listCommitments({ ...f, overdue: f.overdue === '1' })).map(commitmentForApi);
    sendRows(res, f.format, rows, COMMITMENT_CSV_COLUMNS, 'accountability-commitments', { count: rows.length, note: 'rows with is_example = true are example content, not real data' });
  });
  r.get('/accountability/hearings', async (req, res) => {
    const f = parse(ListQuery, req.query);
    const rows = (await service.listHearings({ ...f, overdue: undefined })).map((h) => ({ ...h, has_report: !!h.report_file }));
    sendRows(res, f.format, rows, HEARING_API_COLUMNS, 'accountability-hearings', { count: rows.length, note: 'rows with is_example = true are example content, not real data' });
  });
  return r;
}
