import { z } from '@hono/zod-openapi';
import { recordAudit } from '../audit.ts';
import type { Tx } from '../db/client.ts';
import { notFound } from '../http/errors.ts';

/**
 * A practitioner's reply to a review: the one implementation behind `PATCH /reviews/:id/reply`
 * (the practitioner in the app) and `PATCH /crm/reviews/:id/reply` (the CRM, where an admin may
 * act for the practitioner). Both validate with this schema and write with `replyToReview`.
 */
const REPLY_LENGTH = 'Write a reply of 1 to 2000 characters.';

export const practitionerReplySchema = z
  .object({
    practitioner_reply: z.string({ message: REPLY_LENGTH })
      .trim()
      .min(1, { message: REPLY_LENGTH })
      .max(2000, { message: REPLY_LENGTH })
      .openapi({ description: 'Trimmed; replaces any earlier reply', example: 'Thank you!' }),
  })
  .openapi('PractitionerReply');

export type PractitionerReply = z.infer<typeof practitionerReplySchema>;

export interface Replier {
  /** The signed-in user, recorded as the actor. */
  actorId: string;
  /** The practitioner whose review it must be. */
  practitionerId: string;
}

/**
 * Writes the reply as the caller (RLS lets a practitioner, or an admin, update only the reply of
 * their reviews) with its audit row, in the caller's transaction. A review that is not the
 * practitioner's is answered like one that does not exist: 404.
 */
export async function replyToReview(
  tx: Tx,
  replier: Replier,
  reviewId: string,
  reply: string,
): Promise<void> {
  const updated = await tx`
    update public.reviews set practitioner_reply = ${reply}
    where id = ${reviewId} and practitioner_id = ${replier.practitionerId}
    returning id`;
  if (updated.length === 0) throw notFound('We could not find this review.');
  await recordAudit(tx, {
    actorId: replier.actorId,
    action: 'review.update',
    entity: 'reviews',
    entityId: reviewId,
    details: { practitioner_id: replier.practitionerId, fields: ['practitioner_reply'] },
  });
}
