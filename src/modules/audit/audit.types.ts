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

/** What every import writes to the audit log (action `import.<kind>`, entity = the file's SHA-256). */
export interface ImportAuditSummary {
  kind: 'mef_gasto' | 'consulta_amigable' | 'ingresos' | 'participation_items' | 'participation_commitments' | 'results_objectives' | 'results_indicators';
  file: string;
  sha256: string;
  status: 'imported' | 'unchanged' | 'rejected';
  /** Rows read; rows (or aggregated facts) inserted, updated, left unchanged; rows refused. */
  counts: { read: number; inserted: number; updated: number; unchanged: number; rejected: number };
  /** Ubigeos whose data the import wrote (empty when nothing was written). */
  municipalities: string[];
  /** The municipality the upload was made for (web), or null (command line). */
  municipality: string | null;
  extra?: Record<string, unknown>;
}
