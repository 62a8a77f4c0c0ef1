import crypto from 'node:crypto';
import type { i18n as I18n } from 'i18next';
import type { Db } from '../../db';
import { createI18n, formatters, isLang, Lang } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import type { Mailer } from '../../lib/mailer';
import { NewsGroup, newsFor } from './participation.news';
import * as q from './participation.queries';
import type { DigestFrequency } from './participation.types';

const DAY_MS = 24 * 3_600_000;
/** The least time between two digests of a user, per frequency. */
const PERIOD_MS: Record<Exclude<DigestFrequency, 'off'>, number> = { daily: DAY_MS, weekly: 7 * DAY_MS };

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

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The digest message (plain text and simple HTML) of a user's news, in their language. */
export function digestMessage(groups: NewsGroup[], { lng, t, unsubscribe, account }: { lng: Lang; t: I18n['t']; unsubscribe: string; account: string }) {
  const T = (key: string, opts: Record<string, unknown> = {}) => String(t(`participation:digest.${key}`, { lng, ...opts }));
  const day = (at: string) => formatters(lng).date(at.slice(0, 10));
  const text = [T('intro'), ''];
  const html = [`<p>${escapeHtml(T('intro'))}</p>`];
  for (const g of groups) {
    text.push(`• ${g.title}`, `  ${g.url}`);
    html.push(`<h2><a href="${escapeHtml(g.url)}">${escapeHtml(g.title)}</a></h2>`, '<ul>');
    for (const l of g.lines) {
      text.push(`  - ${day(l.at)}: ${l.text}`, `    ${l.url}`);
      html.push(`<li>${escapeHtml(day(l.at))}: <a href="${escapeHtml(l.url)}">${escapeHtml(l.text)}</a></li>`);
    }
    html.push('</ul>');
  }
  text.push('', `${T('account')}: ${account}`, `${T('unsubscribe')}: ${unsubscribe}`);
  html.push(`<p><a href="${escapeHtml(account)}">${escapeHtml(T('account'))}</a></p>`, `<p><a href="${escapeHtml(unsubscribe)}">${escapeHtml(T('unsubscribe'))}</a></p>`);
  return { subject: T('subject'), text: text.join('\n'), html: `<!doctype html><html lang="${lng}"><body>${html.join('\n')}</body></html>` };
}

/**
 * Sends each follower whose frequency is due (daily: a day since their last digest, weekly: seven;
 * off: never) one email, in their language, listing what changed on what they follow since their
 * last digest (`newsFor`, the same list as the account's "what's new" page), with a one-click
 * unsubscribe link (also as List-Unsubscribe). Nothing is sent when nothing changed.
 */
export async function runDigests({
  db,
  mailer,
  clock = Date.now,
  publicUrl,
  secret,
  i18n = createI18n(),
}: {
  db: Db;
  mailer: Mailer;
  clock?: () => number;
  publicUrl: string;
  secret: string;
  i18n?: I18n;
}): Promise<{ sent: number }> {
  const nowMs = clock();
  const now = new Date(nowMs).toISOString();
  const users = await db('users as u')
    .whereExists(db('follows as f').select('f.id').whereRaw('f.user_id = u.id'))
    .where('u.status', 'active')
    .whereIn('u.digest_frequency', Object.keys(PERIOD_MS))
    .select('u.id', 'u.email', 'u.lang', 'u.digest_frequency');
  let sent = 0;
  for (const u of users) {
    const userId = Number(u.id);
    const period = PERIOD_MS[u.digest_frequency as keyof typeof PERIOD_MS];
    const recent = await db('digest_log')
      .where('user_id', userId)
      .where('sent_at', '>', new Date(nowMs - period).toISOString())
      .first('id');
    if (recent) continue;
    const lng: Lang = isLang(u.lang) ? u.lang : 'es';
    const follows = await q.followsOf(db, userId);
    const fixed = i18n.getFixedT(lng);
    const t = (key: string, opts?: Record<string, unknown>) => String(fixed(key, opts as never));
    const groups = await newsFor(db, { follows, sinceOf: (f) => f.notified_until, until: now, today: now.slice(0, 10), lng, t, base: publicUrl });
    if (!groups.length) continue;
    const unsubscribe = `${publicUrl}${pageUrl(lng, 'unsubscribe', {}, { token: unsubscribeToken(secret, userId) })}`;
    const message = digestMessage(groups, { lng, t: i18n.t.bind(i18n), unsubscribe, account: `${publicUrl}${pageUrl(lng, 'account_news')}` });
    await mailer.send({ to: String(u.email), ...message, headers: { 'List-Unsubscribe': `<${unsubscribe}>` } });
    await db.transaction(async (trx) => {
      await trx('digest_log').insert({ user_id: userId, sent_at: now });
      await trx('follows')
        .whereIn(
          'id',
          follows.map((f) => f.id),
        )
        .update({ notified_until: now });
    });
    sent++;
  }
  return { sent };
}
