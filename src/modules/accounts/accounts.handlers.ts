import type { NextFunction, Request, Response } from 'express';
import type { ZodError } from 'zod';
import type { Authenticator } from 'passport';
import { clearSessionCookie, LoginRefusal, safeReturnTo, SessionUser } from '../../auth';
import type { Config } from '../../config';
import { LANGUAGES, lngOf } from '../../i18n';
import { DIGEST_FREQUENCIES } from './accounts.types';
import { pageUrl } from '../../i18n/paths';
import { AppError, NotFoundError, TooManyRequestsError, ValidationError } from '../../lib/errors';
import { Logger, securityEvent } from '../../lib/logger';
import { fieldErrors, formString, renderInvalid } from '../../web/forms';
import type { AccountsService } from './accounts.service';
import {
  ChangeEmailForm,
  ChangePasswordForm,
  DigestForm,
  ConfirmForm,
  DeleteForm,
  ForgotForm,
  LoginForm,
  RegisterForm,
  ResetForm,
  RoleRequestForm,
  SecondFactorForm,
  TokenQuery,
} from './accounts.schemas';

export interface HandlerDeps {
  accounts: AccountsService;
  passport: Pick<Authenticator, 'authenticate'>;
  logger: Logger;
  config: Config;
  clock: () => number;
  /** A CSRF token for the session (the header's logout form after a sign-in in the same answer). */
  csrfToken?: (req: Request) => string;
}

const t = (res: Response, key: string) => res.locals.t(key);
const DONE = new Set(['email', 'password', 'role', 'digest']);

export function accountsHandlers({ accounts, passport, logger, config, clock, csrfToken }: HandlerDeps) {
  const loginView = (res: Response, extra: Record<string, unknown>) => ({ title: t(res, 'accounts:login.title'), values: { email: '' }, errors: {}, returnTo: '', formError: null, ...extra });

  async function accountView(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const user = await accounts.getPublicUser(req.user!.id);
    const done = typeof req.query.done === 'string' && DONE.has(req.query.done) ? req.query.done : null;
    // An admin signed in with the password only may read the page but must pass the code to change anything.
    const secondFactorPending = req.user!.role === 'admin' && !req.session?.mfaAt;
    return {
      title: t(res, 'accounts:account.title'),
      user,
      done,
      frequencies: DIGEST_FREQUENCIES,
      languages: LANGUAGES,
      secondFactorPending,
      errors: {},
      values: { email: '', org_name: '', municipality: '', requested_role: '' },
      form: null,
      ...extra,
    };
  }

  function failLogin(res: Response, status: number, key: string, email: string, returnTo: string) {
    res.status(status).render('accounts/login', loginView(res, { values: { email }, returnTo, formError: key }));
  }

  return {
    loginForm(req: Request, res: Response) {
      if (req.user) return res.redirect(302, safeReturnTo(req.query.returnTo) === '/' ? pageUrl(lngOf(res), 'account') : safeReturnTo(req.query.returnTo));
      res.render('accounts/login', loginView(res, { returnTo: safeReturnTo(req.query.returnTo) === '/' ? '' : safeReturnTo(req.query.returnTo) }));
    },

    async login(req: Request, res: Response, next: NextFunction) {
      const returnTo = safeReturnTo(formString(req.body, 'returnTo', 2000));
      const keepReturn = returnTo === '/' ? '' : returnTo;
      const parsed = LoginForm.safeParse(req.body);
      if (!parsed.success) {
        return renderInvalid(logger, req, res, 'accounts/login', loginView(res, { values: { email: formString(req.body, 'email', 254) }, errors: fieldErrors(parsed.error), returnTo: keepReturn }));
      }
      const { email, password } = parsed.data;
      const ip = req.ip ?? '';
      req.body = { email, password };
      passport.authenticate('local', (err: unknown, user: SessionUser | false, info?: LoginRefusal) => {
        if (err) return next(err);
        if (!user) {
          const reason = info?.message ?? 'invalid';
          if (reason === 'throttled') {
            securityEvent(logger, 'login_throttled', { ip, email });
            res.set('Retry-After', String(info?.retryAfterSeconds ?? 60));
            return failLogin(res, 429, 'accounts:errors.too_many_attempts', email, keepReturn);
          }
          securityEvent(logger, 'login_failed', { ip, email, reason });
          if (reason === 'unconfirmed') return failLogin(res, 403, 'accounts:errors.login_unconfirmed', email, keepReturn);
          if (reason === 'disabled') return failLogin(res, 403, 'accounts:errors.login_disabled', email, keepReturn);
          return failLogin(res, 401, 'accounts:errors.login_failed', email, keepReturn);
        }
        req.login(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          const now = clock();
          req.session.createdAt = now;
          req.session.lastSeenAt = now;
          logger.info({ security: 'login', userId: user.id, ip }, 'security: login');
          if (user.role === 'admin') return res.redirect(302, pageUrl(lngOf(res), 'second_factor', {}, { returnTo: keepReturn || undefined }));
          res.redirect(302, returnTo);
        });
      })(req, res, next);
    },

    logout(req: Request, res: Response, next: NextFunction) {
      const lng = lngOf(res);
      const userId = req.user?.id;
      if (!req.session) return res.redirect(302, `/${lng}/`);
      req.session.destroy((err) => {
        if (err) return next(err);
        clearSessionCookie(res, config);
        logger.info({ security: 'logout', userId }, 'security: logout');
        res.redirect(302, `/${lng}/`);
      });
    },

    async monitors(_req: Request, res: Response) {
      res.render('accounts/monitors', { title: t(res, 'accounts:monitors.title'), organisations: await accounts.monitorOrganisations() });
    },

    registerForm(req: Request, res: Response) {
      const back = safeReturnTo(req.query.returnTo);
      res.render('accounts/register', { title: t(res, 'accounts:register.title'), values: { email: '' }, errors: {}, returnTo: back === '/' ? '' : back });
    },

    async register(req: Request, res: Response) {
      const back = safeReturnTo(formString(req.body, 'returnTo', 2000));
      const parsed = RegisterForm.safeParse(req.body);
      if (!parsed.success) {
        return renderInvalid(logger, req, res, 'accounts/register', {
          title: t(res, 'accounts:register.title'),
          values: { email: formString(req.body, 'email', 254) },
          errors: fieldErrors(parsed.error),
          returnTo: back === '/' ? '' : back,
        });
      }
      await accounts.register({ email: parsed.data.email, password: parsed.data.password }, lngOf(res), back);
      res.render('accounts/notice', { title: t(res, 'accounts:register.sent_title'), message: 'accounts:register.sent' });
    },

    async confirmForm(req: Request, res: Response) {
      const { token } = TokenQuery.parse(req.query);
      const row = /^[A-Za-z0-9_-]{43}$/.test(token) ? await accounts.liveToken(token, ['confirm_email', 'change_email']) : null;
      if (!row) return res.status(400).render('accounts/notice', { title: t(res, 'accounts:confirm.invalid_title'), message: 'accounts:errors.token_invalid' });
      const back = safeReturnTo(req.query.returnTo);
      res.render('accounts/confirm', { title: t(res, 'accounts:confirm.title'), token, purpose: row.purpose, returnTo: back === '/' ? '' : back });
    },

    /**
     * Confirms the address. A new resident is signed in by the confirmation (a fresh session id,
     * as at login) and taken back to the page where they started registering (a same-site path
     * checked by safeReturnTo), or told it worked.
     */
    async confirm(req: Request, res: Response, next: NextFunction) {
      const parsed = ConfirmForm.safeParse(req.body);
      if (!parsed.success) return res.status(400).render('accounts/notice', { title: t(res, 'accounts:confirm.invalid_title'), message: 'accounts:errors.token_invalid' });
      const back = safeReturnTo(formString(req.body, 'returnTo', 2000));
      try {
        const { result, user } = await accounts.confirm(parsed.data.token, lngOf(res));
        const done = () =>
          back !== '/' ? res.redirect(303, back) : res.render('accounts/notice', { title: t(res, `accounts:confirm.${result}_title`), message: `accounts:confirm.${result}`, loginLink: !req.user });
        if (!user || req.user || user.role === 'admin') return done();
        req.login(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          const now = clock();
          req.session.createdAt = now;
          req.session.lastSeenAt = now;
          logger.info({ security: 'login', userId: user.id, ip: req.ip ?? '', via: 'email_confirmation' }, 'security: login');
          res.locals.currentUser = { email: user.email, role: user.role };
          if (csrfToken) res.locals.csrfToken = csrfToken(req);
          done();
        });
      } catch (err) {
        if (err instanceof AppError && err.key === 'accounts:errors.token_invalid')
          return res.status(400).render('accounts/notice', { title: t(res, 'accounts:confirm.invalid_title'), message: err.key });
        throw err;
      }
    },

    forgotForm(_req: Request, res: Response) {
      res.render('accounts/forgot', { title: t(res, 'accounts:forgot.title'), values: { email: '' }, errors: {} });
    },

    async forgot(req: Request, res: Response) {
      const parsed = ForgotForm.safeParse(req.body);
      if (!parsed.success)
        return renderInvalid(logger, req, res, 'accounts/forgot', { title: t(res, 'accounts:forgot.title'), values: { email: formString(req.body, 'email', 254) }, errors: fieldErrors(parsed.error) });
      await accounts.forgotPassword(parsed.data.email, lngOf(res));
      res.render('accounts/notice', { title: t(res, 'accounts:forgot.sent_title'), message: 'accounts:forgot.sent' });
    },

    async resetForm(req: Request, res: Response) {
      const { token } = TokenQuery.parse(req.query);
      const row = /^[A-Za-z0-9_-]{43}$/.test(token) ? await accounts.liveToken(token, ['reset_password']) : null;
      if (!row) return res.status(400).render('accounts/notice', { title: t(res, 'accounts:confirm.invalid_title'), message: 'accounts:errors.token_invalid' });
      res.render('accounts/reset', { title: t(res, 'accounts:reset.title'), token, errors: {} });
    },

    async reset(req: Request, res: Response) {
      const token = formString(req.body, 'token', 100);
      const parsed = ResetForm.safeParse(req.body);
      if (!parsed.success) {
        const errors = fieldErrors(parsed.error);
        if (errors.token) return res.status(400).render('accounts/notice', { title: t(res, 'accounts:confirm.invalid_title'), message: 'accounts:errors.token_invalid' });
        return renderInvalid(logger, req, res, 'accounts/reset', { title: t(res, 'accounts:reset.title'), token, errors });
      }
      try {
        await accounts.resetPassword(parsed.data.token, parsed.data.password);
      } catch (err) {
        if (err instanceof AppError && err.key === 'accounts:errors.token_invalid')
          return res.status(400).render('accounts/notice', { title: t(res, 'accounts:confirm.invalid_title'), message: err.key });
        throw err;
      }
      res.render('accounts/notice', { title: t(res, 'accounts:reset.done_title'), message: 'accounts:reset.done', loginLink: true });
    },

    async account(req: Request, res: Response) {
      res.render('accounts/account', await accountView(req, res));
    },

    async changeEmail(req: Request, res: Response) {
      const parsed = ChangeEmailForm.safeParse(req.body);
      const values = { email: formString(req.body, 'email', 254), org_name: '', municipality: '', requested_role: '' };
      try {
        if (!parsed.success) throw new ValidationError(fieldErrorsList(parsed.error), 422);
        await accounts.requestEmailChange(req.user!.id, parsed.data.current_password, parsed.data.email, lngOf(res));
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return renderInvalid(logger, req, res, 'accounts/account', await accountView(req, res, { errors: fieldErrors(err), values, form: 'email' }));
      }
      res.redirect(303, pageUrl(lngOf(res), 'account', {}, { done: 'email' }));
    },

    async changePassword(req: Request, res: Response) {
      const parsed = ChangePasswordForm.safeParse(req.body);
      try {
        if (!parsed.success) throw new ValidationError(fieldErrorsList(parsed.error), 422);
        await accounts.changePassword(req.user!.id, parsed.data.current_password, parsed.data.password, req.sessionID);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return renderInvalid(logger, req, res, 'accounts/account', await accountView(req, res, { errors: fieldErrors(err), form: 'password' }));
      }
      res.redirect(303, pageUrl(lngOf(res), 'account', {}, { done: 'password' }));
    },

    /** How often (daily, weekly, off) and in which language the digest of what the user follows is mailed. */
    async digestPreferences(req: Request, res: Response) {
      const parsed = DigestForm.safeParse(req.body);
      if (!parsed.success) return renderInvalid(logger, req, res, 'accounts/account', await accountView(req, res, { errors: fieldErrors(parsed.error), form: 'digest' }));
      await accounts.setDigestPreferences(req.user!.id, { frequency: parsed.data.digest_frequency, lang: parsed.data.lang });
      res.redirect(303, pageUrl(lngOf(res), 'account', {}, { done: 'digest' }));
    },

    async requestRole(req: Request, res: Response) {
      const parsed = RoleRequestForm.safeParse(req.body);
      const values = { email: '', org_name: formString(req.body, 'org_name', 200), municipality: formString(req.body, 'municipality', 6), requested_role: formString(req.body, 'requested_role', 20) };
      try {
        if (!parsed.success) throw new ValidationError(fieldErrorsList(parsed.error), 422);
        await accounts.requestRole(req.user!.id, parsed.data);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return renderInvalid(logger, req, res, 'accounts/account', await accountView(req, res, { errors: fieldErrors(err), values, form: 'role' }));
      }
      res.redirect(303, pageUrl(lngOf(res), 'account', {}, { done: 'role' }));
    },

    async deleteAccount(req: Request, res: Response, next: NextFunction) {
      const parsed = DeleteForm.safeParse(req.body);
      try {
        if (!parsed.success) throw new ValidationError(fieldErrorsList(parsed.error), 422);
        await accounts.deleteAccount(req.user!.id, parsed.data.current_password);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return renderInvalid(logger, req, res, 'accounts/account', await accountView(req, res, { errors: fieldErrors(err), form: 'delete' }));
      }
      req.session.destroy((err) => {
        if (err) return next(err);
        clearSessionCookie(res, config);
        res.render('accounts/notice', { title: t(res, 'accounts:delete.done_title'), message: 'accounts:delete.done', currentUser: null, csrfToken: '' });
      });
    },

    secondFactorForm(req: Request, res: Response) {
      if (req.user!.role !== 'admin') throw new NotFoundError();
      res.render('accounts/second-factor', {
        title: t(res, 'accounts:second_factor.title'),
        hasTotp: req.user!.has_totp,
        returnTo: safeReturnTo(req.query.returnTo) === '/' ? '' : safeReturnTo(req.query.returnTo),
        errors: {},
      });
    },

    async secondFactor(req: Request, res: Response, next: NextFunction) {
      const user = req.user!;
      if (user.role !== 'admin') throw new NotFoundError();
      const returnTo = safeReturnTo(formString(req.body, 'returnTo', 2000));
      const parsed = SecondFactorForm.safeParse(req.body);
      const view = (key: string) => ({ title: t(res, 'accounts:second_factor.title'), hasTotp: user.has_totp, returnTo: returnTo === '/' ? '' : returnTo, errors: { code: key } });
      let ok: boolean;
      try {
        // A malformed code is a wrong code: it counts towards the limit like any other.
        ok = await accounts.verifySecondFactor(user.id, parsed.success ? parsed.data.code : '');
      } catch (err) {
        if (!(err instanceof TooManyRequestsError)) throw err;
        securityEvent(logger, 'second_factor_throttled', { ip: req.ip, userId: user.id });
        res.set('Retry-After', String(err.retryAfterSeconds));
        return renderInvalid(logger, req, res, 'accounts/second-factor', view(err.key), 429);
      }
      if (!ok) {
        securityEvent(logger, 'second_factor_failed', { ip: req.ip, userId: user.id });
        return renderInvalid(logger, req, res, 'accounts/second-factor', view('accounts:errors.code_invalid'));
      }
      const createdAt = req.session.createdAt;
      // A new session id once the second factor is passed, keeping the login times.
      req.login(user, { session: true, keepSessionInfo: true }, (err) => {
        if (err) return next(err);
        req.session.mfaAt = clock();
        req.session.createdAt = createdAt;
        req.session.lastSeenAt = clock();
        res.redirect(302, returnTo === '/' ? pageUrl(lngOf(res), 'admin_users') : returnTo);
      });
    },
  };
}

/** Zod issues as the FieldIssue list a ValidationError carries. */
function fieldErrorsList(error: ZodError) {
  return error.issues.map((i) => ({ field: i.path.join('.') || '_', key: i.message.includes(':') ? i.message : 'errors:validation.invalid' }));
}
