import type { Request, Response } from 'express';
import { lngOf } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { idOr404 } from '../../lib/schemas';
import { fieldErrors, renderInvalid, validated } from '../../web/forms';
import { actorOf } from '../audit';
import { FLAG_REASONS } from '../moderation';
import { placeName } from '../../web/seo';
import { writePabulib } from './participation.pabulib';
import type { ProposalService } from './participation.proposals';
import type { QuestionService } from './participation.questions';
import type { Uploads } from './participation.uploads';
import * as S from './participation.schemas';

const PROPOSAL_KEYS = Object.keys(S.ProposalForm.shape).filter((k) => k !== 'website');
const DONE = ['proposed', 'supported', 'followed', 'unfollowed', 'voted', 'reviewed', 'tallied', 'prioritised', 'flagged', 'commented'];
const doneOf = (req: Request): string | null => (typeof req.query.done === 'string' && DONE.includes(req.query.done) ? req.query.done : null);
const kept = (body: unknown, fields: readonly string[]): Record<string, string> => {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, typeof b[f] === 'string' ? b[f].slice(0, 10_000) : '']));
};
function processKey(req: Request): { ubigeo: string; year: number } {
  const ubigeo = S.Ubigeo.safeParse(req.params.ubigeo);
  const year = S.Year.safeParse(req.params.year);
  if (!ubigeo.success || !year.success) throw new NotFoundError();
  return { ubigeo: ubigeo.data, year: year.data };
}

/** Residents propose, support and vote; officials review, tally and prioritise (thin handlers over ProposalService). */
export function proposalHandlers({
  proposals,
  questions,
  uploads,
  logger,
  placeOf,
}: {
  proposals: ProposalService;
  questions: QuestionService;
  uploads: Uploads;
  logger: Logger;
  /** District, province and department of a municipality (page titles tell same-named ones apart). */
  placeOf: (ubigeo: string) => Promise<{ district: string; province: string; department: string }>;
}) {
  /** The document title and description of a public page (seo:<key>), with the municipality's name. */
  const seo = async (res: Response, key: string, ubigeo: string, facts: Record<string, unknown>) => {
    const all = { ...facts, name: placeName(res.locals.t, await placeOf(ubigeo)) };
    return { docTitle: res.locals.t(`seo:${key}.title`, all), description: res.locals.t(`seo:${key}.description`, all) };
  };
  const back = (res: Response, name: Parameters<typeof pageUrl>[1], params: Record<string, string | number>, query?: Record<string, string>) =>
    res.redirect(303, pageUrl(lngOf(res), name, params, query));

  /** A validation failure re-renders the view with 422 and the input kept; a bot signal is 400. */
  async function formAction(req: Request, res: Response, view: string, locals: () => Promise<Record<string, unknown>>, action: () => Promise<void>) {
    try {
      await action();
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const errors = fieldErrors(e);
      if (errors.website) throw new ValidationError([{ field: 'form', key: errors.website }], 400);
      renderInvalid(logger, req, res, view, { ...(await locals()), errors });
    }
  }
  /** An official's action on the manage-proposals page; invalid input shows the page again (with `extra`, e.g. the row in error). */
  const manageAction = (req: Request, res: Response, ubigeo: string, year: number, action: () => Promise<void>, extra: Record<string, unknown> = {}) =>
    formAction(
      req,
      res,
      'participation/manage-proposals',
      async () => ({ title: res.locals.t('participation:manage_proposals.title', { year }), ubigeo, ...(await proposals.manageProposals(ubigeo, year)), done: null, ...extra }),
      action,
    );

  return {
    async list(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      const page = await proposals.proposalsPage(ubigeo, year);
      res.render('participation/proposals', {
        title: res.locals.t('participation:proposals.title', { year }),
        ...(await seo(res, 'proposals', ubigeo, { year })),
        ...page,
        user: req.user ?? null,
        done: doneOf(req),
      });
    },
    async show(req: Request, res: Response) {
      const page = await proposals.proposalPage(idOr404(req.params.id), req.user?.id);
      const facts = { id: page.proposal.id, year: page.process.year, title: page.proposal.title_es };
      res.render('participation/proposal', {
        title: page.proposal.title_es,
        ...(await seo(res, 'proposal', page.proposal.ubigeo, facts)),
        ...page,
        user: req.user ?? null,
        done: doneOf(req),
        flagReasons: FLAG_REASONS,
        errors: {},
        commentBody: '',
      });
    },
    async comment(req: Request, res: Response) {
      const id = idOr404(req.params.id);
      await formAction(
        req,
        res,
        'participation/proposal',
        async () => {
          const page = await proposals.proposalPage(id, req.user!.id);
          return { title: page.proposal.title_es, ...page, user: req.user!, done: null, flagReasons: FLAG_REASONS, commentBody: kept(req.body, ['body']).body };
        },
        async () => {
          const f = validated(S.CommentForm, req.body);
          await proposals.comment(req.user!.id, id, f.body);
          back(res, 'pb_proposal', { id }, { done: 'commented' });
        },
      );
    },
    async form(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      const page = await proposals.processForProposals(ubigeo, year, req.user!.id);
      res.render('participation/proposal-form', { title: res.locals.t('participation:proposals.new'), ...page, values: kept({}, PROPOSAL_KEYS), errors: {} });
    },
    async submit(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      await formAction(
        req,
        res,
        'participation/proposal-form',
        async () => ({ title: res.locals.t('participation:proposals.new'), ...(await proposals.processForProposals(ubigeo, year, req.user!.id)), values: kept(req.body, PROPOSAL_KEYS) }),
        async () => {
          const input = validated(S.ProposalForm, req.body);
          await proposals.submit(req.user!.id, ubigeo, year, input);
          back(res, 'pb_proposals', { ubigeo, year }, { done: 'proposed' });
        },
      );
    },
    async support(req: Request, res: Response) {
      const id = idOr404(req.params.id);
      const f = validated(S.SupportForm, req.body);
      await proposals.support(req.user!.id, id, f.resident === '1');
      back(res, 'pb_proposal', { id }, { done: 'supported' });
    },
    async ballot(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      const page = await proposals.ballotPage(ubigeo, year, req.user!.id);
      res.render('participation/ballot', { title: res.locals.t('participation:ballot.title', { year }), ...page, chosen: [], errors: {}, done: doneOf(req) });
    },
    async vote(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      const raw = (req.body ?? {}).choice;
      const chosen = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string').map(Number);
      await formAction(
        req,
        res,
        'participation/ballot',
        async () => ({ title: res.locals.t('participation:ballot.title', { year }), ...(await proposals.ballotPage(ubigeo, year, req.user!.id)), chosen, done: null }),
        async () => {
          const f = validated(S.BallotForm, req.body);
          await proposals.vote(req.user!.id, ubigeo, year, f.choice, f.resident === '1');
          back(res, 'pb_ballot', { ubigeo, year }, { done: 'voted' });
        },
      );
    },
    async results(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      const page = await proposals.resultsPage(ubigeo, year);
      res.render('participation/results', { title: res.locals.t('participation:results.title', { year }), ...(await seo(res, 'pb_results', ubigeo, { year })), ...page });
    },
    async act(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      uploads.sendStored(res, await proposals.actFile(ubigeo, year, idOr404(req.params.id)));
    },
    async pabulib(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      const text = writePabulib(await proposals.pabulibData(ubigeo, year));
      res.set('Content-Type', 'text/plain; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="peru_${ubigeo}_${year}.pb"`);
      res.send(text);
    },

    // ---- questions to hearings ----
    async ask(req: Request, res: Response) {
      const id = idOr404(req.params.id);
      const r = S.QuestionForm.safeParse(req.body ?? {});
      if (!r.success) {
        const errors = fieldErrors(r.error);
        if (errors.website) throw new ValidationError([{ field: 'form', key: errors.website }], 400);
        throw new ValidationError(
          Object.entries(errors).map(([field, key]) => ({ field, key })),
          422,
        );
      }
      await questions.ask(req.user!.id, id, r.data);
      back(res, 'hearing', { id }, { done: 'asked' });
    },
    async answer(req: Request, res: Response) {
      const ubigeo = S.Ubigeo.parse(req.params.ubigeo);
      const f = validated(S.AnswerForm, req.body);
      const hearingId = await questions.answer(actorOf(req.user!), ubigeo, idOr404(req.params.id), f.answer);
      back(res, 'manage_hearing', { ubigeo, id: hearingId }, { done: 'answered' });
    },

    // ---- officials ----
    async manage(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      const page = await proposals.manageProposals(ubigeo, year);
      res.render('participation/manage-proposals', { title: res.locals.t('participation:manage_proposals.title', { year }), ubigeo, ...page, errors: {}, done: doneOf(req) });
    },
    async review(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      const id = idOr404(req.params.id);
      await manageAction(
        req,
        res,
        ubigeo,
        year,
        async () => {
          await proposals.review(actorOf(req.user!), ubigeo, id, validated(S.ReviewForm, req.body));
          back(res, 'manage_proposals', { ubigeo, year }, { done: 'reviewed' });
        },
        { errorId: id },
      );
    },
    async tally(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      await manageAction(req, res, ubigeo, year, async () => {
        const body = validated(S.TallyForm, req.body);
        const votes = new Map<number, number>();
        for (const [k, v] of Object.entries(req.body ?? {})) {
          const m = /^votes_(\d{1,9})$/.exec(k);
          if (!m || v === '' || v == null) continue;
          const n = S.tallyVotes.safeParse(v);
          if (!n.success) throw new ValidationError([{ field: 'tally', key: 'participation:errors.number_invalid' }], 422);
          votes.set(Number(m[1]), n.data);
        }
        const act = await uploads.storePdf(req.file, 'act');
        try {
          await proposals.tally(actorOf(req.user!), ubigeo, year, votes, body.reason ?? null, act);
        } catch (e) {
          await uploads.discard(act); // a refused tally keeps no file
          throw e;
        }
        back(res, 'manage_proposals', { ubigeo, year }, { done: 'tallied' });
      });
    },
    async winners(req: Request, res: Response) {
      const { ubigeo, year } = processKey(req);
      await proposals.promoteWinners(actorOf(req.user!), ubigeo, year);
      back(res, 'manage_proposals', { ubigeo, year }, { done: 'prioritised' });
    },
  };
}
