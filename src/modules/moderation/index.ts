import type { Auth } from '../../auth';
import type { Db } from '../../db';
import type { PageRegistrar } from '../../web/pages';
import type { AuditService } from '../audit';
import { moderationHandlers } from './moderation.handlers';
import { createModerationService } from './moderation.service';
import type { DisputePort, ModerationSource } from './moderation.types';

export { CONTENT_TYPES, FLAG_REASONS, HIDE_REASONS, PUBLISH_REASONS } from './moderation.types';
export type { ContentType, DisputePort, ModerationSource, QueueEntry } from './moderation.types';
export { tableSource } from './moderation.queries';
export type { ModeratedTable } from './moderation.queries';

/**
 * Neutral moderation: one queue across every municipality for admins and moderators (a role an
 * admin grants), never the officials of the municipality the content is about. Content modules
 * plug in as `sources`; dispute resolution (admins only) through the `disputes` port.
 */
export function createModerationModule({
  db,
  auth,
  audit,
  clock,
  sources,
  disputes,
}: {
  db: Db;
  auth: Auth;
  audit: AuditService;
  clock: () => number;
  sources: ModerationSource[];
  disputes: DisputePort;
}) {
  const service = createModerationService({ db, audit, sources, clock });
  const h = moderationHandlers({ service, disputes });
  const { requireUser, requireRole } = auth.guards;
  const moderator = [requireRole('moderator', 'admin')];
  return {
    service,
    registerPages(reg: PageRegistrar) {
      reg.route('get', 'moderation', moderator, h.queue);
      // Before moderation_decide, whose /:type/:id would also match /disputas/:id.
      reg.route('post', 'moderation_dispute', [requireRole('admin')], h.resolveDispute);
      reg.route('post', 'moderation_decide', moderator, h.decide);
      reg.route('post', 'flag', [requireUser], h.flag);
    },
  };
}
