import { idOr404 } from '../../lib/schemas';
import { ROLES } from '../../auth';
import type { Request, Response } from 'express';
import { pageUrl } from '../../i18n/paths';
import type { Db } from '../../db';
import type { BackgroundJobs } from '../../lib/background';
import { lngOf } from '../../i18n';
import { parse } from '../../lib/http';
import { paging } from '../../web/paging';
import type { AccountsService } from '../accounts';
import { actorOf, AuditEntry, AuditService, withoutEmails } from '../audit';
import type { MunicipalitiesService } from '../municipalities';
import { AuditQuery, DecisionForm, ManageQuery, SetRoleForm, SetStatusForm, UserListQuery } from './admin.schemas';

const PER_PAGE = 50;

/** Audit rows with their JSON shown as text (rendered escaped). */
const auditRows = (rows: AuditEntry[]) => rows.map((r) => ({ ...r, before: r.before_json ?? '', after: r.after_json ?? '' }));

export function adminHandlers({ db, accounts, audit, municipalities, jobs }: { db: Db; accounts: AccountsService; audit: AuditService; municipalities: MunicipalitiesService; jobs: BackgroundJobs }) {
  const backToUsers = (res: Response, done: string) => res.redirect(303, pageUrl(lngOf(res), 'admin_users', {}, { done }));

  return {
    /** The dead letters: jobs that failed every attempt, with their error and a retry button. */
    async jobs(req: Request, res: Response) {
      const done = req.query.done === 'retried' || req.query.done === 'gone' ? req.query.done : null;
      res.render('admin/jobs', { title: res.locals.t('admin:jobs.title'), failed: await jobs.failed(), backend: jobs.backend, done });
    },

    async retryJob(req: Request, res: Response) {
      const id = String(req.params.id).slice(0, 64);
      const ok = await jobs.retry(id);
      if (ok) await audit.record(db, actorOf(req.user!), { action: 'jobs.retry', entityType: 'job', entityId: id, municipality: null, before: null, after: null });
      res.redirect(303, pageUrl(lngOf(res), 'admin_jobs', {}, { done: ok ? 'retried' : 'gone' }));
    },

    async users(req: Request, res: Response) {
      const f = parse(UserListQuery, req.query);
      const [first, pending] = await Promise.all([accounts.listUsers({ ...f, perPage: PER_PAGE }), accounts.listUsers({ pendingRequests: true, page: 1, perPage: 200 })]);
      const { page, pages } = paging(first.total, f.page, PER_PAGE);
      const list = page === f.page ? first : await accounts.listUsers({ ...f, page, perPage: PER_PAGE });
      const done = typeof req.query.done === 'string' && ['role', 'status', 'request'].includes(req.query.done) ? req.query.done : null;
      res.render('admin/users', { title: res.locals.t('admin:users.title'), filter: f, users: list.rows, total: list.total, page, pages, pending: pending.rows, done, me: req.user!.id, roles: ROLES });
    },

    async setRole(req: Request, res: Response) {
      const id = idOr404(req.params.id);
      const form = parse(SetRoleForm, req.body, 422);
      await accounts.setRole(actorOf(req.user!), id, form.role, form.municipality ?? null, form.org_name ?? null);
      backToUsers(res, 'role');
    },

    async setStatus(req: Request, res: Response) {
      const id = idOr404(req.params.id);
      const form = parse(SetStatusForm, req.body, 422);
      await accounts.setStatus(actorOf(req.user!), id, form.status);
      backToUsers(res, 'status');
    },

    async decide(req: Request, res: Response) {
      const id = idOr404(req.params.id);
      const form = parse(DecisionForm, req.body, 422);
      await accounts.decideRequest(actorOf(req.user!), id, form.decision === 'approve');
      backToUsers(res, 'request');
    },

    async audit(req: Request, res: Response) {
      const f = parse(AuditQuery, req.query);
      const first = await audit.list(db, { ...f, perPage: PER_PAGE });
      const { page, pages } = paging(first.total, f.page, PER_PAGE);
      const list = page === f.page ? first : await audit.list(db, { ...f, page, perPage: PER_PAGE });
      res.render('admin/audit', { title: res.locals.t('admin:audit.title'), filter: f, entries: auditRows(list.rows), total: list.total, page, pages });
    },

    /** An official's page for their municipality: its recent audited changes. */
    async manage(req: Request, res: Response) {
      const ubigeo = req.params.ubigeo as string;
      const municipality = await municipalities.municipality(ubigeo);
      const f = parse(ManageQuery, req.query);
      const first = await audit.list(db, { municipality: ubigeo, page: f.page, perPage: PER_PAGE });
      const { page, pages } = paging(first.total, f.page, PER_PAGE);
      const list = page === f.page ? first : await audit.list(db, { municipality: ubigeo, page, perPage: PER_PAGE });
      // Officials see who acted by role, never other people's addresses; admins see everything.
      const rows = req.user!.role === 'admin' ? list.rows : list.rows.map(withoutEmails);
      res.render('admin/manage', { title: municipality.district, municipality, entries: auditRows(rows), total: list.total, page, pages });
    },
  };
}
