export { createAuditService, actorOf, withoutEmails } from './audit.service';
export type { AuditService } from './audit.service';
export type { Actor, AuditChange, AuditEntry, AuditFilter } from './audit.types';
