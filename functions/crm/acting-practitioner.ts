import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { recordAudit } from '../../shared/audit.ts';
import { currentUser, requireRole } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { Tx } from '../../shared/db/client.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { forbidden, validationFailed } from '../../shared/http/errors.ts';
import { bearer } from '../../shared/http/openapi.ts';
import { uuid } from '../../shared/schemas/common.ts';

export const ACTING_RULE =
  'Acting for a practitioner: a practitioner works on their own practice ' +
  'and may leave `practitioner_id` out. An admin names the practitioner in the `practitioner_id` ' +
  'query parameter, on every CRM route (GET and writes alike); without it the answer is 400. ' +
  'A practitioner naming another practitioner gets 403.';

/** Spread into every CRM route: a signed-in practitioner or admin; a patient gets 403. */
export const crmAccess = {
  security: bearer,
  middleware: requireRole('practitioner', 'admin'),
  description: ACTING_RULE,
};

/** The query parameter every CRM route accepts; routes with more query parameters extend it. */
export const actingQuery = z.object({
  practitioner_id: uuid.optional().openapi({
    param: { name: 'practitioner_id', in: 'query' },
    description: 'Required for admins: the practitioner to act for.',
  }),
});

export interface Acting {
  /** The signed-in user, recorded as the actor of every write. */
  actorId: string;
  /** The practitioner whose data is read or written. */
  practitionerId: string;
  isAdmin: boolean;
}

async function assertPractitionerExists(tx: Tx, id: string): Promise<void> {
  const [found] = await tx`select 1 from public.practitioners where id = ${id}`;
  if (!found) {
    throw validationFailed(
      { practitioner_id: ['No practitioner has this identifier.'] },
      'We could not find this practitioner.',
    );
  }
}

/**
 * Runs `work` in one transaction as the caller (RLS applies) on behalf of the practitioner the
 * request is about, following ACTING_RULE.
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
  return asUser(user.claims, async (tx) => {
    if (isAdmin) await assertPractitionerExists(tx, acting.practitionerId);
    return await work(tx, acting);
  });
}

/** Audits a CRM write: who, on whose behalf, and which fields (never their values). */
export function auditWrite(
  tx: Tx,
  acting: Acting,
  write: { action: string; entity: string; entityId: string; fields?: string[] },
): Promise<void> {
  return recordAudit(tx, {
    actorId: acting.actorId,
    action: write.action,
    entity: write.entity,
    entityId: write.entityId,
    details: {
      practitioner_id: acting.practitionerId,
      ...(write.fields ? { fields: write.fields } : {}),
    },
  });
}
