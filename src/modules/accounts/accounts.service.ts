import crypto from 'node:crypto';
import type { i18n as I18n } from 'i18next';
import type { PasswordHasher } from '../../auth/passwords';
import { safeReturnTo } from '../../auth/return-to';
import { destroyUserSessions } from '../../auth/session';
import { newTotpSecret, verifyTotp } from '../../auth/totp';
import type { Role, SessionUser, UserStatus } from '../../auth/types';
import type { Db } from '../../db';
import type { Lang } from '../../i18n';
import { pageUrl } from '../../i18n/paths';
import type { BackgroundJobs } from '../../lib/background';
import { AppError, NotFoundError, TooManyRequestsError, ValidationError } from '../../lib/errors';
import type { Mailer } from '../../lib/mailer';
import type { AuditService, Actor } from '../audit';
import * as q from './accounts.queries';
import type { DigestFrequency, PublicUser, TokenPurpose, UserFilter, UserRow } from './accounts.types';

export interface AccountsDeps {
  db: Db;
  hasher: PasswordHasher;
  mailer: Mailer;
  /** Mail (and the token it carries) is sent here, after the answer: never awaited by a request. */
  background: BackgroundJobs;
  i18n: I18n;
  audit: AuditService;
  publicUrl: string;
  clock?: () => number;
  throttle?: Partial<typeof DEFAULT_THROTTLE>;
}

export const DEFAULT_THROTTLE = {
  /** Failed logins for one account from one IP within the window; the next from that IP gets 429. */
  pairMax: 5,
  pairWindowMs: 60_000,
  /** Failed logins for one account from all IPs together (distributed guessing); then 429 from any IP. */
  accountMax: 50,
  accountWindowMs: 60 * 60_000,
  /** Failed logins per IP within the window, whatever the accounts. */
  ipMax: 30,
  ipWindowMs: 15 * 60_000,
  /** Wrong second-factor codes per account within the window; then 429 until it has passed. */
  codeMax: 5,
  codeWindowMs: 15 * 60_000,
};

const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  confirm_email: 24 * 60 * 60 * 1000,
  change_email: 24 * 60 * 60 * 1000,
  reset_password: 60 * 60 * 1000,
};

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export type LoginResult = { ok: true; user: SessionUser } | { ok: false; reason: 'invalid' | 'unconfirmed' | 'disabled' } | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export function toSessionUser(u: UserRow): SessionUser {
  return { id: u.id, email: u.email, role: u.role, status: u.status, municipality_ubigeo: u.municipality_ubigeo, org_name: u.org_name, has_totp: Boolean(u.totp_secret) };
}

const publicUser = (u: UserRow): PublicUser => {
  const { password_hash: _h, totp_secret: _s, totp_last_step: _l, ...rest } = u;
  return rest;
};

/** Registration, login checks, email tokens, password and email changes, roles. */
export function createAccountsService({ db, hasher, mailer, background, i18n, audit, publicUrl, clock = Date.now, throttle: throttleOpts }: AccountsDeps) {
  const throttle = { ...DEFAULT_THROTTLE, ...throttleOpts };
  const nowIso = () => new Date(clock()).toISOString();
  const since = (windowMs: number) => new Date(clock() - windowMs).toISOString();
  const seconds = (ms: number) => Math.ceil(ms / 1000);

  /** A new single-use token; `exclusive` retires the user's other unused tokens of that purpose. */
  async function issueToken(userId: number, purpose: TokenPurpose, newEmail: string | null = null, exclusive = false): Promise<string> {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = clock();
    await db.transaction(async (trx) => {
      await q.insertToken(trx, {
        user_id: userId,
        purpose,
        token_hash: sha256(token),
        new_email: newEmail,
        expires_at: new Date(now + TOKEN_TTL_MS[purpose]).toISOString(),
        used_at: null,
        created_at: new Date(now).toISOString(),
      });
      if (exclusive) {
        const row = await q.findToken(trx, sha256(token));
        await q.expireTokens(trx, userId, purpose, new Date(now).toISOString(), row!.id);
      }
    });
    return token;
  }

  async function sendMail(lng: Lang, to: string, kind: string, params: Record<string, string> = {}) {
    const t = i18n.getFixedT(lng, 'accounts');
    await mailer.send({ to, subject: String(t(`mail.${kind}.subject`)), text: String(t(`mail.${kind}.body`, { ...params, interpolation: { escapeValue: false } } as never)) });
  }

  /** Mail (and the token it carries) after the answer: same time and body for every address. */
  function mailLater(kind: string, job: () => Promise<void>): void {
    background.run(`mail:${kind}`, job);
  }

  const link = (lng: Lang, page: 'confirm' | 'reset', token: string, returnTo?: string) => `${publicUrl}${pageUrl(lng, page, {}, { token, returnTo })}`;

  /** Checks a token without using it (to show the form); null when unknown, used or expired. */
  async function liveToken(token: string, purposes: TokenPurpose[]) {
    const row = await q.findToken(db, sha256(token));
    if (!row || row.used_at || row.expires_at <= nowIso() || !purposes.includes(row.purpose)) return null;
    return row;
  }

  async function consumeToken(token: string, purposes: TokenPurpose[]) {
    const row = await liveToken(token, purposes);
    if (!row || !(await q.useToken(db, row.id, nowIso()))) throw new AppError('accounts:errors.token_invalid', 400);
    return row;
  }

  async function requireUserRow(id: number): Promise<UserRow> {
    const u = await q.findUserById(db, id);
    if (!u) throw new NotFoundError();
    return u;
  }

  async function checkCurrentPassword(u: UserRow, password: string) {
    if (!(await hasher.verify(u.password_hash, password))) throw new ValidationError([{ field: 'current_password', key: 'accounts:errors.current_password_wrong' }], 422);
  }

  const service = {
    toSessionUser,

    async findSessionUser(id: number): Promise<SessionUser | null> {
      const u = await q.findUserById(db, id);
      return u && u.status === 'active' ? toSessionUser(u) : null;
    },

    /** Same answer whether or not the address is taken; the owner of a taken one is told by email. */
    async register(input: { email: string; password: string }, lng: Lang, returnTo = '/'): Promise<void> {
      // The password is hashed whether or not the address is taken: both paths cost the same.
      const passwordHash = await hasher.hash(input.password);
      const existing = await q.findUserByEmail(db, input.email);
      if (existing) {
        mailLater('already_registered', () => sendMail(lng, input.email, 'already_registered', { link: `${publicUrl}${pageUrl(lng, 'forgot')}` }));
        return;
      }
      const now = nowIso();
      let id: number;
      try {
        id = await q.insertUser(db, {
          email: input.email,
          password_hash: passwordHash,
          role: 'resident',
          status: 'pending',
          municipality_ubigeo: null,
          org_name: null,
          requested_role: null,
          requested_org_name: null,
          requested_municipality_ubigeo: null,
          totp_secret: null,
          totp_last_step: null,
          email_confirmed_at: null,
          created_at: now,
          updated_at: now,
          lang: lng,
        });
      } catch (err) {
        if (await q.findUserByEmail(db, input.email)) return; // a concurrent registration won
        throw err;
      }
      // Where the resident was going travels in the link (checked again by safeReturnTo when used): no state kept for it.
      const back = safeReturnTo(returnTo);
      mailLater('confirm', async () => sendMail(lng, input.email, 'confirm', { link: link(lng, 'confirm', await issueToken(id, 'confirm_email'), back === '/' ? undefined : back) }));
    },

    liveToken,

    /**
     * Uses a confirmation token: activates the account or moves it to its new address. A move
     * retires every other pending change and reset link, and tells the old address.
     */
    async confirm(token: string, lng: Lang): Promise<{ result: 'confirmed' | 'email_changed'; user: SessionUser | null }> {
      const row = await consumeToken(token, ['confirm_email', 'change_email']);
      const u = await requireUserRow(row.user_id);
      const now = nowIso();
      if (row.purpose === 'confirm_email') {
        if (u.status === 'pending') await q.updateUser(db, u.id, { status: 'active', email_confirmed_at: now, updated_at: now });
        // The single-use link proves the address: the now active resident may be signed in by it.
        const fresh = await q.findUserById(db, u.id);
        return { result: 'confirmed', user: fresh && fresh.status === 'active' ? toSessionUser(fresh) : null };
      }
      const newEmail = row.new_email!;
      if (await q.findUserByEmail(db, newEmail)) throw new AppError('accounts:errors.token_invalid', 400);
      const moved = await db.transaction(async (trx) => {
        if (!(await q.moveEmail(trx, u.id, u.email, newEmail, now))) return false;
        await q.expireTokens(trx, u.id, 'change_email', now);
        await q.expireTokens(trx, u.id, 'reset_password', now);
        return true;
      });
      if (!moved) throw new AppError('accounts:errors.token_invalid', 400);
      mailLater('email_changed', () => sendMail(lng, u.email, 'email_changed', { new_email: newEmail }));
      return { result: 'email_changed', user: null };
    },

    /**
     * Verifies a password; unknown accounts cost the same (dummy hash) and read the same. The
     * attempt is recorded as a failure *before* the check and the limits are counted after, so
     * parallel attempts cannot all slip under them: each counts every attempt already recorded.
     * Limits: per account from one IP (the owner elsewhere still gets in), per account from all
     * IPs (distributed guessing), per IP. A throttled attempt is not checked and not kept.
     */
    async login(email: string, password: string, ip: string): Promise<LoginResult> {
      const source = ip.slice(0, 64);
      const attempt = await q.insertFailure(db, { account: email, ip: source, at: nowIso() });
      const [pair, account, byIp] = [
        await q.countFailures(db, { account: email, ip: source }, since(throttle.pairWindowMs)),
        await q.countFailures(db, { account: email }, since(throttle.accountWindowMs)),
        await q.countFailures(db, { ip: source }, since(throttle.ipWindowMs)),
      ];
      // The counts include this attempt: the (max + 1)-th is refused.
      const retryAfterMs = pair > throttle.pairMax ? throttle.pairWindowMs : account > throttle.accountMax ? throttle.accountWindowMs : byIp > throttle.ipMax ? throttle.ipWindowMs : 0;
      if (retryAfterMs) {
        await q.deleteFailure(db, attempt);
        return { ok: false, reason: 'throttled', retryAfterSeconds: seconds(retryAfterMs) };
      }
      const u = await q.findUserByEmail(db, email);
      const ok = u ? await hasher.verify(u.password_hash, password) : await hasher.verifyDummy(password);
      if (!u || !ok) {
        if (Math.random() < 0.05) await q.pruneFailures(db, new Date(clock() - 24 * 3600_000).toISOString());
        return { ok: false, reason: 'invalid' };
      }
      await q.deleteFailure(db, attempt);
      if (u.status === 'pending') return { ok: false, reason: 'unconfirmed' };
      if (u.status === 'disabled') return { ok: false, reason: 'disabled' };
      await q.clearFailures(db, email, source);
      return { ok: true, user: toSessionUser(u) };
    },

    /** Same answer for unknown addresses; only the owner of a known one gets a link. */
    async forgotPassword(email: string, lng: Lang): Promise<void> {
      const u = await q.findUserByEmail(db, email);
      if (!u || u.status === 'disabled') return;
      // The token is made with the mail, after the answer: a known address adds no awaited work.
      mailLater('reset', async () => sendMail(lng, u.email, 'reset', { link: link(lng, 'reset', await issueToken(u.id, 'reset_password')) }));
    },

    async resetPassword(token: string, password: string): Promise<void> {
      const row = await consumeToken(token, ['reset_password']);
      const u = await requireUserRow(row.user_id);
      const now = nowIso();
      // The link proves the address: a pending account becomes confirmed.
      await q.updateUser(db, u.id, { password_hash: await hasher.hash(password), updated_at: now, ...(u.status === 'pending' ? { status: 'active' as const, email_confirmed_at: now } : {}) });
      await q.expireTokens(db, u.id, 'reset_password', now);
      await destroyUserSessions(db, u.id);
    },

    async changePassword(userId: number, current: string, password: string, keepSid?: string): Promise<void> {
      const u = await requireUserRow(userId);
      await checkCurrentPassword(u, current);
      await q.updateUser(db, u.id, { password_hash: await hasher.hash(password), updated_at: nowIso() });
      await destroyUserSessions(db, u.id, keepSid);
    },

    /**
     * The new address gets a confirmation link; the change happens when it is used. A new
     * request retires the links of earlier ones (only the latest can move the account).
     */
    async requestEmailChange(userId: number, current: string, newEmail: string, lng: Lang): Promise<void> {
      const u = await requireUserRow(userId);
      await checkCurrentPassword(u, current);
      await q.expireTokens(db, u.id, 'change_email', nowIso());
      if (newEmail === u.email) return;
      if (await q.findUserByEmail(db, newEmail)) {
        mailLater('email_taken', () => sendMail(lng, newEmail, 'email_taken'));
        return;
      }
      mailLater('change_email', async () => sendMail(lng, newEmail, 'change_email', { link: link(lng, 'confirm', await issueToken(u.id, 'change_email', newEmail, true)) }));
    },

    async deleteAccount(userId: number, current: string): Promise<void> {
      const u = await requireUserRow(userId);
      await checkCurrentPassword(u, current);
      await destroyUserSessions(db, u.id);
      await q.deleteUser(db, u.id);
    },

    /** A resident asks to become a monitor (organisation) or an official (one municipality). */
    async requestRole(userId: number, req: { requested_role: 'monitor'; org_name: string } | { requested_role: 'official'; municipality: string }): Promise<void> {
      const u = await requireUserRow(userId);
      if (req.requested_role === 'official' && !(await q.municipalityExists(db, req.municipality))) {
        throw new ValidationError([{ field: 'municipality', key: 'accounts:errors.municipality_unknown' }], 422);
      }
      await q.updateUser(db, u.id, {
        requested_role: req.requested_role,
        requested_org_name: req.requested_role === 'monitor' ? req.org_name : null,
        requested_municipality_ubigeo: req.requested_role === 'official' ? req.municipality : null,
        updated_at: nowIso(),
      });
    },

    /**
     * Admins must prove a TOTP code; each code works once. Like the password, the attempt is
     * recorded as a failure before the check (parallel guesses all count): the (codeMax + 1)-th
     * within the window gets 429 unchecked; a right code forgets the account's failures.
     */
    async verifySecondFactor(userId: number, code: string): Promise<boolean> {
      const u = await requireUserRow(userId);
      const attempt = await q.insertCodeFailure(db, { user_id: u.id, at: nowIso() });
      if ((await q.countCodeFailures(db, u.id, since(throttle.codeWindowMs))) > throttle.codeMax) {
        await q.deleteCodeFailure(db, attempt);
        throw new TooManyRequestsError('accounts:errors.too_many_codes', seconds(throttle.codeWindowMs));
      }
      if (!u.totp_secret) return false;
      const step = verifyTotp(u.totp_secret, code, clock(), u.totp_last_step);
      if (step == null || !(await q.claimTotpStep(db, u.id, step))) return false;
      await q.clearCodeFailures(db, u.id);
      return true;
    },

    // ---- administration (every change is audited) ----

    listUsers: (f: UserFilter) => q.listUsers(db, f),

    /** Public: the organisations that monitor municipalities (never their members' emails). */
    monitorOrganisations: () => q.listMonitorOrganisations(db),

    async setRole(actor: Actor, userId: number, role: Role, municipality: string | null, orgName: string | null = null): Promise<void> {
      const u = await requireUserRow(userId);
      if (role === 'official') {
        if (!municipality || !(await q.municipalityExists(db, municipality))) throw new ValidationError([{ field: 'municipality', key: 'accounts:errors.municipality_unknown' }], 422);
      }
      if (role === 'monitor' && !(orgName ?? u.org_name)) throw new ValidationError([{ field: 'org_name', key: 'accounts:errors.org_required' }], 422);
      if (actor.userId === u.id) throw new AppError('admin:errors.self', 422);
      const changes = {
        role,
        municipality_ubigeo: role === 'official' ? municipality : null,
        org_name: role === 'monitor' ? (orgName ?? u.org_name) : null,
        totp_secret: role === 'admin' ? (u.totp_secret ?? newTotpSecret()) : u.totp_secret,
        requested_role: null,
        requested_org_name: null,
        requested_municipality_ubigeo: null,
        updated_at: nowIso(),
      };
      await db.transaction(async (trx) => {
        await q.updateUser(trx, u.id, changes);
        await audit.record(trx, actor, {
          action: 'user.set_role',
          entityType: 'user',
          entityId: String(u.id),
          municipality: changes.municipality_ubigeo ?? u.municipality_ubigeo,
          before: { email: u.email, role: u.role, municipality_ubigeo: u.municipality_ubigeo, org_name: u.org_name },
          after: { email: u.email, role: changes.role, municipality_ubigeo: changes.municipality_ubigeo, org_name: changes.org_name },
        });
      });
    },

    async setStatus(actor: Actor, userId: number, status: UserStatus): Promise<void> {
      const u = await requireUserRow(userId);
      if (actor.userId === u.id) throw new AppError('admin:errors.self', 422);
      await db.transaction(async (trx) => {
        await q.updateUser(trx, u.id, { status, updated_at: nowIso(), ...(status === 'active' && !u.email_confirmed_at ? { email_confirmed_at: nowIso() } : {}) });
        await audit.record(trx, actor, {
          action: 'user.set_status',
          entityType: 'user',
          entityId: String(u.id),
          municipality: u.municipality_ubigeo,
          before: { email: u.email, status: u.status },
          after: { email: u.email, status },
        });
      });
      if (status === 'disabled') await destroyUserSessions(db, u.id);
    },

    /** Approves or rejects a pending monitor/official request. */
    async decideRequest(actor: Actor, userId: number, approve: boolean): Promise<void> {
      const u = await requireUserRow(userId);
      if (!u.requested_role) throw new NotFoundError();
      if (approve) {
        const role = u.requested_role;
        await service.setRole(actor, u.id, role, u.requested_municipality_ubigeo, u.requested_org_name);
        return;
      }
      await db.transaction(async (trx) => {
        await q.updateUser(trx, u.id, { requested_role: null, requested_org_name: null, requested_municipality_ubigeo: null, updated_at: nowIso() });
        await audit.record(trx, actor, {
          action: 'user.reject_request',
          entityType: 'user',
          entityId: String(u.id),
          municipality: u.requested_municipality_ubigeo,
          before: { email: u.email, requested_role: u.requested_role, requested_org_name: u.requested_org_name, requested_municipality_ubigeo: u.requested_municipality_ubigeo },
          after: { email: u.email, requested_role: null },
        });
      });
    },

    /** A user's digest: how often, and in which language. */
    async setDigestPreferences(id: number, prefs: { frequency: DigestFrequency; lang?: Lang }): Promise<void> {
      await q.updateUser(db, id, { digest_frequency: prefs.frequency, ...(prefs.lang ? { lang: prefs.lang } : {}), updated_at: nowIso() });
    },

    async getPublicUser(id: number): Promise<PublicUser> {
      return publicUser(await requireUserRow(id));
    },

    // ---- command line (accounts created there are already confirmed) ----

    async createConfirmed(
      actor: Actor,
      input: { email: string; password: string; role: Role; municipality: string | null; orgName?: string | null },
    ): Promise<{ id: number; totpSecret: string | null }> {
      if (await q.findUserByEmail(db, input.email)) throw new AppError('accounts:errors.email_taken', 409);
      if (input.role === 'official' && (!input.municipality || !(await q.municipalityExists(db, input.municipality)))) throw new AppError('accounts:errors.municipality_unknown', 422);
      const now = nowIso();
      const totpSecret = input.role === 'admin' ? newTotpSecret() : null;
      const row = {
        email: input.email,
        password_hash: await hasher.hash(input.password),
        role: input.role,
        status: 'active' as const,
        municipality_ubigeo: input.role === 'official' ? input.municipality : null,
        org_name: input.role === 'monitor' ? (input.orgName ?? null) : null,
        requested_role: null,
        requested_org_name: null,
        requested_municipality_ubigeo: null,
        totp_secret: totpSecret,
        totp_last_step: null,
        email_confirmed_at: now,
        created_at: now,
        updated_at: now,
      };
      const id = await db.transaction(async (trx) => {
        const newId = await q.insertUser(trx, row);
        await audit.record(trx, actor, {
          action: 'user.create',
          entityType: 'user',
          entityId: String(newId),
          municipality: row.municipality_ubigeo,
          before: null,
          after: { email: row.email, role: row.role, municipality_ubigeo: row.municipality_ubigeo, status: row.status },
        });
        return newId;
      });
      return { id, totpSecret };
    },

    async findByEmail(email: string): Promise<PublicUser | null> {
      const u = await q.findUserByEmail(db, email);
      return u ? publicUser(u) : null;
    },

    /** A new TOTP secret for an admin (command line only). */
    async resetTotp(actor: Actor, userId: number): Promise<string> {
      const u = await requireUserRow(userId);
      const secret = newTotpSecret();
      await db.transaction(async (trx) => {
        await q.updateUser(trx, u.id, { totp_secret: secret, totp_last_step: null, updated_at: nowIso() });
        await audit.record(trx, actor, { action: 'user.reset_totp', entityType: 'user', entityId: String(u.id), municipality: null, before: null, after: { email: u.email } });
      });
      await destroyUserSessions(db, u.id);
      return secret;
    },
  };
  return service;
}

export type AccountsService = ReturnType<typeof createAccountsService>;
