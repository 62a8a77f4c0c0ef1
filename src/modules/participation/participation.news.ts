import type { Knex } from 'knex';
import type { Db } from '../../db';
import { formatters, Lang, localized } from '../../i18n';
import { pageUrl, PageName } from '../../i18n/paths';
import { municipalityName } from '../municipalities';
import type { FollowRow } from './participation.queries';
import { commitmentOverdue, RECORD_FIELDS, RecordKind } from './participation.rules';
import type { FollowType } from './participation.types';

/** A translation function of one language (`res.locals.t`, or i18next's fixed `t` wrapped). */
export type Translate = (key: string, opts?: Record<string, unknown>) => string;

/** One thing that changed, in the reader's language, with the page it links to. */
export interface NewsLine {
  key: string;
  at: string;
  text: string;
  url: string;
}

/** What changed on one followed thing, newest first. */
export interface NewsGroup {
  type: FollowType;
  id: string;
  title: string;
  url: string;
  lines: NewsLine[];
}

/** A page of the portal: its name and parameters (made into a URL in the reader's language). */
export interface PageRef {
  name: PageName;
  params: Record<string, string | number>;
}

const DAY_MS = 24 * 3_600_000;
const SPENDING_KINDS = ['mef_gasto', 'consulta_amigable'];
/** History kinds a follower is told about (every public change of the record). */
const HISTORY_KINDS = ['created', 'changed', 'milestone', 'update', 'withdrawn', 'dispute_opened', 'dispute_answered', 'dispute_upheld', 'dispute_rejected', 'reviewed', 'tallied', 'prioritised'];

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
const clip = (s: unknown, n = 120) => {
  const v = String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return v.length > n ? `${v.slice(0, n - 1)}…` : v;
};

/** The page of a followed thing (the process page needs its municipality and year), or null when it is gone. */
export async function followedPage(db: Db | Knex.Transaction, type: FollowType, id: string): Promise<PageRef | null> {
  if (type === 'municipality') return { name: 'municipality', params: { ubigeo: id } };
  if (type === 'pb_process') {
    const p = await db('pb_processes').select('ubigeo', 'year').where('id', Number(id)).first();
    return p ? { name: 'pb_process', params: { ubigeo: String(p.ubigeo), year: Number(p.year) } } : null;
  }
  return { name: type, params: { id: Number(id) } };
}

interface Window {
  since: string;
  until: string;
  today: string;
}

/**
 * What changed on what a user follows, per followed thing, newest first: the public record of
 * items, proposals, hearings and commitments (status, progress, milestones, updates, verdicts,
 * hearings convened and held), proposals published, questions answered, commitments that became
 * overdue (the module's rule, counted on the day after their baseline due date) and spending
 * figures imported for a followed municipality. A change reached through two follows is listed
 * once. The digest email and the account's "what's new" page both read this, each with its own
 * window per follow (`sinceOf`).
 */
export async function newsFor(
  db: Db,
  { follows, sinceOf, until, today, lng, t, base = '' }: { follows: FollowRow[]; sinceOf: (f: FollowRow) => string; until: string; today: string; lng: Lang; t: Translate; base?: string },
): Promise<NewsGroup[]> {
  const seen = new Set<string>();
  const groups: NewsGroup[] = [];
  const link = (ref: PageRef, query?: Record<string, string | number>) => `${base}${pageUrl(lng, ref.name, ref.params, query)}`;
  for (const f of follows) {
    const page = await followedPage(db, f.entity_type, f.entity_id);
    if (!page) continue;
    const w: Window = { since: sinceOf(f), until, today };
    const lines = [
      ...(await historyLines(db, f, w, lng, t, link)),
      ...(await proposalLines(db, f, w, lng, t, link)),
      ...(await questionLines(db, f, w, lng, t, link)),
      ...(await overdueLines(db, f, w, lng, t, link)),
      ...(await spendingLines(db, f, w, lng, t, link)),
    ]
      .filter((l) => !seen.has(l.key) && seen.add(l.key))
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    if (!lines.length) continue;
    groups.push({ type: f.entity_type, id: f.entity_id, title: await titleOf(db, f.entity_type, f.entity_id, lng, t), url: link(page), lines });
  }
  return groups.sort((a, b) => (a.lines[0].at < b.lines[0].at ? 1 : -1));
}

/** The name of a followed thing, in the reader's language. */
export async function titleOf(db: Db, type: FollowType, id: string, lng: Lang, t: Translate): Promise<string> {
  if (type === 'municipality') {
    const m = await db('municipalities').select('district', 'name_mef').where('ubigeo', id).first();
    return m ? municipalityName(m) : id;
  }
  const titles = await titlesOf(db, type, [Number(id)], lng, t);
  return titles.get(Number(id)) ?? `#${id}`;
}

const TITLE_SOURCES: Record<Exclude<FollowType, 'municipality'>, { table: string; columns: string[] }> = {
  pb_item: { table: 'pb_items', columns: ['id', 'title_es', 'title_en'] },
  pb_proposal: { table: 'pb_proposals', columns: ['id', 'title_es', 'title_en'] },
  commitment: { table: 'commitments', columns: ['id', 'text_es', 'text_en'] },
  hearing: { table: 'hearings', columns: ['id', 'held_on'] },
  pb_process: { table: 'pb_processes', columns: ['id', 'year'] },
};

async function titlesOf(db: Db, type: Exclude<FollowType, 'municipality'>, ids: number[], lng: Lang, t: Translate): Promise<Map<number, string>> {
  const src = TITLE_SOURCES[type];
  const rows: Record<string, unknown>[] = await db(src.table).select(src.columns).whereIn('id', ids);
  const date = formatters(lng).date;
  return new Map(
    rows.map((r) => [
      Number(r.id),
      type === 'hearing'
        ? t('participation:news.hearing_of', { date: date(String(r.held_on)) })
        : type === 'pb_process'
          ? t('participation:process.title', { year: Number(r.year) })
          : clip(localized(r, type === 'commitment' ? 'text' : 'title', lng).text),
    ]),
  );
}

type Link = (ref: PageRef, query?: Record<string, string | number>) => string;

/** The history rows a follow covers: the thing itself, or everything under a process, hearing or municipality. */
function historyScope(db: Db, q: Knex.QueryBuilder, f: FollowRow): void {
  const id = Number(f.entity_id);
  const under = (type: string, table: string, column: string) => (x: Knex.QueryBuilder) => {
    x.where('entity_type', type).whereIn('entity_id', db(table).select('id').where(column, id));
  };
  if (f.entity_type === 'municipality') q.where('ubigeo', f.entity_id);
  else if (f.entity_type === 'pb_process')
    q.where((w) => {
      w.where({ entity_type: 'pb_process', entity_id: id })
        .orWhere(under('pb_item', 'pb_items', 'process_id'))
        .orWhere(under('pb_proposal', 'pb_proposals', 'process_id'));
    });
  else if (f.entity_type === 'hearing')
    q.where((w) => {
      w.where({ entity_type: 'hearing', entity_id: id }).orWhere(under('commitment', 'commitments', 'hearing_id'));
    });
  else q.where({ entity_type: f.entity_type, entity_id: id });
}

async function historyLines(db: Db, f: FollowRow, w: Window, lng: Lang, t: Translate, link: Link): Promise<NewsLine[]> {
  const q = db('participation_history')
    .select('id', 'entity_type', 'entity_id', 'at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'status', 'progress_pct', 'note')
    .whereIn('kind', HISTORY_KINDS)
    .where('is_example', false)
    .where('at', '>', w.since)
    .where('at', '<=', w.until);
  historyScope(db, q, f);
  const rows: Record<string, unknown>[] = await q.orderBy('at', 'desc').limit(200);
  const byType = new Map<string, number[]>();
  for (const r of rows) byType.set(String(r.entity_type), [...(byType.get(String(r.entity_type)) ?? []), Number(r.entity_id)]);
  const titles = new Map<string, string>();
  for (const [type, ids] of byType) {
    if (!(type in TITLE_SOURCES)) continue;
    for (const [id, title] of await titlesOf(db, type as keyof typeof TITLE_SOURCES, ids, lng, t)) titles.set(`${type}:${id}`, title);
  }
  const lines: NewsLine[] = [];
  for (const r of rows) {
    const type = String(r.entity_type) as FollowType;
    const page = await followedPage(db, type, String(r.entity_id));
    if (!page) continue;
    const title = titles.get(`${type}:${Number(r.entity_id)}`) ?? '';
    lines.push({ key: `h:${Number(r.id)}`, at: String(r.at), text: `${title}: ${describeChange(r, lng, t)}`, url: link(page) });
  }
  return lines;
}

/** One change of the public record in words (the reason, when given, after it). */
function describeChange(c: Record<string, unknown>, lng: Lang, t: Translate): string {
  const why = c.reason ? ` — ${t('participation:history.reason')}: ${clip(c.reason, 200)}` : '';
  const field = c.field ? String(c.field) : null;
  const value = (v: unknown) => (v == null || v === '' ? '—' : clip(v, 80));
  const kind = String(c.kind);
  if (kind === 'changed' && field === 'state') return `${t(`participation:news.hearing_state.${value(c.new_value)}`, { defaultValue: value(c.new_value) })}${why}`;
  const status = (v: unknown) => (v == null || v === '' ? '—' : t(`participation:status.${String(v)}`, { defaultValue: String(v) }));
  if (kind === 'changed' && field === 'status') return `${t('participation:news.status')}: ${status(c.old_value)} → ${status(c.new_value)}${why}`;
  if (kind === 'changed' && field === 'feasibility')
    return `${t('participation:history.reviewed')}: ${t(`participation:news.feasibility.${value(c.new_value)}`, { defaultValue: value(c.new_value) })}${why}`;
  if (kind === 'changed' && field === 'progress_pct') return `${t('participation:news.progress')}: ${formatters(lng).number(Number(c.new_value))} %${why}`;
  if (kind === 'changed' && field) {
    // Money in soles and dates in words, as the record's page shows them.
    const spec = RECORD_FIELDS[c.entity_type as RecordKind] as { money: readonly string[]; dates: readonly string[] } | undefined;
    const f = formatters(lng);
    const shown = (v: unknown) =>
      v == null || v === '' ? '—' : spec?.money.includes(field) || field === 'reviewed_cost' ? f.money(Number(v)) : spec?.dates.includes(field) ? f.date(String(v).slice(0, 10)) : value(v);
    return `${t(`participation:fields.${field}`, { defaultValue: field })}: ${shown(c.old_value)} → ${shown(c.new_value)}${why}`;
  }
  if (kind === 'changed') return `${t('participation:news.status')}: ${status(c.status)}${c.progress_pct != null ? ` · ${formatters(lng).number(Number(c.progress_pct))} %` : ''}${why}`;
  if (kind === 'created' && c.entity_type === 'hearing') return t('participation:news.hearing_state.convocada');
  if (kind === 'reviewed') return `${t('participation:history.reviewed')}: ${t(`participation:news.feasibility.${value(c.new_value)}`, { defaultValue: value(c.new_value) })}${why}`;
  if (kind === 'milestone' || kind === 'update') return `${t(`participation:history.${kind}`)}${c.status ? ` (${status(c.status)})` : ''}: ${value(c.note)}${why}`;
  return `${t(`participation:history.${kind}`, { defaultValue: kind })}${c.note ? `: ${value(c.note)}` : ''}${why}`;
}

/** Residents' proposals published (after neutral moderation) in a followed municipality or process. */
async function proposalLines(db: Db, f: FollowRow, w: Window, lng: Lang, t: Translate, link: Link): Promise<NewsLine[]> {
  if (f.entity_type !== 'municipality' && f.entity_type !== 'pb_process') return [];
  const rows = await db('pb_proposals')
    .select('id', 'title_es', 'title_en', 'decided_at')
    .where('status', 'published')
    .where('is_example', false)
    .where(f.entity_type === 'municipality' ? { ubigeo: f.entity_id } : { process_id: Number(f.entity_id) })
    .where('decided_at', '>', w.since)
    .where('decided_at', '<=', w.until);
  return rows.map((r) => ({
    key: `p:${r.id}`,
    at: String(r.decided_at),
    text: t('participation:news.proposal_published', { title: clip(localized(r, 'title', lng).text) }),
    url: link({ name: 'pb_proposal', params: { id: Number(r.id) } }),
  }));
}

/** Residents' questions answered at a followed hearing (or any hearing of a followed municipality). */
async function questionLines(db: Db, f: FollowRow, w: Window, _lng: Lang, t: Translate, link: Link): Promise<NewsLine[]> {
  if (f.entity_type !== 'municipality' && f.entity_type !== 'hearing') return [];
  const rows = await db('hearing_questions')
    .select('id', 'hearing_id', 'body', 'answered_at')
    .where('status', 'published')
    .where(f.entity_type === 'municipality' ? { ubigeo: f.entity_id } : { hearing_id: Number(f.entity_id) })
    .where('answered_at', '>', w.since)
    .where('answered_at', '<=', w.until);
  return rows.map((r) => ({
    key: `q:${r.id}`,
    at: String(r.answered_at),
    text: t('participation:news.question_answered', { question: clip(r.body, 100) }),
    url: link({ name: 'hearing', params: { id: Number(r.hearing_id) } }),
  }));
}

/**
 * Commitments that became overdue in the window: `commitmentOverdue` (the module's one rule)
 * turns true on the day after the baseline due date, so a commitment is listed on that day
 * once, and not at all if it was fulfilled in time.
 */
async function overdueLines(db: Db, f: FollowRow, w: Window, lng: Lang, t: Translate, link: Link): Promise<NewsLine[]> {
  const scope =
    f.entity_type === 'municipality'
      ? { ubigeo: f.entity_id }
      : f.entity_type === 'hearing'
        ? { hearing_id: Number(f.entity_id) }
        : f.entity_type === 'commitment'
          ? { id: Number(f.entity_id) }
          : null;
  if (!scope) return [];
  const sinceDay = w.since.slice(0, 10);
  const rows = await db('commitments')
    .select('id', 'text_es', 'text_en', 'status', 'baseline_due_on')
    .where(scope)
    .where('is_example', false)
    .where('baseline_due_on', '>=', sinceDay)
    .where('baseline_due_on', '<', w.today);
  return rows
    .map((r) => ({ ...r, baseline_due_on: String(r.baseline_due_on).slice(0, 10) }))
    .filter((r) => commitmentOverdue(r, w.today))
    .map((r) => ({
      key: `o:${r.id}`,
      at: `${nextDay(r.baseline_due_on)}T00:00:00.000Z`,
      text: t('participation:news.overdue', { title: clip(localized(r, 'text', lng).text), date: formatters(lng).date(r.baseline_due_on) }),
      url: link({ name: 'commitment', params: { id: Number(r.id) } }),
    }));
}

/** Spending figures imported (a national file or the municipality's own upload) for a followed municipality. */
async function spendingLines(db: Db, f: FollowRow, w: Window, lng: Lang, t: Translate, link: Link): Promise<NewsLine[]> {
  if (f.entity_type !== 'municipality') return [];
  const runs = await db('import_runs')
    .select('id', 'kind', 'years', 'imported_at')
    .whereIn('kind', SPENDING_KINDS)
    .where('imported_at', '>', w.since)
    .where('imported_at', '<=', w.until)
    .where((q) => {
      q.whereNull('ubigeo').orWhere('ubigeo', f.entity_id);
    });
  const lines: NewsLine[] = [];
  const name = await titleOf(db, 'municipality', f.entity_id, lng, t);
  for (const run of runs) {
    const years = String(run.years ?? '')
      .split(',')
      .map(Number)
      .filter((y) => Number.isInteger(y) && y > 2000);
    if (!years.length) continue;
    const has = await db('execution_totals').select('year').where({ ubigeo: f.entity_id, source: run.kind }).whereIn('year', years);
    const cutOffs = await db('execution_years').select('year', 'cut_off').where('source', run.kind).whereIn('year', years);
    for (const { year } of has) {
      const cutOff = cutOffs.find((c) => Number(c.year) === Number(year))?.cut_off;
      lines.push({
        key: `s:${run.id}:${year}`,
        at: String(run.imported_at),
        text: t('participation:news.spending', { name, year: Number(year), cut_off: cutOff ? formatters(lng).date(String(cutOff).slice(0, 10)) : '—' }),
        url: link({ name: 'spending_municipality', params: { ubigeo: f.entity_id } }, { year: Number(year) }),
      });
    }
  }
  return lines;
}
