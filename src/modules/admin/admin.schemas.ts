import { z } from 'zod';
import { ROLES, STATUSES } from '../../auth/types';
import { opt, ubigeo } from '../../lib/schemas';
const page = z.preprocess(
  (v) => (v === undefined || v === '' ? 1 : v),
  z.coerce.number({ error: 'admin:errors.page' }).int('admin:errors.page').min(1, 'admin:errors.page').max(100000, 'admin:errors.page'),
);

export const UserListQuery = z.object({
  q: opt(z.string({ error: 'admin:errors.q' }).max(100, 'admin:errors.q')),
  role: opt(z.enum(ROLES, { error: 'accounts:errors.role_invalid' })),
  status: opt(z.enum(STATUSES, { error: 'accounts:errors.status_invalid' })),
  page,
});
export const SetRoleForm = z.object({
  role: z.enum(ROLES, { error: 'accounts:errors.role_invalid' }),
  municipality: opt(ubigeo('accounts:errors.municipality_invalid')),
  org_name: opt(z.string({ error: 'accounts:errors.org_required' }).trim().max(200, 'accounts:errors.org_long')),
});
export const SetStatusForm = z.object({ status: z.enum(['active', 'disabled'], { error: 'accounts:errors.status_invalid' }) });
export const DecisionForm = z.object({ decision: z.enum(['approve', 'reject'], { error: 'admin:errors.decision' }) });
export const AuditQuery = z.object({
  municipality: opt(ubigeo('accounts:errors.municipality_invalid')),
  user: opt(z.string({ error: 'admin:errors.q' }).max(100, 'admin:errors.q')),
  page,
});
export const ManageQuery = z.object({ page });
