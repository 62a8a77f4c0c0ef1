import type { Request, Response } from 'express';
import { safeReturnTo } from '../../auth/return-to';
import { lngOf } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import { parse } from '../../lib/http';
import { actorOf } from '../audit';
import { DecideParams, DecisionForm, FlagForm, ResolveForm } from './moderation.schemas';
import type { ModerationService } from './moderation.service';
import { FLAG_REASONS, HIDE_REASONS, PUBLISH_REASONS, type DisputePort } from './moderation.types';

const DONE = ['decided', 'resolved', 'stale'];

export function moderationHandlers({ service, disputes }: { service: ModerationService; disputes: DisputePort }) {
  return {
    async queue(req: Request, res: Response) {
      const [{ entries, counts }, open] = await Promise.all([service.queue(), req.user!.role === 'admin' ? disputes.open() : Promise.resolve([])]);
      const done = typeof req.query.done === 'string' && DONE.includes(req.query.done) ? req.query.done : null;
      res.render('moderation/queue', {
        title: res.locals.t('moderation:title'),
        entries,
        counts,
        disputes: open,
        canResolve: req.user!.role === 'admin',
        publishReasons: PUBLISH_REASONS,
        hideReasons: HIDE_REASONS,
        done,
      });
    },
    async decide(req: Request, res: Response) {
      const p = parse(DecideParams, req.params, 404);
      const f = parse(DecisionForm, req.body, 422);
      try {
        await service.decide(actorOf(req.user!), p.type, p.id, f);
      } catch (e) {
        if ((e as { status?: number }).status !== 409) throw e;
        return res.redirect(303, pageUrl(lngOf(res), 'moderation', {}, { done: 'stale' }));
      }
      res.redirect(303, pageUrl(lngOf(res), 'moderation', {}, { done: 'decided' }));
    },
    async resolveDispute(req: Request, res: Response) {
      const { id } = parse(DecideParams.pick({ id: true }), req.params, 404);
      const f = parse(ResolveForm, req.body, 422);
      await disputes.resolve(actorOf(req.user!), id, f.resolution, f.reason);
      res.redirect(303, pageUrl(lngOf(res), 'moderation', {}, { done: 'resolved' }));
    },
    async flag(req: Request, res: Response) {
      const f = parse(FlagForm, req.body, 422);
      await service.flag(req.user!.id, f.type, f.id, f.reason);
      const back = safeReturnTo(f.return_to);
      res.redirect(303, `${back}${back.includes('?') ? '&' : '?'}done=flagged`);
    },
  };
}

export { FLAG_REASONS };
