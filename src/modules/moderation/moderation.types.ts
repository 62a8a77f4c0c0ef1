import type { Knex } from 'knex';
import type { Db } from '../../db';

/** Content residents write about a municipality, moderated neutrally (never by its officials). */
export const CONTENT_TYPES = ['observation', 'comment', 'proposal', 'question', 'proposal_comment'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** Reason catalogue: one to publish (or keep after a flag), several to hide. */
export const PUBLISH_REASONS = ['meets_rules'] as const;
export const HIDE_REASONS = ['offensive', 'personal_data', 'spam', 'off_topic', 'misleading', 'other'] as const;
export const FLAG_REASONS = ['offensive', 'personal_data', 'spam', 'off_topic', 'misleading', 'other'] as const;
export type Decision = 'publish' | 'hide';

/** One entry of the moderation queue: pending content, or published content someone flagged. */
export interface QueueEntry {
  type: ContentType;
  id: number;
  ubigeo: string;
  municipality: string;
  body: string;
  /** Other resident text of the same row (e.g. a proposal's title), read before the body. */
  texts: string[];
  version: number;
  status: string;
  flags: number;
  created_at: string;
  /** Page the content belongs to (kind and id), for the moderator's context link. */
  context: { page: 'pb_item' | 'commitment' | 'satisfaction' | 'pb_proposals' | 'pb_proposal' | 'hearing'; params: Record<string, string | number> };
}

type Q = Db | Knex.Transaction;

/**
 * What a content module gives the moderation module (a port): its queue entries, and how to
 * read, decide and flag one of its rows. The moderation module owns the rules (who, reasons,
 * versions), the content module owns its table.
 */
export interface ModerationSource {
  type: ContentType;
  queue(db: Q): Promise<QueueEntry[]>;
  find(db: Q, id: number): Promise<{ id: number; ubigeo: string; status: string; version: number } | null>;
  decide(db: Q, id: number, v: { status: 'published' | 'rejected'; reason: string; note: string | null; at: string }): Promise<void>;
  /** Counts one more flag on the row (the moderation module keeps who flagged, once per user). */
  countFlag(db: Q, id: number): Promise<void>;
}

/** Open disputes of evidence, resolved by admins (a port onto the participation module). */
export interface DisputePort {
  open(): Promise<
    Array<{ id: number; ubigeo: string; municipality: string; entity_type: string; entity_id: number; org_name: string | null; reason: string; opened_at: string; answer: string | null }>
  >;
  resolve(actor: import('../audit').Actor, id: number, resolution: 'upheld' | 'rejected', reason: string): Promise<void>;
}
