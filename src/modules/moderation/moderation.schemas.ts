import { z } from 'zod';
import { id, opt } from '../../lib/schemas';
import { CONTENT_TYPES, FLAG_REASONS, HIDE_REASONS, PUBLISH_REASONS } from './moderation.types';

const E = (k: string) => `moderation:errors.${k}`;

export const DecideParams = z.object({ type: z.enum(CONTENT_TYPES, { error: E('type_invalid') }), id: id(E('id_invalid')) });

/** A decision names the version the moderator saw and a reason of the catalogue; "other" needs a note. */
export const DecisionForm = z
  .object({
    decision: z.enum(['publish', 'hide'], { error: E('decision_invalid') }),
    version: id(E('version_invalid')),
    reason: z.enum([...PUBLISH_REASONS, ...HIDE_REASONS], { error: E('reason_invalid') }),
    note: opt(
      z
        .string({ error: E('note_long') })
        .trim()
        .max(1000, E('note_long')),
    ),
  })
  .refine((f) => (f.decision === 'publish' ? (PUBLISH_REASONS as readonly string[]).includes(f.reason) : (HIDE_REASONS as readonly string[]).includes(f.reason)), {
    path: ['reason'],
    message: E('reason_invalid'),
  })
  .refine((f) => f.reason !== 'other' || !!f.note, { path: ['note'], message: E('note_required') });

export const FlagForm = z.object({
  type: z.enum(CONTENT_TYPES, { error: E('type_invalid') }),
  id: id(E('id_invalid')),
  reason: z.enum(FLAG_REASONS, { error: E('reason_invalid') }),
  return_to: opt(z.string().max(500)),
});

export const ResolveForm = z.object({
  resolution: z.enum(['upheld', 'rejected'], { error: E('decision_invalid') }),
  reason: z
    .string({ error: E('reason_required') })
    .trim()
    .min(5, E('reason_required'))
    .max(2000, E('note_long')),
});
