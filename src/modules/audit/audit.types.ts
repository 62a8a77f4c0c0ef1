export interface AuditEntry {
  id: number;
  at: string;
  actor_user_id: number | null;
  actor_email: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  municipality_ubigeo: string | null;
  before_json: string | null;
  after_json: string | null;
}

export interface AuditFilter {
  municipality?: string;
  /** Part of the actor's email. */
  user?: string;
  userId?: number;
  page: number;
  perPage: number;
}

/** Who made a change: a signed-in official/admin, or the command line (userId null). */
export interface Actor {
  userId: number | null;
  email: string;
  role: string;
  /** The municipality an official is bound to (shown in the public record instead of a person). */
  municipality?: string | null;
}

export interface AuditChange {
  /** Verb in dotted form: `user.set_role`, `pb_item.update` … */
  action: string;
  entityType: string;
  entityId: string | null;
  municipality: string | null;
  before: unknown;
  after: unknown;
}
