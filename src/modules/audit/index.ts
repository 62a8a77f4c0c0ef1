export { createAuditService, actorOf, CLI_ACTOR } from './audit.service';
export type { AuditService } from './audit.service';
export type { Actor, AuditChange, AuditEntry, AuditFilter, ImportAuditSummary } from './audit.types';
