import type { Db } from '../../db';
import * as q from './audit.queries';
import type { Actor, AuditChange, AuditFilter, ImportAuditSummary } from './audit.types';

/**
 * The audit trail other modules call for every change made by an official or an admin.
 * Pass the transaction that makes the change so both land or neither does.
 */
export function createAuditService({ clock = Date.now }: { clock?: () => number } = {}) {
  async function record(db: Db, actor: Actor, change: AuditChange): Promise<void> {
    await q.insertEntry(db, {
      at: new Date(clock()).toISOString(),
      actor_user_id: actor.userId,
      actor_email: actor.email,
      actor_role: actor.role,
      action: change.action,
      entity_type: change.entityType,
      entity_id: change.entityId,
      municipality_ubigeo: change.municipality,
      before_json: change.before == null ? null : JSON.stringify(change.before),
      after_json: change.after == null ? null : JSON.stringify(change.after),
    });
  }
  return {
    record,
    /** One entry per import (web or command line), accepted or not: digest, row counts, municipalities touched. */
    async recordImport(db: Db, actor: Actor, s: ImportAuditSummary): Promise<void> {
      const { kind, municipality, ...after } = s;
      await record(db, actor, { action: `import.${kind}`, entityType: 'import', entityId: s.sha256, municipality, before: null, after: { kind, ...after } });
    },
    list: (db: Db, f: AuditFilter) => q.listEntries(db, f),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;

/** The command line (imports, user admin): no user id. */
export const CLI_ACTOR: Actor = { userId: null, email: 'cli', role: 'cli' };

/** The actor for a signed-in user. */
export const actorOf = (user: { id: number; email: string; role: string }): Actor => ({ userId: user.id, email: user.email, role: user.role });
