import type { Knex } from 'knex';
import type { Db } from '../../db';

type Q = Db | Knex.Transaction;

export async function hasFlagged(db: Q, type: string, id: number, userId: number): Promise<boolean> {
  return Boolean(await db('content_flags').select('id').where({ content_type: type, content_id: id, user_id: userId }).first());
}

export async function insertFlag(db: Q, row: { content_type: string; content_id: number; user_id: number; reason: string; created_at: string }): Promise<void> {
  await db('content_flags').insert(row);
}
