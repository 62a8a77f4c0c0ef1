import { idOr404 } from '../../lib/schemas';
import type { Request, Response } from 'express';
import { lngOf } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { fieldErrors, FieldErrors, renderInvalid, validated } from '../../web/forms';
import { parse } from '../../lib/http';
import { actorOf } from '../audit';
import type { BulkImport } from './participation.import';
import { verifyUnsubscribeToken } from './participation.digests';
import * as S from './participation.schemas';
import type { ParticipationService } from './participation.service';
import { COMMITMENT_STATUSES, ITEM_STATUSES, PHASES } from './participation.types';
import type { DigestPreferencesPort, FollowType } from './participation.types';
import type { Uploads } from './participation.uploads';
import { cuiMoney, MefUpload } from './participation.mef';
import type { ImportJobs } from './participation.jobs';
import type { BreakdownService } from '../spending';
import { FLAG_REASONS } from '../moderation';
import { HEARING_STATES, QUESTION_TOPICS } from './participation.types';
import { placeName } from '../../web/seo';

const idOf = idOr404;
const ubigeoOf = (req: Request) => req.params.ubigeo as string;
const DONE = ['followed', 'unfollowed', 'observed', 'disputed', 'saved', 'milestone', 'commitment', 'update', 'process', 'withdrawn', 'answered', 'flagged', 'asked'];
/** The confirmation to show after a redirect, from an allow-list. */
const doneOf = (req: Request): string | null => (typeof req.query.done === 'string' && DONE.includes(req.query.done) ? req.query.done : null);
const ENGAGE_DONE = ['followed', 'unfollowed', 'observed', 'disputed', 'flagged'];
/** What an item or commitment page shows a signed-in resident or monitor: following, who, and the notice of what they just did. */
const engaged = (req: Request, following: boolean) => ({ following, user: req.user ?? null, done: ENGAGE_DONE.includes(doneOf(req) ?? '') ? doneOf(req) : null });
/** Rows per page of the public item list. */
const ITEMS_PAGE_SIZE = 100;

/** The string fields of a posted form, kept to re-render it (never passwords here). */
const kept = (body: unknown, fields: readonly string[]): Record<string, string> => {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, typeof b[f] === 'string' ? b[f].slice(0, 10_000) : '']));
};
const soles = (c: number | null | undefined) => (c == null ? '' : (Number(c) / 100).toFixed(2));
const str = (v: unknown) => (v == null ? '' : String(v));

// Form fields come from the zod schemas (one list each), plus the public reason of a change.
const PROCESS_KEYS = [...Object.keys(S.ProcessForm.shape), 'reason'];
const ITEM_KEYS = [...Object.keys(S.ItemForm.shape), 'reason'];
const MILESTONE_KEYS = Object.keys(S.MilestoneForm.shape);
const HEARING_KEYS = [...Object.keys(S.HearingForm.shape), 'reason'];
const COMMITMENT_KEYS = [...Object.keys(S.CommitmentForm.shape), 'reason'];
const UPDATE_KEYS = Object.keys(S.CommitmentUpdateForm.shape);
/** A stored row as the strings its form shows (money in soles); the reason always starts blank. */
const formValues = (row: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, k === 'reason' ? '' : str(row[k])]));

export function participationHandlers({
  service,
  uploads,
  bulk,
  logger,
  secret,
  mef,
  breakdown,
  importJobs,
  digests,
}: {
  service: ParticipationService;
  uploads: Uploads;
  bulk: BulkImport;
  logger: Logger;
  secret: string;
  mef: MefUpload;
  breakdown: BreakdownService;
  importJobs: ImportJobs;
  /** Where a user's digest frequency is kept (accounts module): the unsubscribe link turns it off. */
  digests: DigestPreferencesPort;
}) {
  const common = () => ({ itemStatuses: ITEM_STATUSES, commitmentStatuses: COMMITMENT_STATUSES, hearingStates: HEARING_STATES, flagReasons: FLAG_REASONS });

  /** Runs a form action; a validation failure re-renders the form with 422 and the input kept. */
  async function formAction(req: Request, res: Response, view: string, locals: () => Promise<Record<string, unknown>>, action: () => Promise<void>, errorsKey = 'errors') {
    try {
      await action();
    } catch (e) {
      if (!(e instanceof ValidationError) || e.status === 413) throw e;
      const errors: FieldErrors = fieldErrors(e);
      const base = await locals();
      renderInvalid(logger, req, res, view, { ...base, errors: {}, [errorsKey]: errors, ...common() });
    }
  }
  const back = (res: Response, name: Parameters<typeof pageUrl>[1], params: Record<string, string | number>, query?: Record<string, string>) =>
    res.redirect(303, pageUrl(lngOf(res), name, params, query));
  /** After a follow or unfollow: back to the "what's new" page it came from, else to the followed page. */
  async function backToFollowed(req: Request, res: Response, f: { entity_type: FollowType; entity_id: string }, done: string) {
    if (req.body?.from === 'news') return back(res, 'account_news', {}, { done });
    const page = await service.followedPage(f.entity_type, f.entity_id);
    return page ? back(res, page.name, page.params, { done }) : back(res, 'account_news', {}, { done });
  }

  async function itemFormLocals(req: Request, res: Response, id: number | null, values?: Record<string, string>) {
    const ubigeo = ubigeoOf(req);
    const item = id ? await service.ownItem(ubigeo, id) : null;
    const v =
      values ??
      (item
        ? { ...formValues(item as unknown as Record<string, unknown>, ITEM_KEYS), total_cost: soles(item.total_cost), pia_amount: soles(item.pia_amount) }
        : Object.fromEntries(ITEM_KEYS.map((k) => [k, k === 'status' ? 'en_formulacion' : ''])));
    const milestones = item ? await service.milestonesOf(item.id) : [];
    return {
      title: res.locals.t(item ? 'participation:manage.edit_item' : 'participation:manage.new_item'),
      ubigeo,
      item,
      values: v,
      milestone: Object.fromEntries(MILESTONE_KEYS.map((k) => [k, ''])),
      milestones,
      errors: {},
      milestoneErrors: {},
      done: doneOf(req),
    };
  }

  async function hearingFormLocals(req: Request, res: Response, id: number | null, values?: Record<string, string>) {
    const ubigeo = ubigeoOf(req);
    const hearing = id ? await service.ownHearing(ubigeo, id) : null;
    const v = values ?? (hearing ? formValues(hearing as unknown as Record<string, unknown>, HEARING_KEYS) : { ...Object.fromEntries(HEARING_KEYS.map((k) => [k, ''])), state: 'convocada' });
    const commitments = hearing ? (await service.hearingPage(hearing.id)).commitments : [];
    return {
      title: res.locals.t(hearing ? 'participation:manage.edit_hearing' : 'participation:manage.new_hearing'),
      ubigeo,
      hearing,
      values: v,
      commitment: { ...Object.fromEntries(COMMITMENT_KEYS.map((k) => [k, ''])), status: 'pendiente' },
      commitments,
      questions: hearing ? await service.questions.toAnswer(ubigeo, hearing.id) : [],
      errors: {},
      commitmentErrors: {},
      done: doneOf(req),
    };
  }

  const ROW_FORMS = {
    item: { own: (ubigeo: string, id: number) => service.ownItem(ubigeo, id), view: 'participation/item-form', locals: itemFormLocals, page: 'manage_item' },
    hearing: { own: (ubigeo: string, id: number) => service.ownHearing(ubigeo, id), view: 'participation/hearing-form', locals: hearingFormLocals, page: 'manage_hearing' },
    commitment: { own: (ubigeo: string, id: number) => service.ownCommitment(ubigeo, id), view: 'participation/commitment-form', locals: commitmentFormLocals, page: 'manage_commitment' },
  } as const;

  /**
   * A POST on one of the municipality's own items, hearings or commitments (:id): `act` runs, then
   * back to its manage page with `done`; invalid input renders its form again with the errors under
   * `errors` and, with `keep`, the typed sub-form (a milestone, commitment or update) under `keep.as`.
   */
  async function rowAction(
    req: Request,
    res: Response,
    spec: { kind: keyof typeof ROW_FORMS; errors: string; done: string; keep?: { as: string; keys: readonly string[] } },
    act: (ubigeo: string, id: number) => Promise<unknown>,
  ) {
    const form = ROW_FORMS[spec.kind];
    const ubigeo = ubigeoOf(req);
    const id = idOf(req.params.id);
    await form.own(ubigeo, id);
    const values = () => (spec.keep ? { [spec.keep.as]: kept(req.body, spec.keep.keys) } : {});
    await formAction(
      req,
      res,
      form.view,
      async () => ({ ...(await form.locals(req, res, id)), ...values() }),
      async () => {
        await act(ubigeo, id);
        back(res, form.page, { ubigeo, id }, { done: spec.done });
      },
      spec.errors,
    );
  }

  /** The new / edit form of an item or a hearing (:id when editing). */
  async function rowForm(req: Request, res: Response, kind: keyof typeof ROW_FORMS) {
    res.render(ROW_FORMS[kind].view, { ...(await ROW_FORMS[kind].locals(req, res, req.params.id ? idOf(req.params.id) : null)), ...common() });
  }

  /**
   * Saves an item or a hearing, new or (with :id) one of the municipality's own: `save` returns its
   * id, then back to its manage page; invalid input renders the form again with the sent `keys`.
   */
  async function saveRow(req: Request, res: Response, kind: keyof typeof ROW_FORMS, keys: readonly string[], save: (ubigeo: string, id: number | null) => Promise<number>) {
    const form = ROW_FORMS[kind];
    const ubigeo = ubigeoOf(req);
    const id = req.params.id ? idOf(req.params.id) : null;
    if (id) await form.own(ubigeo, id);
    await formAction(
      req,
      res,
      form.view,
      () => form.locals(req, res, id, kept(req.body, keys)),
      async () => {
        const newId = await save(ubigeo, id);
        back(res, form.page, { ubigeo, id: newId }, { done: 'saved' });
      },
    );
  }

  async function commitmentFormLocals(req: Request, res: Response, id: number | null, values?: Record<string, string>) {
    const ubigeo = ubigeoOf(req);
    if (id == null) throw new NotFoundError(); // commitments are created from their hearing's page
    const c = await service.ownCommitment(ubigeo, id);
    const v = values ?? formValues(c as unknown as Record<string, unknown>, COMMITMENT_KEYS);
    return {
      title: res.locals.t('participation:manage.edit_commitment'),
      ubigeo,
      commitment: c,
      values: v,
      update: { ...Object.fromEntries(UPDATE_KEYS.map((k) => [k, ''])), status: c.status },
      updates: await service.updatesOf(c.id),
      errors: {},
      updateErrors: {},
      done: doneOf(req),
    };
  }

  return {
    // ---------------- public ----------------
    async items(req: Request, res: Response) {
      const f = parse(S.ListQuery, req.query);
      const list = await service.listItemsPage({ ...f, overdue: f.overdue === '1' }, f.page ?? 1, ITEMS_PAGE_SIZE);
      const query = { ubigeo: f.ubigeo, department: f.department, year: f.year, status: f.status, overdue: f.overdue };
      const apiQuery = new URLSearchParams(
        Object.entries(query)
          .filter(([, v]) => v != null)
          .map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      res.render('participation/items', {
        title: res.locals.t('participation:items.title'),
        filter: f,
        ...list,
        pageSize: ITEMS_PAGE_SIZE,
        query,
        apiHref: `/api/v1/participatory-budget/items${apiQuery ? `?${apiQuery}` : ''}`,
        ...common(),
      });
    },
    async item(req: Request, res: Response) {
      const page = await service.itemPage(idOf(req.params.id));
      const following = await service.isFollowing(req.user?.id, 'pb_item', page.item.id);
      const money = await cuiMoney(breakdown, page.item, lngOf(res));
      const itemTitle = res.locals.loc(page.item as unknown as Record<string, unknown>, 'title').text;
      const itemFacts = {
        title: itemTitle,
        name: placeName(res.locals.t, await service.municipalityPlace(page.item.ubigeo)),
        ubigeo: page.item.ubigeo,
        year: page.item.year,
        status: res.locals.t(`participation:status.${page.item.status}`),
        progress: res.locals.fmt.pct(page.item.progress_pct, 0),
      };
      res.render('participation/item', {
        money,
        title: itemTitle,
        docTitle: res.locals.t('seo:item.title', itemFacts),
        description: res.locals.t('seo:item.description', itemFacts),
        ...page,
        ...engaged(req, following),
        ...common(),
      });
    },
    async evidence(req: Request, res: Response) {
      uploads.sendStored(res, await service.evidenceFile(idOf(req.params.id)));
    },
    async process(req: Request, res: Response) {
      const ubigeo = S.Ubigeo.safeParse(req.params.ubigeo);
      const year = S.Year.safeParse(req.params.year);
      if (!ubigeo.success || !year.success) throw new NotFoundError();
      const page = await service.processPage(ubigeo.data, year.data);
      const processFacts = { year: year.data, name: placeName(res.locals.t, await service.municipalityPlace(ubigeo.data)), ubigeo: ubigeo.data };
      res.render('participation/process', {
        title: res.locals.t('participation:process.title', { year: year.data }),
        docTitle: res.locals.t('seo:process.title', processFacts),
        description: res.locals.t('seo:process.description', processFacts),
        ...page,
        following: await service.isFollowing(req.user?.id, 'pb_process', page.process.id),
        done: doneOf(req),
        stage: service.proposals.stageOf(page.process),
        phases: PHASES,
        ...common(),
      });
    },
    async hearings(req: Request, res: Response) {
      const f = parse(S.ListQuery, req.query);
      const hearings = await service.listHearings({ ...f, overdue: undefined });
      res.render('participation/hearings', { title: res.locals.t('participation:hearings.title'), filter: f, hearings, ...common() });
    },
    async hearing(req: Request, res: Response) {
      const page = await service.hearingPage(idOf(req.params.id));
      const hearingFacts = { date: res.locals.fmt.date(page.hearing.held_on), name: placeName(res.locals.t, await service.municipalityPlace(page.hearing.ubigeo)), ubigeo: page.hearing.ubigeo };
      res.render('participation/hearing', {
        title: res.locals.t('participation:hearing.title', { date: res.locals.fmt.date(page.hearing.held_on) }),
        docTitle: res.locals.t('seo:hearing.title', hearingFacts),
        description: res.locals.t('seo:hearing.description', hearingFacts),
        ...page,
        questions: await service.questions.forHearing(page.hearing),
        questionTopics: QUESTION_TOPICS,
        following: await service.isFollowing(req.user?.id, 'hearing', page.hearing.id),
        user: req.user ?? null,
        done: doneOf(req),
        ...common(),
      });
    },
    async report(req: Request, res: Response) {
      uploads.sendStored(res, await service.reportFile(idOf(req.params.id)));
    },
    async commitments(req: Request, res: Response) {
      const f = parse(S.ListQuery, req.query);
      const commitments = await service.listCommitments({ ...f, overdue: f.overdue === '1' });
      res.render('participation/commitments', {
        title: res.locals.t('participation:commitments.title'),
        filter: f,
        commitments,
        apiHref: `/api/v1/accountability/commitments${req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : ''}`,
        ...common(),
      });
    },
    async commitment(req: Request, res: Response) {
      const page = await service.commitmentPage(idOf(req.params.id));
      const following = await service.isFollowing(req.user?.id, 'commitment', page.commitment.id);
      const text = res.locals.loc(page.commitment as unknown as Record<string, unknown>, 'text').text;
      const short = text.length > 70 ? `${text.slice(0, 69).trimEnd()}…` : text;
      const commitmentFacts = {
        id: page.commitment.id,
        text: short,
        name: placeName(res.locals.t, await service.municipalityPlace(page.commitment.ubigeo)),
        ubigeo: page.commitment.ubigeo,
        due: res.locals.fmt.date(page.commitment.due_on),
        status: res.locals.t(`participation:status.${page.commitment.status}`),
      };
      res.render('participation/commitment', {
        title: res.locals.t('participation:commitment.title'),
        docTitle: res.locals.t('seo:commitment.title', commitmentFacts),
        description: res.locals.t('seo:commitment.description', { ...commitmentFacts, text }),
        ...page,
        ...engaged(req, following),
        ...common(),
      });
    },
    async delivery(req: Request, res: Response) {
      const ubigeo = S.Ubigeo.safeParse(req.params.ubigeo);
      if (!ubigeo.success) throw new NotFoundError();
      const municipality = await service.municipalityName(ubigeo.data);
      const s = await service.summary(ubigeo.data);
      const place = placeName(res.locals.t, await service.municipalityPlace(ubigeo.data));
      res.render('participation/delivery', {
        title: res.locals.t('participation:delivery.title', { name: municipality }),
        docTitle: res.locals.t('seo:delivery.title', { place }),
        description: res.locals.t('seo:delivery.description', { place }),
        municipality,
        ubigeo: ubigeo.data,
        s,
        processes: await service.listProcesses(ubigeo.data),
        ...common(),
      });
    },
    /** The digest's one-click link: no sign-in, the signed token says whose digest stops (follows are kept). */
    async unsubscribe(req: Request, res: Response) {
      const token = typeof req.query.token === 'string' ? req.query.token : '';
      const userId = verifyUnsubscribeToken(secret, token);
      if (userId == null) throw new ValidationError([{ field: 'token', key: 'participation:errors.unsubscribe_invalid' }], 400);
      await digests.setFrequency(userId, 'off');
      res.set('Cache-Control', 'no-store');
      res.render('participation/notice', { title: res.locals.t('participation:unsubscribe.title'), noindex: true, message: 'participation:unsubscribe.done' });
    },

    // ---------------- residents and monitors ----------------
    async follow(req: Request, res: Response) {
      const f = parse(S.FollowForm, req.body, 422);
      await service.follow(req.user!.id, f.entity_type, f.entity_id);
      await backToFollowed(req, res, f, 'followed');
    },
    async unfollow(req: Request, res: Response) {
      const f = parse(S.FollowForm, req.body, 422);
      await service.unfollow(req.user!.id, f.entity_type, f.entity_id);
      await backToFollowed(req, res, f, 'unfollowed');
    },
    /** The account's "what's new": the digest's list for the last 30 days, and what the user follows. */
    async news(req: Request, res: Response) {
      res.set('Cache-Control', 'no-store');
      const lng = lngOf(res);
      const view = await service.whatsNew(req.user!.id, lng, res.locals.t);
      res.render('participation/news', { title: res.locals.t('participation:news.title'), noindex: true, ...view, done: doneOf(req) });
    },
    async observe(req: Request, res: Response) {
      const f = parse(S.ObservationForm, req.body, 422);
      await service.observe(req.user!, f.entity_type, f.entity_id, f.body);
      back(res, f.entity_type === 'pb_item' ? 'pb_item' : 'commitment', { id: f.entity_id }, { done: 'observed' });
    },
    async dispute(req: Request, res: Response) {
      const f = parse(S.DisputeForm, req.body, 422);
      const target = await service.openDispute(req.user!, f.kind, f.id, f.reason);
      back(res, target.type === 'pb_item' ? 'pb_item' : 'commitment', { id: target.id }, { done: 'disputed' });
    },

    // ---------------- officials ----------------
    async manage(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const overview = await service.manageOverview(ubigeo);
      const [imports, uploads] = await Promise.all([bulk.recent(ubigeo), importJobs.recent(ubigeo)]);
      res.render('participation/manage', {
        title: res.locals.t('participation:manage.title'),
        ubigeo,
        municipality: await service.municipalityName(ubigeo),
        ...overview,
        imports,
        uploads,
        report: null,
        errors: {},
        ...common(),
      });
    },
    async processForm(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const p = req.params.id ? await service.ownProcess(ubigeo, idOf(req.params.id)) : null;
      const values = p ? { ...formValues(p as unknown as Record<string, unknown>, PROCESS_KEYS), budget_envelope: soles(p.budget_envelope) } : Object.fromEntries(PROCESS_KEYS.map((k) => [k, '']));
      res.render('participation/process-form', { title: res.locals.t('participation:manage.process'), ubigeo, process: p, values, phases: PHASES, errors: {}, ...common() });
    },
    async saveProcess(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const id = req.params.id ? idOf(req.params.id) : null;
      const p = id ? await service.ownProcess(ubigeo, id) : null;
      await formAction(
        req,
        res,
        'participation/process-form',
        async () => ({ title: res.locals.t('participation:manage.process'), ubigeo, process: p, values: kept(req.body, PROCESS_KEYS), phases: PHASES }),
        async () => {
          const input = validated(S.ProcessForm, req.body);
          if (id) await service.updateProcess(actorOf(req.user!), ubigeo, id, input, validated(S.ReasonForm, req.body).reason);
          else await service.createProcess(actorOf(req.user!), ubigeo, input);
          back(res, 'manage_participation', { ubigeo }, { done: 'process' });
        },
      );
    },
    async itemForm(req: Request, res: Response) {
      await rowForm(req, res, 'item');
    },
    async saveItem(req: Request, res: Response) {
      await saveRow(req, res, 'item', ITEM_KEYS, async (ubigeo, id) => {
        const input = validated(S.ItemForm, req.body);
        const newId = id ?? (await service.createItem(actorOf(req.user!), ubigeo, input));
        if (id) await service.updateItem(actorOf(req.user!), ubigeo, id, input, validated(S.ReasonForm, req.body).reason);
        return newId;
      });
    },
    async withdrawItem(req: Request, res: Response) {
      await rowAction(req, res, { kind: 'item', errors: 'withdrawErrors', done: 'withdrawn' }, (ubigeo, id) =>
        service.withdrawItem(actorOf(req.user!), ubigeo, id, validated(S.WithdrawForm, req.body).reason),
      );
    },
    async addMilestone(req: Request, res: Response) {
      await rowAction(req, res, { kind: 'item', errors: 'milestoneErrors', done: 'milestone', keep: { as: 'milestone', keys: MILESTONE_KEYS } }, async (ubigeo, id) => {
        const input = validated(S.MilestoneForm, req.body);
        await service.addMilestone(actorOf(req.user!), ubigeo, id, input, await uploads.storePdf(req.file, 'evidence_file'));
      });
    },
    async hearingForm(req: Request, res: Response) {
      await rowForm(req, res, 'hearing');
    },
    async saveHearing(req: Request, res: Response) {
      await saveRow(req, res, 'hearing', HEARING_KEYS, async (ubigeo, id) => {
        const input = validated(S.HearingForm, req.body);
        const file = await uploads.storePdf(req.file, 'report');
        const newId = id ?? (await service.createHearing(actorOf(req.user!), ubigeo, input, file));
        if (id) await service.updateHearing(actorOf(req.user!), ubigeo, id, input, file, validated(S.ReasonForm, req.body).reason);
        return newId;
      });
    },
    async withdrawHearing(req: Request, res: Response) {
      await rowAction(req, res, { kind: 'hearing', errors: 'withdrawErrors', done: 'withdrawn' }, (ubigeo, id) =>
        service.withdrawHearing(actorOf(req.user!), ubigeo, id, validated(S.WithdrawForm, req.body).reason),
      );
    },
    async addCommitment(req: Request, res: Response) {
      await rowAction(req, res, { kind: 'hearing', errors: 'commitmentErrors', done: 'commitment', keep: { as: 'commitment', keys: COMMITMENT_KEYS } }, (ubigeo, id) =>
        service.createCommitment(actorOf(req.user!), ubigeo, id, validated(S.CommitmentForm, req.body)),
      );
    },
    async commitmentForm(req: Request, res: Response) {
      res.render('participation/commitment-form', { ...(await commitmentFormLocals(req, res, idOf(req.params.id))), ...common() });
    },
    async saveCommitment(req: Request, res: Response) {
      await saveRow(req, res, 'commitment', COMMITMENT_KEYS, async (ubigeo, id) => {
        if (id == null) throw new NotFoundError();
        await service.updateCommitment(actorOf(req.user!), ubigeo, id, validated(S.CommitmentForm, req.body), validated(S.ReasonForm, req.body).reason);
        return id;
      });
    },
    async addCommitmentUpdate(req: Request, res: Response) {
      await rowAction(req, res, { kind: 'commitment', errors: 'updateErrors', done: 'update', keep: { as: 'update', keys: UPDATE_KEYS } }, (ubigeo, id) =>
        service.addCommitmentUpdate(actorOf(req.user!), ubigeo, id, validated(S.CommitmentUpdateForm, req.body)),
      );
    },
    async answerObservation(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const f = parse(S.AnswerForm, req.body, 422);
      await service.answerObservation(actorOf(req.user!), ubigeo, idOf(req.params.id), f.answer);
      back(res, 'manage_participation', { ubigeo }, { done: 'answered' });
    },
    async answerDispute(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const f = parse(S.AnswerForm, req.body, 422);
      await service.answerDispute(actorOf(req.user!), ubigeo, idOf(req.params.id), f.answer);
      back(res, 'manage_participation', { ubigeo }, { done: 'answered' });
    },
    async mefUpload(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      if (!req.file?.size) throw new ValidationError([{ field: 'file', key: 'participation:errors.file_missing' }], 422);
      const id = await importJobs.submit(actorOf(req.user!), ubigeo, 'mef_gasto', req.file.originalname || 'gasto.csv', req.file.buffer);
      back(res, 'manage_job', { ubigeo, id });
    },
    async mefStatus(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const run = await mef.status(ubigeo, idOf(req.params.id));
      if (run.kind !== 'mef_gasto') throw new NotFoundError();
      res.render('participation/mef-status', { title: res.locals.t('participation:mef.status_title'), ubigeo, run });
    },
    async bulkImport(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const f = parse(S.ImportForm, req.body, 422);
      if (!req.file?.size) throw new ValidationError([{ field: 'file', key: 'participation:errors.file_missing' }], 422);
      if (req.file.buffer.includes(0)) throw new ValidationError([{ field: 'file', key: 'participation:errors.csv_unreadable' }], 422);
      const id = await importJobs.submit(actorOf(req.user!), ubigeo, f.kind, req.file.originalname || `${f.kind}.csv`, req.file.buffer);
      back(res, 'manage_job', { ubigeo, id });
    },
    /** An upload's job page: progress while it runs (refreshed without JavaScript), then its result. */
    async job(req: Request, res: Response) {
      const ubigeo = ubigeoOf(req);
      const job = await importJobs.find(ubigeo, idOf(req.params.id));
      const running = !importJobs.isFinal(job.status);
      const seconds = job.started_at ? Math.max(0.001, (Date.parse(job.updated_at ?? job.started_at) - Date.parse(job.started_at)) / 1000) : 0;
      const rate = seconds && job.rows_read ? job.rows_read / seconds : null;
      const left = job.rows_total != null ? job.rows_total - job.rows_read : job.total_bytes && job.bytes_read ? ((job.total_bytes - job.bytes_read) / job.bytes_read) * job.rows_read : null;
      const eta = running && rate && left != null ? Math.max(0, Math.ceil(left / rate)) : null;
      const autoRefresh = running && req.query.refresh !== '0';
      res.render('participation/job', {
        title: res.locals.t('participation:job.title', { id: job.id }),
        ubigeo,
        job,
        running,
        rate,
        eta,
        refreshSeconds: autoRefresh ? 2 : 0,
        autoRefresh,
      });
    },
  };
}
