import type { Context } from 'hono';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { Tx } from '../../shared/db/client.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { forbidden, validationFailed } from '../../shared/http/errors.ts';
import { practitionerExists } from './queries.ts';

export interface Acting {
  /** The signed-in user, recorded as the actor of every write. */
  actorId: string;
  /** The practitioner whose data is read or written. */
  practitionerId: string;
  isAdmin: boolean;
}

const unknownPractitioner = () =>
  validationFailed(
    { practitioner_id: ['No practitioner has this identifier.'] },
    'We could not find this practitioner.',
  );

/**
 * Runs `work` in one transaction as the caller (RLS applies) on behalf of the practitioner the
 * request is about (`requested`, the `practitioner_id` query parameter): a practitioner acts for
 * themself and may name only themself; an admin must name an existing practitioner.
 */
export function forPractitioner<T>(
  c: Context<AppEnv>,
  requested: string | undefined,
  work: (tx: Tx, acting: Acting) => Promise<T>,
): Promise<T> {
  const user = currentUser(c);
  const isAdmin = user.role === 'admin';
  const named = requested?.toLowerCase();
  if (isAdmin && !named) {
    throw validationFailed(
      { practitioner_id: ['Name the practitioner to act for.'] },
      'Please choose the practitioner to act for.',
    );
  }
  if (!isAdmin && named && named !== user.id) {
    throw forbidden('You can only manage your own practice.');
  }
  const acting = { actorId: user.id, practitionerId: named ?? user.id, isAdmin };
  // A practitioner's work reaches `asUser` as it is: a single statement handed back unsent
  // then leaves with the transaction's opening and its commit in one write.
  if (!isAdmin) return asUser(user.claims, (tx) => work(tx, acting));
  return asUser(user.claims, async (tx) => {
    if (!(await practitionerExists(tx, acting.practitionerId))) throw unknownPractitioner();
    return await work(tx, acting);
  });
}
