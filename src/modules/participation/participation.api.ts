import { Router } from 'express';
import { parse, sendRows } from '../../lib/http';
import { toSoles } from '../../lib/amounts';
import { COMMITMENT_CSV_COLUMNS, COMMITMENT_RECORD_COLUMNS, ITEM_CSV_COLUMNS, ITEM_RECORD_COLUMNS } from './participation.import';
import { NotFoundError } from '../../lib/errors';
import { HearingForm, Id, ListQuery, RecordQuery } from './participation.schemas';
import type { ParticipationService } from './participation.service';
import type { CommitmentRow, ItemRow } from './participation.types';

/** An item as open data: money in soles, flags as booleans. */
export const itemForApi = (i: ItemRow) => ({
  ...i,
  total_cost: toSoles(i.total_cost),
  pia_amount: i.pia_amount == null ? null : toSoles(i.pia_amount),
  baseline_total_cost: i.baseline_total_cost == null ? null : toSoles(i.baseline_total_cost),
  is_example: i.is_example,
  overdue: !!i.overdue,
});
export const commitmentForApi = (c: CommitmentRow) => ({ ...c, is_example: c.is_example, overdue: !!c.overdue });
// The form's fields (from its zod schema) plus the public columns the app keeps; the stored file name stays private.
const HEARING_API_COLUMNS = ['id', 'ubigeo', 'municipality', ...Object.keys(HearingForm.shape), 'has_report', 'withdrawn_at', 'withdrawn_reason', 'is_example'];
/** The public history of one record, as JSON or CSV. */
export const HISTORY_COLUMNS = ['at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'actor_role', 'actor_ubigeo', 'status', 'progress_pct', 'note'];

/** GET /api/v1/participatory-budget/items, /api/v1/accountability/commitments and /hearings (JSON or CSV). */
export function participationApi(service: ParticipationService): Router {
  const r = Router();
  r.get('/participatory-budget/items', async (req, res) => {
    const f = parse(ListQuery, req.query);
    const rows = (await service.listItems({ ...f, overdue: f.overdue === '1' })).map(itemForApi);
    sendRows(res, f.format, rows, [...ITEM_CSV_COLUMNS, ...ITEM_RECORD_COLUMNS], 'participatory-budget-items', {
      count: rows.length,
      units: 'total_cost and pia_amount in PEN (soles)',
      note: 'rows with is_example = true are example content, not real data',
    });
  });
  r.get('/accountability/commitments', async (req, res) => {
    const f = parse(ListQuery, req.query);
    const rows = (await service.listCommitments({ ...f, overdue: f.overdue === '1' })).map(commitmentForApi);
    sendRows(res, f.format, rows, [...COMMITMENT_CSV_COLUMNS, ...COMMITMENT_RECORD_COLUMNS], 'accountability-commitments', {
      count: rows.length,
      note: 'rows with is_example = true are example content, not real data',
    });
  });
  r.get('/accountability/hearings', async (req, res) => {
    const f = parse(ListQuery, req.query);
    const rows = (await service.listHearings({ ...f, overdue: undefined })).map((h) => ({ ...h, has_report: !!h.report_file }));
    sendRows(res, f.format, rows, HEARING_API_COLUMNS, 'accountability-hearings', { count: rows.length, note: 'rows with is_example = true are example content, not real data' });
  });
  // One record with its public history (JSON), or the history alone (?format=csv).
  const one = (path: string, load: (id: number) => Promise<Record<string, unknown> & { history: Array<Record<string, unknown>> }>, name: string) =>
    r.get(path, async (req, res) => {
      const id = Id.safeParse(req.params.id);
      if (!id.success) throw new NotFoundError();
      const f = parse(RecordQuery, req.query);
      const { history, ...record } = await load(id.data);
      if (f.format === 'csv') return sendRows(res, 'csv', history, HISTORY_COLUMNS, `${name}-${id.data}-history`);
      res.json({
        data: { ...record, history },
        meta: { note: 'history is append-only: every published change with the reason and the role (and municipality) that made it; baseline_* are the first published values' },
      });
    });
  one(
    '/participatory-budget/items/:id',
    async (id) => {
      const p = await service.itemPage(id);
      return { ...itemForApi(p.item), reprogrammed: p.reprogrammed, milestones: p.milestones, disputes: p.disputes, history: p.history as unknown as Array<Record<string, unknown>> };
    },
    'participatory-budget-item',
  );
  one(
    '/accountability/commitments/:id',
    async (id) => {
      const p = await service.commitmentPage(id);
      return { ...commitmentForApi(p.commitment), reprogrammed: p.reprogrammed, updates: p.updates, disputes: p.disputes, history: p.history as unknown as Array<Record<string, unknown>> };
    },
    'accountability-commitment',
  );
  one(
    '/accountability/hearings/:id',
    async (id) => {
      const p = await service.hearingPage(id);
      // The stored file's name stays private: the API says whether a report exists and where.
      const h = Object.fromEntries(Object.entries(p.hearing).filter(([k]) => !k.startsWith('report_')));
      return {
        ...h,
        has_report: !!p.hearing.report_file,
        reprogrammed: p.reprogrammed,
        commitments: p.commitments.map(commitmentForApi),
        history: p.history as unknown as Array<Record<string, unknown>>,
      };
    },
    'accountability-hearing',
  );
  return r;
}
