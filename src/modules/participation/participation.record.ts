import type { Knex } from 'knex';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor, AuditService } from '../audit';
import * as q from './participation.queries';
import { changedFields, changesNeedingReason, FieldChange, RecordKind } from './participation.rules';

/** A PDF stored under UPLOADS_DIR: its random name and the name it was uploaded with. */
export interface StoredFile {
  name: string;
  originalName: string;
}

/** The PDF a row points to (404 when it has none), with the name to download it as. */
export function storedFile(name: string | null | undefined, originalName: string | null | undefined, fallback: string): StoredFile {
  if (!name) throw new NotFoundError();
  return { name, originalName: originalName ?? fallback };
}

/** Who, for the public record: a role and the municipality it acts for, never a person. */
export const actorForRecord = (actor: Actor) => ({ actor_role: actor.role, actor_ubigeo: actor.role === 'official' ? (actor.municipality ?? null) : null });

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** How every stored time is written on both databases: ISO-8601 UTC, 24 characters (see migration 20261205400000). */
export const dbStamp = (ms: number) => new Date(ms).toISOString();

/** Only the fields a form owns, every one present (null when not given): no mass assignment. */
export const pick = <K extends string>(input: Record<string, unknown>, fields: readonly K[]) => Object.fromEntries(fields.map((f) => [f, input[f] ?? null])) as Record<K, unknown>;

/**
 * What the budget and accountability services share when an official changes the record: the
 * clock's day and timestamps, the audit entry, and the public history rows of a change (the
 * rules of which changes need a reason are participation.rules.ts's).
 */
export function createRecordWriter({ audit, clock }: { audit: AuditService; clock: () => number }) {
  const nowIso = () => new Date(clock()).toISOString();

  /** Appends one public history row per changed field (the record is never edited). */
  async function recordChanges(trx: Knex.Transaction, actor: Actor, kind: RecordKind, id: number, ubigeo: string, changes: FieldChange[], reason: string | null, now: Record<string, unknown>) {
    for (const c of changes) {
      await q.addHistory(trx, {
        entity_type: kind,
        entity_id: id,
        ubigeo,
        at: nowIso(),
        kind: 'changed',
        field: c.field,
        old_value: c.old,
        new_value: c.new,
        reason,
        status: now.status == null ? null : String(now.status),
        progress_pct: now.progress_pct == null ? null : Number(now.progress_pct),
        note: null,
        ...actorForRecord(actor),
      });
    }
  }

  return {
    today: () => isoDay(clock()),
    nowIso,
    stamp: () => dbStamp(clock()),
    /** The audit entry of a change, in the change's transaction. */
    audited: (trx: Knex.Transaction, actor: Actor, action: string, entityType: string, entityId: number, ubigeo: string, before: unknown, after: unknown) =>
      audit.record(trx, actor, { action, entityType, entityId: String(entityId), municipality: ubigeo, before, after }),
    recordChanges,
    /** The changed fields, refused (422) when a change that needs a public reason comes without one. */
    reasonedChanges(kind: RecordKind, before: Record<string, unknown>, after: Record<string, unknown>, reason: string | null | undefined): FieldChange[] {
      const changes = changedFields(kind, before, after);
      const needing = changesNeedingReason(kind, changes);
      if (needing.length && !reason?.trim()) throw new ValidationError([{ field: 'reason', key: 'participation:errors.reason_required' }], 422);
      return changes;
    },
  };
}

export type RecordWriter = ReturnType<typeof createRecordWriter>;
