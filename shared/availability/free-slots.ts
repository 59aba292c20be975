import type { z } from '@hono/zod-openapi';
import type { Fragment, Tx } from '../db/client.ts';
import type { slotSchema } from '../schemas/practitioner.ts';

/**
 * Thin wrappers over the SQL availability functions (migration `..._availability.sql`), the one
 * implementation behind the slots endpoint, the practitioner profile, the search's first_slot and
 * the booking check. `now` is injectable for tests; callers in production leave it out.
 */

export type Slot = z.infer<typeof slotSchema>;

/** How many days, today included, the profile shows and the search's first_slot looks ahead. */
export const SLOT_WINDOW_DAYS = 14;

const clock = (tx: Tx, now?: Date): Fragment => tx`coalesce(${now ?? null}::timestamptz, now())`;

/** Free slots of one practitioner between two local dates (inclusive), in order. */
export function freeSlots(
  tx: Tx,
  practitionerId: string,
  from: string,
  to: string,
  now?: Date,
): Promise<Slot[]> {
  const ids = tx`array[${practitionerId}::uuid]`;
  return tx<Slot[]>`
    select slot_date, slot_start, slot_end
    from app.practitioner_free_slots(${ids}, ${from}::date, ${to}::date, ${clock(tx, now)})`;
}

/** Whether exactly this slot is offered and free right now: what a booking must check. */
export async function isSlotFree(
  tx: Tx,
  practitionerId: string,
  slot: Slot,
  now?: Date,
): Promise<boolean> {
  const [{ free }] = await tx<{ free: boolean }[]>`
    select app.practitioner_slot_is_free(${practitionerId}::uuid, ${slot.slot_date}::date,
      ${slot.slot_start}::time, ${slot.slot_end}::time, ${clock(tx, now)}) as free`;
  return free;
}

/**
 * A JSON array of the free slots of the practitioner `idColumn` (an SQL expression such as
 * `p.id`) from `fromDate` to `toDate` (SQL date expressions), to embed in a bigger query. Each
 * slot is the JSON of a row, like the responses that embed it (`functions/practitioners/queries.ts`).
 */
export const slotsJson = (tx: Tx, idColumn: Fragment, fromDate: Fragment, toDate: Fragment) =>
  tx`coalesce((
    select json_agg(slot order by slot.slot_date, slot.slot_start)
    from app.practitioner_free_slots(array[${idColumn}], ${fromDate}, ${toDate}) s
    cross join lateral (select s.slot_date, s.slot_start, s.slot_end) slot
  ), '[]'::json)`;

/**
 * The next free slot within SLOT_WINDOW_DAYS of each practitioner in `ids` (an SQL uuid[]
 * expression), as rows (practitioner_id, slot_date, slot_start, slot_end): one call per page.
 * Served from the first-free-slot cache where it still holds (`..._first_free_slot_cache.sql`).
 */
export const firstFreeSlots = (tx: Tx, ids: Fragment) =>
  tx`app.practitioner_next_free_slots(${ids}, ${SLOT_WINDOW_DAYS})`;
