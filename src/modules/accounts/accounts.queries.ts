import type { Db } from '../../db';
import type { PublicUser, TokenPurpose, TokenRow, UserFilter, UserRow } from './accounts.types';

const USER_COLUMNS = [
  'id',
  'email',
  'password_hash',
  'role',
  'status',
  'municipality_ubigeo',
  'org_name',
  'requested_role',
  'requested_org_name',
  'requested_municipality_ubigeo',
  'totp_secret',
  'totp_last_step',
  'email_confirmed_at',
  'created_at',
  'updated_at',
  'lang',
  'digest_frequency',
];
const PUBLIC_COLUMNS = USER_COLUMNS.filter((c) => c !== 'password_hash' && c !== 'totp_secret' && c !== 'totp_last_step');

const toUser = (r: UserRow | undefined): UserRow | undefined => r && { ...r, id: Number(r.id), totp_last_step: r.totp_last_step == null ? null : Number(r.totp_last_step) };

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return toUser(await db('users').select(USER_COLUMNS).where({ id }).first());
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return toUser(await db('users').select(USER_COLUMNS).where({ email }).first());
}

export async function insertUser(db: Db, row: Omit<UserRow, 'id'>): Promise<number> {
  const [id] = await db('users').insert(row);
  return Number(id);
}

/** Updates only the columns given; callers pass an explicit object, never a request body. */
export async function updateUser(db: Db, id: number, changes: Partial<Omit<UserRow, 'id'>>): Promise<void> {
  await db('users').where({ id }).update(changes);
}

export async function deleteUser(db: Db, id: number): Promise<void> {
  await db('users').where({ id }).del();
}

export async function listUsers(db: Db, f: UserFilter): Promise<{ rows: PublicUser[]; total: number }> {
  const base = db('users');
  // LIKE wildcards are dropped rather than escaped: escaping differs between SQLite and MySQL.
  const q = f.q?.replace(/[\\%_]/g, '');
  if (q) base.where('email', 'like', `%${q}%`);
  if (f.role) base.where('role', f.role);
  if (f.status) base.where('status', f.status);
  if (f.pendingRequests) base.whereNotNull('requested_role');
  const [{ n }] = await base.clone().count({ n: '*' });
  const rows = await base
    .clone()
    .select(PUBLIC_COLUMNS)
    .orderBy('id', 'asc')
    .limit(f.perPage)
    .offset((f.page - 1) * f.perPage);
  return { rows: rows.map((r: PublicUser) => ({ ...r, id: Number(r.id) })), total: Number(n) };
}

export async function municipalityExists(db: Db, ubigeo: string): Promise<boolean> {
  return Boolean(await db('municipalities').select('ubigeo').where({ ubigeo }).first());
}

export async function insertToken(db: Db, row: Omit<TokenRow, 'id'>): Promise<void> {
  await db('auth_tokens').insert(row);
}

export async function findToken(db: Db, tokenHash: string): Promise<TokenRow | undefined> {
  const r = await db('auth_tokens').select('id', 'user_id', 'purpose', 'token_hash', 'new_email', 'expires_at', 'used_at', 'created_at').where({ token_hash: tokenHash }).first();
  return r && { ...r, id: Number(r.id), user_id: Number(r.user_id) };
}

/** Marks a token used; false when another request used it first (single use under concurrency). */
export async function useToken(db: Db, id: number, at: string): Promise<boolean> {
  const n = await db('auth_tokens').where({ id }).whereNull('used_at').update({ used_at: at });
  return Number(n) === 1;
}

export async function expireTokens(db: Db, userId: number, purpose: TokenPurpose, at: string, exceptId?: number): Promise<void> {
  const qb = db('auth_tokens').where({ user_id: userId, purpose }).whereNull('used_at');
  if (exceptId != null) qb.whereNot('id', exceptId);
  await qb.update({ used_at: at });
}

/** Moves an account to a new address only if it still has the old one (two links confirmed at once: one wins). */
export async function moveEmail(db: Db, userId: number, from: string, to: string, at: string): Promise<boolean> {
  const n = await db('users').where({ id: userId, email: from }).update({ email: to, email_confirmed_at: at, updated_at: at });
  return Number(n) === 1;
}

/** Failed logins in a window: for one account from one IP, for one account, or from one IP. */
export async function countFailures(db: Db, by: { account?: string; ip?: string }, since: string): Promise<number> {
  const qb = db('login_failures').where('at', '>=', since);
  if (by.account !== undefined) qb.where('account', by.account);
  if (by.ip !== undefined) qb.where('ip', by.ip);
  const [{ n }] = await qb.count({ n: '*' });
  return Number(n);
}

/** Records a login attempt as a failure before its password is checked; returns its id. */
export async function insertFailure(db: Db, row: { account: string; ip: string; at: string }): Promise<number> {
  const [id] = await db('login_failures').insert(row);
  return Number(id);
}

export async function deleteFailure(db: Db, id: number): Promise<void> {
  await db('login_failures').where({ id }).del();
}

/** Forgets the failures of one account from one IP (after that IP logged in). */
export async function clearFailures(db: Db, account: string, ip: string): Promise<void> {
  await db('login_failures').where({ account, ip }).del();
}

export async function pruneFailures(db: Db, before: string): Promise<void> {
  await db('login_failures').where('at', '<', before).del();
}

/** Records a second-factor attempt as a failure before the code is checked; returns its id. */
export async function insertCodeFailure(db: Db, row: { user_id: number; at: string }): Promise<number> {
  const [id] = await db('second_factor_failures').insert(row);
  return Number(id);
}

export async function deleteCodeFailure(db: Db, id: number): Promise<void> {
  await db('second_factor_failures').where({ id }).del();
}

export async function countCodeFailures(db: Db, userId: number, since: string): Promise<number> {
  const [{ n }] = await db('second_factor_failures').where({ user_id: userId }).where('at', '>=', since).count({ n: '*' });
  return Number(n);
}

export async function clearCodeFailures(db: Db, userId: number): Promise<void> {
  await db('second_factor_failures').where({ user_id: userId }).del();
}

/** Records the TOTP step just used; false when that step (or a later one) was used already. */
export async function claimTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
  const n = await db('users')
    .where({ id: userId })
    .andWhere((w) => {
      w.whereNull('totp_last_step').orWhere('totp_last_step', '<', step);
    })
    .update({ totp_last_step: step });
  return Number(n) === 1;
}

/** Organisations of approved, active monitors (public). */
export async function listMonitorOrganisations(db: Db): Promise<string[]> {
  const rows: Array<{ org_name: string }> = await db('users').distinct('org_name').where({ role: 'monitor', status: 'active' }).whereNotNull('org_name').orderBy('org_name');
  return rows.map((r) => r.org_name);
}
