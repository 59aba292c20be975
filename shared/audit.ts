import type { Tx } from './db/client.ts';

export interface AuditEntry {
  /** The signed-in user who made the change (an admin acting for someone stays the actor). */
  actorId: string;
  /** `<resource>.<verb>`, e.g. `schedule.create`. */
  action: string;
  /** The table written. */
  entity: string;
  entityId: string | null;
  /** Identifiers and field names only: never values a person typed, never health data. */
  details?: Record<string, string | string[] | boolean | number | null>;
}

/**
 * Records a write in `audit_log`. Call it with the write's own transaction, after the write
 * succeeded: a refused or rolled-back write then leaves no audit row, and no write lacks one.
 */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx`
    insert into public.audit_log (actor_id, action, entity, entity_id, details)
    values (${entry.actorId}, ${entry.action}, ${entry.entity}, ${entry.entityId},
            ${tx.json(entry.details ?? {})})`;
}
