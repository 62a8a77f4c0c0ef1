import type { Auth } from '../../auth';
import type { Config } from '../../config';
import type { PageRegistrar } from '../../web/pages';
import { rateLimiter, type RateLimitContext } from '../../web/rate-limit';
import { accountsHandlers } from './accounts.handlers';
import type { AccountsService } from './accounts.service';

export { createAccountsService, DEFAULT_THROTTLE } from './accounts.service';
export type { AccountsService } from './accounts.service';
export type { PublicUser, UserRow, DigestFrequency } from './accounts.types';
export { DIGEST_FREQUENCIES } from './accounts.types';
export { Email, NewPassword } from './accounts.schemas';

/** Per-IP request limits on the forms that send mail or check passwords (per process). */
export interface FormLimits {
  loginPerMinute: number;
  registerPerHour: number;
  resetPerHour: number;
}

export const DEFAULT_FORM_LIMITS: FormLimits = { loginPerMinute: 20, registerPerHour: 10, resetPerHour: 10 };

/** What the accounts module needs; `limits` caps the anonymous forms. */
export interface AccountsModuleDeps extends RateLimitContext {
  accounts: AccountsService;
  auth: Auth;
  config: Config;
  clock: () => number;
  limits?: FormLimits;
}

export function createAccountsModule({ accounts, auth, logger, config, clock, limits = DEFAULT_FORM_LIMITS, redis = null }: AccountsModuleDeps) {
  const h = accountsHandlers({ accounts, passport: auth.passport, logger, config, clock, csrfToken: (req) => auth.csrf.token(req) });
  const { requireUser, requireRole, requireSecondFactor } = auth.guards;
  const form = auth.formSession;
  const loginLimit = rateLimiter({ logger, redis }, { name: 'login', windowMs: 60_000, limit: limits.loginPerMinute });
  const registerLimit = rateLimiter({ logger, redis }, { name: 'register', windowMs: 3_600_000, limit: limits.registerPerHour });
  const resetLimit = rateLimiter({ logger, redis }, { name: 'reset', windowMs: 3_600_000, limit: limits.resetPerHour });
  // These writes change no public page: they keep the response cache.
  const quiet = { quiet: true };
  return {
    registerPages(reg: PageRegistrar) {
      reg.page('monitors', h.monitors);
      // Anonymous forms: their GET creates the session that carries the CSRF token.
      reg.route('get', 'login', form, h.loginForm);
      reg.route('post', 'login', [loginLimit], h.login, quiet);
      reg.route('get', 'register', form, h.registerForm);
      reg.route('post', 'register', [registerLimit], h.register, quiet);
      reg.route('get', 'confirm', form, h.confirmForm);
      reg.route('post', 'confirm', [], h.confirm, quiet);
      reg.route('get', 'forgot', form, h.forgotForm);
      reg.route('post', 'forgot', [resetLimit], h.forgot, quiet);
      reg.route('get', 'reset', form, h.resetForm);
      reg.route('post', 'reset', [resetLimit], h.reset, quiet);
      // Signed in.
      reg.route('post', 'logout', [requireUser], h.logout, quiet);
      reg.route('get', 'account', [requireUser], h.account);
      // Changing the address or password, or deleting the account, needs the second factor too.
      reg.route('post', 'account_email', [requireSecondFactor], h.changeEmail, quiet);
      reg.route('post', 'account_password', [requireSecondFactor], h.changePassword, quiet);
      reg.route('post', 'account_delete', [requireSecondFactor], h.deleteAccount);
      reg.route('post', 'account_digest', [requireUser], h.digestPreferences, quiet);
      reg.route('post', 'account_role', [requireRole('resident', 'monitor')], h.requestRole, quiet);
      reg.route('get', 'second_factor', [requireUser], h.secondFactorForm);
      reg.route('post', 'second_factor', [requireUser], h.secondFactor, quiet);
    },
  };
}
