export { createAuditService, actorOf, CLI_ACTOR, withoutEmails } from './audit.service';
export type { AuditService } from './audit.service';
export type { Actor, AuditChange, AuditEntry, AuditFilter, ImportAuditSummary } from './audit.types';
