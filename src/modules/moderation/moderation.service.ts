import type { Db } from '../../db';
import { AppError, NotFoundError } from '../../lib/errors';
import type { Actor, AuditService } from '../audit';
import * as q from './moderation.queries';
import type { ContentType, Decision, ModerationSource, QueueEntry } from './moderation.types';

/** The content changed after the moderator opened it: the decision is refused and the queue shows the new text. */
export class StaleVersionError extends AppError {
  constructor() {
    super('moderation:errors.stale_version', 409);
  }
}

/**
 * Neutral moderation of what residents write about a municipality: admins and moderators
 * (never officials) decide, one queue for the whole country, oldest first; every decision names
 * the version it saw and a reason, and is audited.
 */
export function createModerationService({ db, audit, sources, clock = Date.now }: { db: Db; audit: AuditService; sources: ModerationSource[]; clock?: () => number }) {
  const nowIso = () => new Date(clock()).toISOString();
  const sourceOf = (type: ContentType) => {
    const s = sources.find((x) => x.type === type);
    if (!s) throw new NotFoundError();
    return s;
  };

  return {
    /** Pending and flagged content of every municipality, oldest first, with counts by kind. */
    async queue(): Promise<{ entries: QueueEntry[]; counts: Record<string, number> }> {
      const entries = (await Promise.all(sources.map((s) => s.queue(db)))).flat().sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
      const counts: Record<string, number> = { total: entries.length, pending: entries.filter((e) => e.status === 'pending').length, flagged: entries.filter((e) => e.flags > 0).length };
      for (const s of sources) counts[s.type] = entries.filter((e) => e.type === s.type).length;
      return { entries, counts };
    },

    async decide(actor: Actor, type: ContentType, id: number, f: { decision: Decision; version: number; reason: string; note?: string }): Promise<void> {
      const source = sourceOf(type);
      await db.transaction(async (trx) => {
        const row = await source.find(trx, id);
        if (!row) throw new NotFoundError();
        if (row.version !== f.version) throw new StaleVersionError();
        const status = f.decision === 'publish' ? 'published' : 'rejected';
        await source.decide(trx, id, { status, reason: f.reason, note: f.note ?? null, at: nowIso() });
        await audit.record(trx, actor, {
          action: `moderation.${type}.${f.decision}`,
          entityType: type,
          entityId: String(id),
          municipality: row.ubigeo,
          before: { status: row.status, version: row.version },
          after: { status, version: f.version, reason: f.reason, note: f.note ?? null },
        });
      });
    },

    /** Anyone signed in flags published content; it goes back to the queue (once per user). */
    async flag(userId: number, type: ContentType, id: number, reason: string): Promise<void> {
      const source = sourceOf(type);
      const row = await source.find(db, id);
      if (!row || row.status !== 'published') throw new NotFoundError();
      await db.transaction(async (trx) => {
        if (await q.hasFlagged(trx, type, id, userId)) return;
        await q.insertFlag(trx, { content_type: type, content_id: id, user_id: userId, reason, created_at: nowIso() });
        await source.countFlag(trx, id);
      });
    },
  };
}

export type ModerationService = ReturnType<typeof createModerationService>;
