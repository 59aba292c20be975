import type { Tx } from '../../../shared/db/client.ts';
import type { OverrideInput, ScheduleOverride } from './schemas.ts';

export const OVERRIDES_TABLE = 'practitioner_schedule_overrides';

const overrideColumns = (tx: Tx) => tx`id, date, is_available, start_time, end_time, reason`;

export function listOverrides(
  tx: Tx,
  practitionerId: string,
  period: { from?: string; to?: string },
): Promise<ScheduleOverride[]> {
  return tx<ScheduleOverride[]>`
    select ${overrideColumns(tx)} from public.practitioner_schedule_overrides
    where practitioner_id = ${practitionerId}
      and (${period.from ?? null}::date is null or date >= ${period.from ?? null}::date)
      and (${period.to ?? null}::date is null or date <= ${period.to ?? null}::date)
    order by date`;
}

/** One exception per date: saving a date that has one replaces it whole. */
export async function upsertOverride(
  tx: Tx,
  practitionerId: string,
  input: OverrideInput,
): Promise<{ override: ScheduleOverride; created: boolean }> {
  const [row] = await tx<(ScheduleOverride & { created: boolean })[]>`
    insert into public.practitioner_schedule_overrides as o
      (practitioner_id, date, is_available, start_time, end_time, reason)
    values (${practitionerId}, ${input.date}, ${input.is_available}, ${input.start_time ?? null},
            ${input.end_time ?? null}, ${input.reason ?? null})
    on conflict (practitioner_id, date) do update set
      is_available = excluded.is_available, start_time = excluded.start_time,
      end_time = excluded.end_time, reason = excluded.reason
    returning ${overrideColumns(tx)}, (xmax = 0) as created`;
  const { created, ...override } = row;
  return { override, created };
}

/** False when the exception does not exist or is not this practitioner's. */
export async function deleteOverride(tx: Tx, practitionerId: string, id: string): Promise<boolean> {
  const rows = await tx`
    delete from public.practitioner_schedule_overrides
    where id = ${id} and practitioner_id = ${practitionerId}
    returning id`;
  return rows.length === 1;
}
