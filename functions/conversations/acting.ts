import type { AuthUser } from '../../shared/auth/user.ts';
import { forbidden } from '../../shared/http/errors.ts';

/** Whose conversations a request reads or writes. */
export interface Side {
  /** The caller, or the practitioner the caller acts for: the reader and the sender. */
  userId: string;
  /** Only the conversations where `userId` is the practitioner: a practice's. */
  practice: boolean;
  /** The signed-in user, recorded as the actor of what an admin writes for a practice. */
  actorId: string;
}

/** An admin writing for a practitioner: their writes are audited, as in the CRM. */
export const forSomeoneElse = (side: Side) => side.actorId !== side.userId;

/**
 * The side of the conversations the caller works on, as in the CRM's acting rules
 * (functions/crm/acting.ts): without `practitioner_id`, the caller's own conversations, as
 * patient or as practitioner; with it, that practice's conversations only. An admin may name any
 * practitioner; anyone else only themself (else 403).
 */
export function sideOf(user: AuthUser, practitionerId: string | undefined): Side {
  if (practitionerId === undefined) return { userId: user.id, practice: false, actorId: user.id };
  const named = practitionerId.toLowerCase();
  if (named !== user.id.toLowerCase() && user.role !== 'admin') {
    throw forbidden('You can only act for your own practice.');
  }
  return { userId: named, practice: true, actorId: user.id };
}
