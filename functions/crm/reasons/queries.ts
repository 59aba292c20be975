import type { Tx } from '../../../shared/db/client.ts';
import type { AppointmentReason, NewReason, ReasonChanges } from './schemas.ts';

export const REASONS_TABLE = 'appointment_reasons';

const reasonColumns = (tx: Tx) =>
  tx`id, practitioner_id, label, label_fr, label_he, sort_order, is_active`;

// Global reasons are those with no practitioner; RLS shows a practitioner only the active ones.
const globalOrOwn = (tx: Tx, practitionerId: string) =>
  tx`(practitioner_id = ${practitionerId} or practitioner_id is null)`;

export function listReasons(tx: Tx, practitionerId: string): Promise<AppointmentReason[]> {
  return tx<AppointmentReason[]>`
    select ${reasonColumns(tx)} from public.appointment_reasons
    where ${globalOrOwn(tx, practitionerId)}
    order by sort_order, practitioner_id nulls first, label, id`;
}

export async function insertReason(
  tx: Tx,
  practitionerId: string,
  input: NewReason,
): Promise<AppointmentReason> {
  const [row] = await tx<AppointmentReason[]>`
    insert into public.appointment_reasons
      (practitioner_id, label, label_fr, label_he, sort_order, is_active)
    values (${practitionerId}, ${input.label}, ${input.label_fr ?? null}, ${input.label_he ?? null},
            ${input.sort_order ?? 0}, ${input.is_active ?? true})
    returning ${reasonColumns(tx)}`;
  return row;
}

/**
 * A reason the practitioner may see (their own or a global one), locked when the caller may
 * change it. RLS lets only an admin change, and so lock, a global reason; for anyone else it
 * is read without the lock, so that refusing the change is a 403, not a 404.
 */
export async function lockReason(
  tx: Tx,
  practitionerId: string,
  id: string,
): Promise<AppointmentReason | undefined> {
  const [row] = await tx<AppointmentReason[]>`
    with locked as (
      select ${reasonColumns(tx)} from public.appointment_reasons
      where id = ${id} and ${globalOrOwn(tx, practitionerId)}
      for update
    )
    select * from locked
    union all
    select ${reasonColumns(tx)} from public.appointment_reasons
    where id = ${id} and practitioner_id is null and not exists (select from locked)`;
  return row;
}

export async function updateReason(
  tx: Tx,
  practitionerId: string,
  id: string,
  changes: ReasonChanges,
  columns: Array<keyof ReasonChanges>,
): Promise<AppointmentReason> {
  const [row] = await tx<AppointmentReason[]>`
    update public.appointment_reasons set ${tx(changes, columns)}
    where id = ${id} and ${globalOrOwn(tx, practitionerId)}
    returning ${reasonColumns(tx)}`;
  return row;
}
