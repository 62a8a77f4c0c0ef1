import { z } from 'zod';
import { ROLES, STATUSES } from '../../auth/types';
import { isCommonPassword } from './common-passwords';
import { LANGUAGES } from '../../i18n';
import { DIGEST_FREQUENCIES } from './accounts.types';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

const str = (key: string) => z.string({ error: key });

export const Email = str('accounts:errors.email_invalid')
  .trim()
  .toLowerCase()
  .min(1, 'accounts:errors.email_required')
  .max(254, 'accounts:errors.email_invalid')
  .email('accounts:errors.email_invalid');

/** Length is counted in Unicode code points; nothing is ever truncated. */
export const NewPassword = str('accounts:errors.password_required')
  .min(1, 'accounts:errors.password_required')
  .refine((p) => [...p].length >= PASSWORD_MIN, 'accounts:errors.password_short')
  .refine((p) => [...p].length <= PASSWORD_MAX, 'accounts:errors.password_long')
  .refine((p) => !isCommonPassword(p), 'accounts:errors.password_common');

/** A password being checked, not set: only a sanity bound so that huge bodies are not hashed. */
const CurrentPassword = str('accounts:errors.password_required').min(1, 'accounts:errors.password_required').max(1024, 'accounts:errors.password_long');

const ReturnTo = z.preprocess((v) => (typeof v === 'string' ? v : undefined), z.string().max(2000).optional());

export const LoginForm = z.object({ email: Email, password: CurrentPassword, returnTo: ReturnTo });
export const RegisterForm = z.object({ email: Email, password: NewPassword });
export const ForgotForm = z.object({ email: Email });
export const Token = z.string({ error: 'accounts:errors.token_invalid' }).regex(/^[A-Za-z0-9_-]{43}$/, 'accounts:errors.token_invalid');
export const TokenQuery = z.object({ token: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string()) });
export const ConfirmForm = z.object({ token: Token });
export const ResetForm = z.object({ token: Token, password: NewPassword });
export const ChangePasswordForm = z.object({ current_password: CurrentPassword, password: NewPassword });
export const ChangeEmailForm = z.object({ current_password: CurrentPassword, email: Email });
export const DeleteForm = z.object({ current_password: CurrentPassword });
export const SecondFactorForm = z.object({
  code: str('accounts:errors.code_invalid')
    .trim()
    .regex(/^\d{6}$/, 'accounts:errors.code_invalid'),
  returnTo: ReturnTo,
});
export const RoleRequestForm = z.discriminatedUnion(
  'requested_role',
  [
    z.object({ requested_role: z.literal('monitor'), org_name: str('accounts:errors.org_required').trim().min(2, 'accounts:errors.org_required').max(200, 'accounts:errors.org_long') }),
    z.object({
      requested_role: z.literal('official'),
      municipality: str('accounts:errors.municipality_invalid')
        .trim()
        .regex(/^\d{6}$/, 'accounts:errors.municipality_invalid'),
    }),
  ],
  { error: 'accounts:errors.role_invalid' },
);

export const RoleSchema = z.enum(ROLES, { error: 'accounts:errors.role_invalid' });
export const StatusSchema = z.enum(STATUSES, { error: 'accounts:errors.status_invalid' });

/** The digest preferences form: frequency and language, each from its allow-list. */
export const DigestForm = z.object({
  digest_frequency: z.enum(DIGEST_FREQUENCIES, { error: 'accounts:errors.digest_frequency' }),
  lang: z.enum(LANGUAGES, { error: 'accounts:errors.digest_lang' }),
});
