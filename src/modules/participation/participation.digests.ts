import crypto from 'node:crypto';
import type { Db } from '../../db';
import type { Mailer } from '../../lib/mailer';

const DAY_MS = 24 * 3_600_000;

/** The one-click unsubscribe token of a user: their id signed with the server secret. */
export function unsubscribeToken(secret: string, userId: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`unsubscribe:${userId}`).digest('base64url');
  return `${userId}.${mac}`;
}

/** The user id a token was made for, or null when the signature does not match. */
export function verifyUnsubscribeToken(secret: string, token: string): number | null {
  const m = /^(\d{1,10})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(unsubscribeToken(secret, Number(m[1])));
  const given = Buffer.from(token);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? Number(m[1]) : null;
}

/** Where each followed kind's title and Spanish page are. */
const DIGEST_SOURCES = {
  pb_item: { table: 'pb_items', title: 'title_es', path: 'presupuesto-participativo/proyectos' },
  pb_proposal: { table: 'pb_proposals', title: 'title_es', path: 'presupuesto-participativo/propuestas' },
  commitment: { table: 'commitments', title: 'text_es', path: 'rendicion-de-cuentas/compromisos' },
} as const;

/**
 * Sends each follower one email listing what changed (status, progress, milestones, updates)
 * on what they follow since their last digest; at most one digest per user per day.
 */
export async function runDigests({ db, mailer, clock = Date.now, publicUrl, secret }: { db: Db; mailer: Mailer; clock?: () => number; publicUrl: string; secret: string }): Promise<{ sent: number }> {
  const now = new Date(clock()).toISOString();
  const dayAgo = new Date(clock() - DAY_MS).toISOString();
  const follows = await db('follows as f')
    .join('users as u', 'u.id', 'f.user_id')
    .where('u.status', 'active')
    .select('f.id', 'f.user_id', 'f.entity_type', 'f.entity_id', 'f.notified_until', 'u.email');
  const byUser = new Map<number, typeof follows>();
  for (const f of follows) byUser.set(Number(f.user_id), [...(byUser.get(Number(f.user_id)) ?? []), f]);
  let sent = 0;
  for (const [userId, list] of byUser) {
    const recent = await db('digest_log').where('user_id', userId).where('sent_at', '>', dayAgo).first();
    if (recent) continue;
    const lines: string[] = [];
    for (const f of list) {
      const changes = await db('participation_history')
        .select('at', 'kind', 'field', 'old_value', 'new_value', 'reason', 'status', 'progress_pct', 'note')
        .where({ entity_type: f.entity_type, entity_id: f.entity_id })
        .whereIn('kind', ['changed', 'milestone', 'update', 'withdrawn', 'dispute_opened', 'dispute_answered', 'dispute_upheld', 'dispute_rejected', 'reviewed', 'tallied', 'prioritised'])
        .where('at', '>', f.notified_until)
        .where('at', '<=', now)
        .orderBy('at');
      if (!changes.length) continue;
      const source = DIGEST_SOURCES[f.entity_type as keyof typeof DIGEST_SOURCES] ?? DIGEST_SOURCES.commitment;
      const title = (await db(source.table).select(source.title).where('id', f.entity_id).first())?.[source.title];
      const link = `${publicUrl}/es/${source.path}/${f.entity_id}`;
      lines.push(`• ${String(title ?? '').slice(0, 120)}`, `  ${link}`);
      for (const c of changes) {
        const why = c.reason ? ` — motivo / reason: ${c.reason}` : '';
        const what =
          c.kind === 'milestone'
            ? `hito / milestone: ${c.note ?? ''}`
            : c.kind === 'update'
              ? `avance / update (${c.status}): ${c.note ?? ''}${why}`
              : c.kind === 'changed' && c.field && c.field !== 'status' && c.field !== 'progress_pct'
                ? `${c.field}: ${c.old_value ?? '—'} → ${c.new_value ?? '—'}${why}`
                : c.kind === 'changed'
                  ? `estado / status: ${c.status}${c.progress_pct != null ? ` · ${Number(c.progress_pct)} %` : ''}${why}`
                  : `${c.kind}${why}`;
        lines.push(`  - ${String(c.at).slice(0, 10)} ${what}`);
      }
    }
    if (!lines.length) continue;
    const unsubscribe = `${publicUrl}/es/dejar-de-seguir?token=${unsubscribeToken(secret, userId)}`;
    await mailer.send({
      to: String(list[0].email),
      subject: 'Resultados Abiertos: novedades de lo que sigue / updates on what you follow',
      text: [
        'Novedades de los proyectos y compromisos que sigue / Updates on the items and commitments you follow:',
        '',
        ...lines,
        '',
        `Dejar de seguir todo con un clic / Unsubscribe from everything in one click: ${unsubscribe}`,
      ].join('\n'),
    });
    await db.transaction(async (trx) => {
      await trx('digest_log').insert({ user_id: userId, sent_at: now });
      await trx('follows')
        .whereIn(
          'id',
          list.map((f) => f.id),
        )
        .update({ notified_until: now });
    });
    sent++;
  }
  return { sent };
}
