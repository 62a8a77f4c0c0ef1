import type { Knex } from 'knex';
import type { Db } from '../../db';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor, AuditService } from '../audit';
import * as q from './participation.queries';
import type { EntityType, FollowType } from './participation.types';
import type { Lang } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import { followedPage, newsFor, titleOf, Translate } from './participation.news';

/** How far back the account's "what's new" page looks. */
const NEWS_DAYS = 30;

type Trx = Db | Knex.Transaction;

/** A dispute's target: the evidence of a milestone (of an item) or of an update (of a commitment). */
export type DisputeTarget = 'milestone' | 'update';
export type DisputeResolution = 'upheld' | 'rejected';

/**
 * What residents and monitors do with the record: follow items and commitments, post
 * observations (published after neutral moderation, see the moderation module; the officials
 * answer them in public), and dispute evidence. A dispute is attributed (monitor's
 * organisation), carries a reason, gets the official's public answer, and is resolved by an
 * admin (upheld or rejected, with a reason); every step lands in the public history of the item
 * or commitment.
 */
export function createMonitoringService({ db, audit, clock = Date.now }: { db: Db; audit: AuditService; clock?: () => number }) {
  const nowIso = () => new Date(clock()).toISOString();

  async function entityUbigeo(type: FollowType, id: number | string): Promise<string> {
    const ubigeo = await q.entityUbigeo(db, type, id);
    if (!ubigeo) throw new NotFoundError();
    return ubigeo;
  }

  async function history(
    trx: Trx,
    d: { entity_type: string; entity_id: number; ubigeo: string },
    kind: string,
    actorRole: string,
    actorUbigeo: string | null,
    note: string | null,
    reason: string | null,
  ) {
    await q.addHistory(trx, {
      entity_type: d.entity_type as EntityType,
      entity_id: d.entity_id,
      ubigeo: d.ubigeo,
      at: nowIso(),
      kind,
      status: null,
      progress_pct: null,
      note: note?.slice(0, 300) ?? null,
      reason,
      actor_role: actorRole,
      actor_ubigeo: actorUbigeo,
    });
  }

  return {
    entityUbigeo,

    /** Follows a record or a whole municipality (its ubigeo); following twice keeps one follow. */
    async follow(userId: number, type: FollowType, id: number | string): Promise<void> {
      await entityUbigeo(type, id);
      await q.addFollow(db, { user_id: userId, entity_type: type, entity_id: String(id), created_at: nowIso(), notified_until: nowIso() });
    },
    unfollowAll: (userId: number) => q.removeFollows(db, { user_id: userId }),
    unfollow: (userId: number, type: FollowType, id: number | string) => q.removeFollows(db, { user_id: userId, entity_type: type, entity_id: String(id) }),
    async isFollowing(userId: number | undefined, type: FollowType, id: number | string): Promise<boolean> {
      return userId ? q.isFollowing(db, userId, type, id) : false;
    },
    followsOf: (userId: number) => q.followsOf(db, userId),
    followedPage: (type: FollowType, id: string) => followedPage(db, type, id),

    /**
     * The account's "what's new": the digest's list (`newsFor`, one rule for both) over the last
     * 30 days, or since the follow when it is newer, and the list of what the user follows.
     */
    async whatsNew(userId: number, lng: Lang, t: Translate) {
      const follows = await q.followsOf(db, userId);
      const until = nowIso();
      const from = new Date(clock() - NEWS_DAYS * 24 * 3_600_000).toISOString();
      const groups = await newsFor(db, { follows, sinceOf: (f) => (f.created_at > from ? f.created_at : from), until, today: until.slice(0, 10), lng, t });
      const followed = [];
      for (const f of follows) {
        const page = await followedPage(db, f.entity_type, f.entity_id);
        if (page) followed.push({ type: f.entity_type, id: f.entity_id, title: await titleOf(db, f.entity_type, f.entity_id, lng, t), url: pageUrl(lng, page.name, page.params) });
      }
      return { groups, followed, days: NEWS_DAYS };
    },

    /** A monitor's observation waits for neutral moderation (never by the municipality's officials). */
    async observe(user: { id: number }, type: EntityType, id: number, body: string): Promise<void> {
      const ubigeo = await entityUbigeo(type, id);
      await q.insertObservation(db, { user_id: user.id, org_name: await q.orgNameOf(db, user.id), entity_type: type, entity_id: id, ubigeo, body, status: 'pending', created_at: nowIso() });
    },

    /** The official's public answer to a published observation about their municipality. */
    async answerObservation(actor: Actor, ubigeo: string, id: number, answer: string): Promise<void> {
      await db.transaction(async (trx) => {
        const o = await q.findObservation(trx, id);
        if (!o || o.ubigeo !== ubigeo || o.status !== 'published') throw new NotFoundError();
        await q.setObservationAnswer(trx, id, answer, nowIso());
        await audit.record(trx, actor, { action: 'observation.answer', entityType: 'observation', entityId: String(id), municipality: ubigeo, before: { answer: o.answer }, after: { answer } });
      });
    },

    /** A monitor disputes a piece of evidence, with a reason; returns the page it belongs to. */
    async openDispute(user: { id: number }, target: DisputeTarget, targetId: number, reason: string): Promise<{ type: EntityType; id: number }> {
      const owner = await q.disputeTargetOwner(db, target, targetId);
      if (!owner) throw new NotFoundError();
      await db.transaction(async (trx) => {
        if (await q.openDisputeOf(trx, target, targetId, user.id)) throw new ValidationError([{ field: 'reason', key: 'participation:errors.dispute_open' }], 422);
        const org = await q.orgNameOf(trx, user.id);
        await q.insertDispute(trx, {
          target_type: target,
          target_id: targetId,
          entity_type: owner.type,
          entity_id: owner.id,
          ubigeo: owner.ubigeo,
          user_id: user.id,
          org_name: org,
          reason,
          opened_at: nowIso(),
        });
        await q.markDisputed(trx, target, targetId, true);
        await history(trx, { entity_type: owner.type, entity_id: owner.id, ubigeo: owner.ubigeo }, 'dispute_opened', 'monitor', null, org, reason);
      });
      return { type: owner.type, id: owner.id };
    },

    /** The official of the municipality answers a dispute in public. */
    async answerDispute(actor: Actor, ubigeo: string, id: number, answer: string): Promise<void> {
      await db.transaction(async (trx) => {
        const d = await q.findDispute(trx, id);
        if (!d || d.ubigeo !== ubigeo || d.resolution) throw new NotFoundError();
        await q.updateDispute(trx, id, { answer, answered_at: nowIso() });
        await history(trx, d, 'dispute_answered', actor.role, actor.role === 'official' ? (actor.municipality ?? null) : null, null, answer);
        await audit.record(trx, actor, { action: 'dispute.answer', entityType: 'dispute', entityId: String(id), municipality: ubigeo, before: { answer: d.answer }, after: { answer } });
      });
    },

    /** An admin resolves a dispute: upheld keeps the evidence marked as disputed, rejected clears the mark. */
    async resolveDispute(actor: Actor, id: number, resolution: DisputeResolution, reason: string): Promise<void> {
      await db.transaction(async (trx) => {
        const d = await q.findDispute(trx, id);
        if (!d || d.resolution) throw new NotFoundError();
        await q.updateDispute(trx, id, { resolution, resolution_reason: reason, resolved_at: nowIso() });
        const stillOpen = await q.openDisputeOf(trx, d.target_type, d.target_id);
        const upheld = resolution === 'upheld' || (await q.upheldDisputeOf(trx, d.target_type, d.target_id));
        await q.markDisputed(trx, d.target_type as DisputeTarget, d.target_id, Boolean(stillOpen) || upheld);
        await history(trx, d, `dispute_${resolution}`, actor.role, null, null, reason);
        await audit.record(trx, actor, {
          action: `dispute.${resolution}`,
          entityType: 'dispute',
          entityId: String(id),
          municipality: d.ubigeo,
          before: { resolution: null },
          after: { resolution, reason },
        });
      });
    },

    /** Disputes still open, oldest first, across every municipality (the admins' queue). */
    openDisputes: () => q.openDisputes(db),
  };
}
