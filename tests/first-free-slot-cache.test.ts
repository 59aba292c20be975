import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { db } from './helpers/db.ts';
import { createUser } from './helpers/users.ts';

// Monday 30 November 2026, 08:00 in Israel (UTC+2): the morning's slots are all ahead.
const MON = '2026-11-30';
const MORNING = '2026-11-30T06:00:00Z';

/** A new patient per booking: one person cannot hold two overlapping appointments. */
const newPatient = async () => (await createUser()).id;

/** A practitioner open every day 09:00-11:00 in 30-minute slots. */
async function practitioner(): Promise<string> {
  const { id } = await createUser({ role: 'practitioner' });
  for (let day = 0; day < 7; day++) {
    await db`insert into public.practitioner_weekly_schedule
      (practitioner_id, day_of_week, start_time, end_time, slot_duration_minutes)
      values (${id}, ${day}, '09:00', '11:00', 30)`;
  }
  return id;
}

type Row = { slot_date: string; slot_start: string };
const show = (rows: Row[]) => rows.map((r) => `${r.slot_date} ${r.slot_start}`);

/** The cached answer and the uncached one, which must always agree. */
async function both(id: string, now = MORNING) {
  const cached = await db<Row[]>`
    select slot_date, slot_start from app.practitioner_next_free_slots(${[
    id,
  ]}::uuid[], 14, ${now})`;
  const direct = await db<Row[]>`
    select slot_date, slot_start from app.practitioner_first_free_slots(${[
    id,
  ]}::uuid[], 14, ${now})`;
  return { cached: show(cached), direct: show(direct) };
}

async function book(id: string, start: string, end: string) {
  const patientId = await newPatient();
  const [{ id: appointmentId }] = await db`
    insert into public.appointments (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
    values (${patientId}, ${id}, ${MON}, ${start}, ${end}, 'confirmed') returning id`;
  return appointmentId as string;
}

describe('first free slot cache', () => {
  it('keeps a computed answer and serves it while nothing changes', async () => {
    const id = await practitioner();
    expect(await both(id)).toEqual({ cached: [`${MON} 09:00:00`], direct: [`${MON} 09:00:00`] });
    const [kept] =
      await db`select slot_start, valid_until from private.first_free_slot_cache where practitioner_id = ${id}`;
    expect(kept.slot_start).toBe('09:00:00');
    expect(kept.valid_until.toISOString()).toBe('2026-11-30T07:00:00.000Z');
  });

  it('follows a booking, its cancellation, a schedule change and an override', async () => {
    const id = await practitioner();
    await both(id);

    const appointmentId = await book(id, '09:00', '09:30');
    expect(await both(id)).toEqual({ cached: [`${MON} 09:30:00`], direct: [`${MON} 09:30:00`] });

    await db`update public.appointments set status = 'cancelled_by_practitioner' where id = ${appointmentId}`;
    expect((await both(id)).cached).toEqual([`${MON} 09:00:00`]);

    await db`update public.practitioner_weekly_schedule set start_time = '10:00' where practitioner_id = ${id}`;
    expect(await both(id)).toEqual({ cached: [`${MON} 10:00:00`], direct: [`${MON} 10:00:00`] });

    await db`insert into public.practitioner_schedule_overrides (practitioner_id, date, is_available)
      values (${id}, ${MON}, false)`;
    expect(await both(id)).toEqual({
      cached: ['2026-12-01 10:00:00'],
      direct: ['2026-12-01 10:00:00'],
    });

    await db`delete from public.practitioner_schedule_overrides where practitioner_id = ${id}`;
    expect((await both(id)).cached).toEqual([`${MON} 10:00:00`]);
  });

  it('moves on once the slot has started, and forgets an inactive practitioner', async () => {
    const id = await practitioner();
    await both(id);
    expect(await both(id, '2026-11-30T07:05:00Z')).toEqual({
      cached: [`${MON} 09:30:00`],
      direct: [`${MON} 09:30:00`],
    });
    await db`update public.practitioners set is_active = false where id = ${id}`;
    expect(await both(id, '2026-11-30T07:05:00Z')).toEqual({ cached: [], direct: [] });
  });

  it('without a slot in the window, holds until the window moves at local midnight', async () => {
    const { id } = await createUser({ role: 'practitioner' });
    expect(await both(id)).toEqual({ cached: [], direct: [] });
    const [kept] =
      await db`select valid_until from private.first_free_slot_cache where practitioner_id = ${id}`;
    expect(kept.valid_until.toISOString()).toBe('2026-11-30T22:00:00.000Z');
  });

  it('never keeps an answer computed while a change was still uncommitted', async () => {
    const id = await practitioner();
    const patientId = await newPatient();
    const other = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let booked!: () => void;
    const bookingWritten = new Promise<void>((resolve) => (booked = resolve));
    const booking = other.begin(async (tx) => {
      await tx`insert into public.appointments (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
        values (${patientId}, ${id}, ${MON}, '09:00', '09:30', 'confirmed')`;
      booked();
      await held;
    });
    try {
      await bookingWritten;
      // The reader does not see the uncommitted booking: it answers from its snapshot, waits on
      // the change's row lock, then must decide not to keep what it computed.
      const reading = db<Row[]>`
        select slot_date, slot_start from app.practitioner_next_free_slots(${[
        id,
      ]}::uuid[], 14, ${MORNING})`
        .execute();
      await waitUntilBlocked();
      release();
      await booking;
      expect(show(await reading)).toEqual([`${MON} 09:00:00`]);
      expect(await both(id)).toEqual({ cached: [`${MON} 09:30:00`], direct: [`${MON} 09:30:00`] });
    } finally {
      release();
      await booking.catch(() => {});
      await other.end();
    }
  });
});

/** Until a call of the cache function waits on a row lock (bounded: about five seconds). */
async function waitUntilBlocked(): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt++) {
    const [{ n }] = await db`
      select count(*)::int as n from pg_stat_activity
      where wait_event_type = 'Lock' and query like '%practitioner_next_free_slots%'`;
    if (n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the reader never waited on the uncommitted change');
}
