import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Auth } from '../../auth';
import type { Config } from '../../config';
import { TooManyRequestsError } from '../../lib/errors';
import { Logger, securityEvent, urlForLog } from '../../lib/logger';
import type { PageRegistrar } from '../../web/pages';
import { accountsHandlers } from './accounts.handlers';
import type { AccountsService } from './accounts.service';

export { createAccountsService, DEFAULT_THROTTLE } from './accounts.service';
export type { AccountsService } from './accounts.service';
export type { PublicUser, UserRow } from './accounts.types';
export { Email, NewPassword } from './accounts.schemas';

/** Per-IP request limits on the forms that send mail or check passwords (per process). */
export interface FormLimits {
  loginPerMinute: number;
  registerPerHour: number;
  resetPerHour: number;
}

export const DEFAULT_FORM_LIMITS: FormLimits = { loginPerMinute: 20, registerPerHour: 10, resetPerHour: 10 };

function limiter(logger: Logger, windowMs: number, limit: number, name: string): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res, next, options) => {
      securityEvent(logger, 'rate_limited', { ip: req.ip, limiter: name, path: urlForLog(req.originalUrl) });
      res.set('Retry-After', String(Math.ceil(options.windowMs / 1000)));
      next(new TooManyRequestsError());
    },
  });
}

export function createAccountsModule({ accounts, auth, logger, config, clock, limits = DEFAULT_FORM_LIMITS }: { accounts: AccountsService; auth: Auth; logger: Logger; config: Config; clock: () => number; limits?: FormLimits }) {
  const h = accountsHandlers({ accounts, passport: auth.passport, logger, config, clock });
  const { requireUser, requireRole, requireSecondFactor } = auth.guards;
  const form = auth.formSession;
  const loginLimit = limiter(logger, 60_000, limits.loginPerMinute, 'login');
  const registerLimit = limiter(logger, 3_600_000, limits.registerPerHour, 'register');
  const resetLimit = limiter(logger, 3_600_000, limits.resetPerHour, 'reset');
  return {
    registerPages(reg: PageRegistrar) {
      reg.page('monitors', h.monitors);
      // Anonymous forms: their GET creates the session that carries the CSRF token.
      reg.route('get', 'login', form, h.loginForm);
      reg.route('post', 'login', [loginLimit], h.login);
      reg.route('get', 'register', form, h.registerForm);
      reg.route('post', 'register', [registerLimit], h.register);
      reg.route('get', 'confirm', form, h.confirmForm);
      reg.route('post', 'confirm', [], h.confirm);
      reg.route('get', 'forgot', form, h.forgotForm);
      reg.route('post', 'forgot', [resetLimit], h.forgot);
      reg.route('get', 'reset', form, h.resetForm);
      reg.route('post', 'reset', [resetLimit], h.reset);
      // Signed in.
      reg.route('post', 'logout', [requireUser], h.logout);
      reg.route('get', 'account', [requireUser], h.account);
      // Changing the address or password, or deleting the account, needs the second factor too.
      reg.route('post', 'account_email', [requireSecondFactor], h.changeEmail);
      reg.route('post', 'account_password', [requireSecondFactor], h.changePassword);
      reg.route('post', 'account_delete', [requireSecondFactor], h.deleteAccount);
      reg.route('post', 'account_role', [requireRole('resident', 'monitor')], h.requestRole);
      reg.route('get', 'second_factor', [requireUser], h.secondFactorForm);
      reg.route('post', 'second_factor', [requireUser], h.secondFactor);
    },
  };
}
