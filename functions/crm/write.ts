import type { Context } from 'hono';
import { recordAudit } from '../../shared/audit.ts';
import type { Tx } from '../../shared/db/client.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { notFound } from '../../shared/http/errors.ts';
import { type Acting, forPractitioner } from './acting.ts';

/** What the CRM writes in one table: its audit names and its 404. */
export interface CrmTable {
  /** The table, the audit row's `entity`. */
  table: string;
  /** The first half of the audit row's action, `<resource>.<verb>`. */
  resource: string;
  /** The 404 message for a row that does not exist or is not the practitioner's. */
  missing: string;
}

/** The second half of an audit action: a plain write, or a step of an appointment. */
export type AuditVerb =
  | 'create'
  | 'update'
  | 'delete'
  | 'confirm'
  | 'cancel'
  | 'complete'
  | 'no_show';

export interface Written<T> {
  /** What the route answers. */
  result: T;
  /** The write to audit; absent when nothing was written. */
  audit?: { verb: AuditVerb; entityId: string; fields?: string[] };
}

/**
 * Every CRM write: acting for the practitioner, the write, and its audit row (who, for whom,
 * which fields, never their values), all in one transaction, so a refused or failed write
 * leaves no audit row and no write lacks one. Constraint violations travel up to the error
 * handler, which maps them by name (`shared/http/constraint-errors.ts`).
 */
export function writeFor<T>(
  c: Context<AppEnv>,
  requested: string | undefined,
  target: CrmTable,
  write: (tx: Tx, acting: Acting) => Promise<Written<T>>,
): Promise<T> {
  return forPractitioner(c, requested, async (tx, acting) => {
    const { result, audit } = await write(tx, acting);
    if (audit) {
      await recordAudit(tx, {
        actorId: acting.actorId,
        action: `${target.resource}.${audit.verb}`,
        entity: target.table,
        entityId: audit.entityId,
        details: {
          practitioner_id: acting.practitionerId,
          ...(audit.fields ? { fields: audit.fields } : {}),
        },
      });
    }
    return result;
  });
}

/** Adds a row of the practitioner. */
export function createFor<Row extends { id: string }>(
  c: Context<AppEnv>,
  requested: string | undefined,
  target: CrmTable,
  insert: (tx: Tx, practitionerId: string) => Promise<Row>,
): Promise<Row> {
  return writeFor(c, requested, target, async (tx, acting) => {
    const row = await insert(tx, acting.practitionerId);
    return { result: row, audit: { verb: 'create', entityId: row.id } };
  });
}

/** Deletes a row of the practitioner; 404 when there is none of theirs with this id. */
export function deleteFor(
  c: Context<AppEnv>,
  requested: string | undefined,
  target: CrmTable,
  id: string,
  remove: (tx: Tx, practitionerId: string, id: string) => Promise<boolean>,
): Promise<void> {
  return writeFor(c, requested, target, async (tx, acting) => {
    if (!(await remove(tx, acting.practitionerId, id))) throw notFound(target.missing);
    return { result: undefined, audit: { verb: 'delete', entityId: id } };
  });
}

/** How one kind of row is changed by a PATCH. */
export interface Patchable<Row, Changes extends object> {
  target: CrmTable;
  /**
   * The stored row, locked until the transaction ends so the change is judged on current
   * values, or undefined when the practitioner has no such row.
   */
  lock(tx: Tx, practitionerId: string, id: string): Promise<Row | undefined>;
  /** Throws the error to answer when the stored row with the changes applied breaks a rule. */
  check?(merged: Row, changes: Changes, acting: Acting): void;
  /** Writes the sent fields and answers the row after the change. */
  update(
    tx: Tx,
    practitionerId: string,
    id: string,
    changes: Changes,
    fields: Array<keyof Changes & string>,
  ): Promise<Row>;
}

/** The fields a PATCH body carries (null counts: it clears the field). */
const sentFields = <T extends object>(patch: T) =>
  (Object.keys(patch) as Array<keyof T & string>).filter((k) => patch[k] !== undefined);

/**
 * The one PATCH of the CRM: lock the row, 404 when it is not the practitioner's, check the
 * merged values, answer the stored row when nothing was sent, else update and audit the sent
 * field names. `id` undefined means the practitioner's own row (their profile).
 */
export function patchFor<Row, Changes extends object>(
  c: Context<AppEnv>,
  requested: string | undefined,
  id: string | undefined,
  patchable: Patchable<Row, Changes>,
  changes: Changes,
): Promise<Row> {
  const fields = sentFields(changes);
  return writeFor(c, requested, patchable.target, async (tx, acting) => {
    const rowId = id ?? acting.practitionerId;
    const stored = await patchable.lock(tx, acting.practitionerId, rowId);
    if (!stored) throw notFound(patchable.target.missing);
    const sent = Object.fromEntries(fields.map((f) => [f, changes[f]]));
    patchable.check?.({ ...stored, ...sent }, changes, acting);
    if (fields.length === 0) return { result: stored };
    const result = await patchable.update(tx, acting.practitionerId, rowId, changes, fields);
    return { result, audit: { verb: 'update', entityId: rowId, fields } };
  });
}
