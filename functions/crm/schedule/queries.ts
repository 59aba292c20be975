import type { Tx } from '../../../shared/db/client.ts';
import type { NewRange, RangeChanges, ScheduleRange } from './schemas.ts';

export const SCHEDULE_TABLE = 'practitioner_weekly_schedule';

const rangeColumns = (tx: Tx) =>
  tx`id, day_of_week, start_time, end_time, slot_duration_minutes, is_active`;

export function listRanges(tx: Tx, practitionerId: string): Promise<ScheduleRange[]> {
  return tx<ScheduleRange[]>`
    select ${rangeColumns(tx)} from public.practitioner_weekly_schedule
    where practitioner_id = ${practitionerId}
    order by day_of_week, start_time`;
}

/** The exclusion constraint `weekly_ranges_do_not_overlap` is the one judge of overlaps. */
export async function insertRange(
  tx: Tx,
  practitionerId: string,
  input: NewRange,
): Promise<ScheduleRange> {
  const [row] = await tx<ScheduleRange[]>`
    insert into public.practitioner_weekly_schedule
      (practitioner_id, day_of_week, start_time, end_time, slot_duration_minutes, is_active)
    select ${practitionerId}, ${input.day_of_week}, ${input.start_time}, ${input.end_time},
           coalesce(${input.slot_duration_minutes ?? null}::int, p.consultation_duration_minutes),
           coalesce(${input.is_active ?? null}::boolean, true)
    from public.practitioners p where p.id = ${practitionerId}
    returning ${rangeColumns(tx)}`;
  return row;
}

export async function lockRange(
  tx: Tx,
  practitionerId: string,
  id: string,
): Promise<ScheduleRange | undefined> {
  const [row] = await tx<ScheduleRange[]>`
    select ${rangeColumns(tx)} from public.practitioner_weekly_schedule
    where id = ${id} and practitioner_id = ${practitionerId}
    for update`;
  return row;
}

export async function updateRange(
  tx: Tx,
  practitionerId: string,
  id: string,
  changes: RangeChanges,
  columns: Array<keyof RangeChanges>,
): Promise<ScheduleRange> {
  const [row] = await tx<ScheduleRange[]>`
    update public.practitioner_weekly_schedule set ${tx(changes, columns)}
    where id = ${id} and practitioner_id = ${practitionerId}
    returning ${rangeColumns(tx)}`;
  return row;
}

/** False when the range does not exist or is not this practitioner's: the caller cannot tell. */
export async function deleteRange(tx: Tx, practitionerId: string, id: string): Promise<boolean> {
  const rows = await tx`
    delete from public.practitioner_weekly_schedule
    where id = ${id} and practitioner_id = ${practitionerId}
    returning id`;
  return rows.length === 1;
}
