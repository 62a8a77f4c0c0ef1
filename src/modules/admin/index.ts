import type { Auth } from '../../auth';
import type { Db } from '../../db';
import type { BackgroundJobs } from '../../lib/background';
import type { PageRegistrar } from '../../web/pages';
import type { AccountsService } from '../accounts';
import type { AuditService } from '../audit';
import type { MunicipalitiesService } from '../municipalities';
import { adminHandlers } from './admin.handlers';

/** Users and roles, the audit log and the failed jobs (admins, after TOTP), and the officials' municipality page. */
export function createAdminModule(deps: { db: Db; auth: Auth; accounts: AccountsService; audit: AuditService; municipalities: MunicipalitiesService; jobs: BackgroundJobs }) {
  const h = adminHandlers(deps);
  const { requireRole, requireMunicipality } = deps.auth.guards;
  const admin = requireRole('admin');
  return {
    registerPages(reg: PageRegistrar) {
      reg.route('get', 'admin_users', [admin], h.users);
      reg.route('post', 'admin_user_role', [admin], h.setRole);
      reg.route('post', 'admin_user_status', [admin], h.setStatus);
      reg.route('post', 'admin_user_request', [admin], h.decide);
      reg.route('get', 'admin_audit', [admin], h.audit);
      reg.route('get', 'admin_jobs', [admin], h.jobs);
      reg.route('post', 'admin_job_retry', [admin], h.retryJob, { quiet: true }); // the job, when it runs, announces its own changes
      reg.route('get', 'manage', [requireRole('official', 'admin'), requireMunicipality('ubigeo')], h.manage);
    },
  };
}
