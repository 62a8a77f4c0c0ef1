import type { Db } from '../../db';
import * as q from './audit.queries';
import type { Actor, AuditChange, AuditEntry, AuditFilter, ImportAuditSummary } from './audit.types';

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

const EMAIL = /[^\s"'<>@]+@[^\s"'<>@]+/g;

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(EMAIL, '…');
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !/email/i.test(k))
        .map(([k, v]) => [k, scrub(v)]),
    );
  return value;
}

const scrubJson = (json: string | null): string | null => {
  if (json == null) return null;
  try {
    return JSON.stringify(scrub(JSON.parse(json)));
  } catch {
    return null;
  }
};

/**
 * An entry as a viewer who may not see other people's addresses reads it (officials): the
 * actor is only a role (the entry keeps its municipality), and the before/after JSON loses
 * every `email` field and anything shaped like an address. Admins read entries unchanged.
 */
export function withoutEmails(e: AuditEntry): AuditEntry {
  return { ...e, actor_email: null, before_json: scrubJson(e.before_json), after_json: scrubJson(e.after_json) };
}
/** The command line (imports, user admin): no user id. */
export const CLI_ACTOR: Actor = { userId: null, email: 'cli', role: 'cli' };

/** The actor for a signed-in user. */
export const actorOf = (user: { id: number; email: string; role: string; municipality_ubigeo?: string | null }): Actor => ({
  userId: user.id,
  email: user.email,
  role: user.role,
  municipality: user.municipality_ubigeo ?? null,
});
