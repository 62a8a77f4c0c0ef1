import type { Knex } from 'knex';
import type { Db } from '../../db';
import type { ContentType, ModerationSource, QueueEntry } from './moderation.types';

type Q = Db | Knex.Transaction;

export async function hasFlagged(db: Q, type: string, id: number, userId: number): Promise<boolean> {
  return Boolean(await db('content_flags').select('id').where({ content_type: type, content_id: id, user_id: userId }).first());
}

export async function insertFlag(db: Q, row: { content_type: string; content_id: number; user_id: number; reason: string; created_at: string }): Promise<void> {
  await db('content_flags').insert(row);
}

/**
 * How a content module's table is moderated: its name, its own word for "published" (comments say
 * "approved"), the extra columns its context link needs, and that link. Every moderated table has
 * id, ubigeo, body, version, status, flags, created_at and the decision columns.
 */
export interface ModeratedTable {
  type: ContentType;
  table: string;
  publishedStatus: string;
  contextColumns: string[];
  /** Other columns of resident text the moderator must read too (a proposal's title, location…), shown before the body. */
  textColumns?: string[];
  context(row: Record<string, unknown>): QueueEntry['context'];
}

/** The moderation port over one content table: queue, read, decide and flag its rows. */
export function tableSource(t: ModeratedTable): ModerationSource {
  const toPublic = (status: unknown) => (status === t.publishedStatus ? 'published' : String(status));
  return {
    type: t.type,
    async queue(db) {
      const rows = await db(`${t.table} as c`)
        .join('municipalities as m', 'm.ubigeo', 'c.ubigeo')
        .select(['id', 'ubigeo', 'body', 'version', 'status', 'flags', 'created_at', ...t.contextColumns, ...(t.textColumns ?? [])].map((c) => `c.${c}`))
        .select('m.district as municipality')
        .where((w) => {
          w.where('c.status', 'pending').orWhere((x) => {
            x.where('c.status', t.publishedStatus).where('c.flags', '>', 0);
          });
        })
        .orderBy([{ column: 'c.created_at' }, { column: 'c.id' }]);
      return rows.map((r: Record<string, unknown>) => ({
        type: t.type,
        id: Number(r.id),
        ubigeo: String(r.ubigeo),
        municipality: String(r.municipality),
        body: String(r.body),
        texts: (t.textColumns ?? []).map((c) => String(r[c] ?? '')).filter(Boolean),
        version: Number(r.version),
        status: toPublic(r.status),
        flags: Number(r.flags),
        created_at: String(r.created_at),
        context: t.context(r),
      }));
    },
    async find(db, id) {
      const r = await db(t.table).select('id', 'ubigeo', 'status', 'version').where({ id }).first();
      return r ? { id: Number(r.id), ubigeo: String(r.ubigeo), status: toPublic(r.status), version: Number(r.version) } : null;
    },
    async decide(db, id, v) {
      const status = v.status === 'published' ? t.publishedStatus : v.status;
      await db(t.table).where({ id }).update({ status, decision_reason: v.reason, decision_note: v.note, decided_at: v.at, flags: 0 });
    },
    async countFlag(db, id) {
      await db(t.table).where({ id }).increment('flags', 1);
    },
  };
}
