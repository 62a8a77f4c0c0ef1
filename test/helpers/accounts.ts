import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createPasswordHasher } from '../../src/auth';
import { totp } from '../../src/auth/totp';
import type { Role } from '../../src/auth/types';
import { createMailer } from '../../src/lib/mailer';
import { createLogger } from '../../src/lib/logger';
import { createAccountsService } from '../../src/modules/accounts';
import { createAuditService } from '../../src/modules/audit';
import { i18n, TestApp } from './app';

export type Agent = InstanceType<typeof TestAgent>;

export const PASSWORD = 'correct horse battery staple';

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1];
}

/** GETs a form page and returns its CSRF token (the agent keeps the session cookie). */
export async function formToken(agent: Agent, url: string): Promise<string> {
  const res = await agent.get(url).expect(200);
  return csrfFrom(res.text);
}

export function sessionCookie(res: request.Response): string | null {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const c = set.find((s) => s.startsWith('ra.sid='));
  return c ? c.split(';')[0] : null;
}

/** The service the app uses, on the same database, for arranging data. */
export function serviceFor(t: TestApp) {
  return createAccountsService({
    db: t.db,
    hasher: createPasswordHasher('test'),
    mailer: createMailer(t.config, createLogger('silent')),
    background: t.background,
    i18n,
    audit: createAuditService(),
    publicUrl: t.config.publicUrl,
  });
}

const CLI = { userId: null, email: 'cli', role: 'cli' };

/** A confirmed account made the way the command line makes them. */
export async function createUser(t: TestApp, email: string, role: Role = 'resident', municipality: string | null = null, password = PASSWORD) {
  return serviceFor(t).createConfirmed(CLI, { email, password, role, municipality, orgName: role === 'monitor' ? 'Comité de Vigilancia' : null });
}

export async function login(t: TestApp, email: string, password = PASSWORD, lng: 'es' | 'en' = 'es'): Promise<{ agent: Agent; res: request.Response }> {
  const agent = request.agent(t.app);
  const token = await formToken(agent, `/${lng}/login`);
  const res = await agent.post(`/${lng}/login`).type('form').send({ _csrf: token, email, password });
  return { agent, res };
}

/** An admin who passed the second factor. */
export async function loginAdmin(t: TestApp, email = 'admin@example.pe'): Promise<Agent> {
  const { totpSecret } = await createUser(t, email, 'admin');
  const { agent, res } = await login(t, email);
  if (res.status !== 302) throw new Error(`admin login failed: ${res.status}`);
  const token = await formToken(agent, '/es/cuenta/verificacion');
  const r = await agent
    .post('/es/cuenta/verificacion')
    .type('form')
    .send({ _csrf: token, code: totp(totpSecret!, t.now.ms) });
  if (r.status !== 302) throw new Error(`second factor failed: ${r.status}`);
  return agent;
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Every message written to the outbox for an address, oldest first, as decoded text (once the app's background mail has left). */
export async function mailsTo(t: TestApp, to: string): Promise<string[]> {
  await t.background.idle();
  if (!fs.existsSync(t.outboxDir)) return [];
  return fs
    .readdirSync(t.outboxDir)
    .sort()
    .map((f) => fs.readFileSync(path.join(t.outboxDir, f), 'utf8'))
    .filter((m) => new RegExp(`^To: ${to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'mi').test(m))
    .map(decodePart);
}

/** A message or MIME part as text: its headers, then its body decoded (each part of a multipart message in turn). */
function decodePart(m: string): string {
  const [head, ...body] = m.split(/\r?\n\r?\n/);
  const raw = body.join('\n\n');
  const boundary = /Content-Type: multipart\/[a-z]+;\s*boundary="?([^"\r\n;]+)"?/i.exec(head)?.[1];
  if (boundary) {
    const parts = raw.split(`--${boundary}`).slice(1, -1);
    return `${head}\n\n${parts.map((p) => decodePart(p.replace(/^\r?\n/, ''))).join('\n\n')}`;
  }
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) return `${head}\n\n${decodeQuotedPrintable(raw)}`;
  if (/Content-Transfer-Encoding: base64/i.test(head)) return `${head}\n\n${Buffer.from(raw.replace(/\s/g, ''), 'base64').toString('utf8')}`;
  return m;
}

/** The path and query of the last link mailed to an address. */
export async function lastLink(t: TestApp, to: string): Promise<string> {
  const mails = await mailsTo(t, to);
  if (!mails.length) throw new Error(`no mail to ${to}`);
  const m = /https?:\/\/[^\s/]+(\/\S+)/.exec(mails[mails.length - 1]);
  if (!m) throw new Error('no link in mail');
  return m[1];
}
