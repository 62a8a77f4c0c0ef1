import type { Db } from '../../db';
import type { AuditEntry, AuditFilter } from './audit.types';

const COLUMNS = ['id', 'at', 'actor_user_id', 'actor_email', 'actor_role', 'action', 'entity_type', 'entity_id', 'municipality_ubigeo', 'before_json', 'after_json'];

export async function insertEntry(db: Db, row: Omit<AuditEntry, 'id'>): Promise<void> {
  await db('audit_log').insert(row);
}

/** Newest first; filters by municipality and by actor (id or part of the email). */
export async function listEntries(db: Db, f: AuditFilter): Promise<{ rows: AuditEntry[]; total: number }> {
  const base = db('audit_log');
  if (f.municipality) base.where('municipality_ubigeo', f.municipality);
  if (f.userId) base.where('actor_user_id', f.userId);
  const user = f.user?.replace(/[\\%_]/g, '');
  if (user) base.where('actor_email', 'like', `%${user}%`);
  const [{ n }] = await base.clone().count({ n: '*' });
  const rows = await base
    .clone()
    .select(COLUMNS)
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(f.perPage)
    .offset((f.page - 1) * f.perPage);
  return { rows: rows.map((r: AuditEntry) => ({ ...r, id: Number(r.id), actor_user_id: r.actor_user_id == null ? null : Number(r.actor_user_id) })), total: Number(n) };
}
