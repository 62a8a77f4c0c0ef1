import type { Lang } from '../../i18n';
import type { Role, UserStatus } from '../../auth/types';

export interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  role: Role;
  status: UserStatus;
  municipality_ubigeo: string | null;
  org_name: string | null;
  requested_role: Role | null;
  requested_org_name: string | null;
  requested_municipality_ubigeo: string | null;
  totp_secret: string | null;
  totp_last_step: number | null;
  email_confirmed_at: string | null;
  created_at: string;
  updated_at: string;
  /** The language of their mail (es | en): the one they registered in, then their choice. */
  lang?: Lang;
  /** How often they get the digest of what they follow. */
  digest_frequency?: DigestFrequency;
}

/** How often a user gets the digest of what they follow (participation module sends it). */
export const DIGEST_FREQUENCIES = ['daily', 'weekly', 'off'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

/** A user as listed to admins: never the hash nor the TOTP secret. */
export type PublicUser = Omit<UserRow, 'password_hash' | 'totp_secret' | 'totp_last_step'>;

export type TokenPurpose = 'confirm_email' | 'reset_password' | 'change_email';

export interface TokenRow {
  id: number;
  user_id: number;
  purpose: TokenPurpose;
  token_hash: string;
  new_email: string | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface UserFilter {
  q?: string;
  role?: Role;
  status?: UserStatus;
  pendingRequests?: boolean;
  page: number;
  perPage: number;
}
