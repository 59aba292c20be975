import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb } from '../shared/db/client.ts';
import { db } from './helpers/db.ts';
import { arrange, book, patient, practitioner, signedIn } from './helpers/lifecycle.ts';

afterAll(closeDb);

// Israel in 2027: on Friday 26 March the clock jumps from 02:00 to 03:00 (UTC+2 to UTC+3); on
// Sunday 31 October it falls back from 02:00 to 01:00, so 01:00-02:00 happens twice.
const SPRING = '2027-03-26';
const FALL = '2027-10-31';
const ZONE = 'Asia/Jerusalem';

interface Instant {
  date: string;
  start: string;
  end: string;
  startsAt: string;
  endsAt: string;
  why: string;
}

const INSTANTS: Instant[] = [
  {
    date: '2027-01-10',
    start: '09:00',
    end: '09:30',
    startsAt: '2027-01-10T07:00:00Z',
    endsAt: '2027-01-10T07:30:00Z',
    why: 'a winter day (UTC+2)',
  },
  {
    date: '2027-07-11',
    start: '09:00',
    end: '09:30',
    startsAt: '2027-07-11T06:00:00Z',
    endsAt: '2027-07-11T06:30:00Z',
    why: 'a summer day (UTC+3)',
  },
  {
    date: '2027-01-10',
    start: '23:30',
    end: '24:00',
    startsAt: '2027-01-10T21:30:00Z',
    endsAt: '2027-01-10T22:00:00Z',
    why: 'a slot ending at 24:00',
  },
  {
    date: SPRING,
    start: '00:30',
    end: '01:00',
    startsAt: '2027-03-25T22:30:00Z',
    endsAt: '2027-03-25T23:00:00Z',
    why: 'spring forward, before the jump',
  },
  {
    date: SPRING,
    start: '01:30',
    end: '02:00',
    startsAt: '2027-03-25T23:30:00Z',
    endsAt: '2027-03-26T00:00:00Z',
    why: 'spring forward, ending as the clock jumps',
  },
  {
    date: SPRING,
    start: '03:00',
    end: '03:30',
    startsAt: '2027-03-26T00:00:00Z',
    endsAt: '2027-03-26T00:30:00Z',
    why: 'spring forward, right after the jump',
  },
  {
    date: SPRING,
    start: '01:00',
    end: '04:00',
    startsAt: '2027-03-25T23:00:00Z',
    endsAt: '2027-03-26T01:00:00Z',
    why: 'spring forward, across the jump (two real hours)',
  },
  {
    date: FALL,
    start: '00:30',
    end: '01:00',
    startsAt: '2027-10-30T21:30:00Z',
    endsAt: '2027-10-30T22:00:00Z',
    why: 'fall back, ending as the repeated hour first begins',
  },
  {
    date: FALL,
    start: '01:00',
    end: '01:30',
    startsAt: '2027-10-30T23:00:00Z',
    endsAt: '2027-10-30T23:30:00Z',
    why: 'fall back, in the repeated hour (read as its second time, as availability does)',
  },
  {
    date: FALL,
    start: '01:30',
    end: '02:00',
    startsAt: '2027-10-30T23:30:00Z',
    endsAt: '2027-10-31T00:00:00Z',
    why: 'fall back, the end of the repeated hour',
  },
  {
    date: FALL,
    start: '02:00',
    end: '02:30',
    startsAt: '2027-10-31T00:00:00Z',
    endsAt: '2027-10-31T00:30:00Z',
    why: 'fall back, after the change',
  },
  {
    date: FALL,
    start: '00:00',
    end: '04:00',
    startsAt: '2027-10-30T21:00:00Z',
    endsAt: '2027-10-31T02:00:00Z',
    why: 'fall back, across the change (five real hours)',
  },
];

const instantsOf = async (id: string) => {
  const [row] = await db<{ starts_at: Date; ends_at: Date }[]>`
    select starts_at, ends_at from public.appointments where id = ${id}`;
  return { startsAt: row.starts_at.toISOString(), endsAt: row.ends_at.toISOString() };
};
const iso = (s: string) => new Date(s).toISOString();

describe("starts_at and ends_at on Israel's clock-change days", () => {
  let doctorId: string;
  beforeAll(async () => {
    doctorId = (await practitioner({ timeZone: ZONE, hours: null })).id;
  });

  it.each(INSTANTS)('$date $start-$end: $why', async (c) => {
    // Completed: history the platform writes, no overlap rule between the cases.
    const id = await arrange({
      patientId: (await patient()).id,
      practitionerId: doctorId,
      date: c.date,
      start: c.start,
      end: c.end,
      status: 'completed',
    });
    expect(await instantsOf(id)).toEqual({ startsAt: iso(c.startsAt), endsAt: iso(c.endsAt) });
  });

  it('never stores an end before the start, even for a time the clock skips', async () => {
    // 02:30 never shows on 26 March: the platform's write is kept, and occupies no time.
    const id = await arrange({
      patientId: (await patient()).id,
      practitionerId: doctorId,
      date: SPRING,
      start: '02:30',
      end: '03:00',
      status: 'confirmed',
    });
    const { startsAt, endsAt } = await instantsOf(id);
    expect(endsAt >= startsAt).toBe(true);
  });

  it('lets one patient be in Israel until the repeated hour first begins, then in Moscow', async () => {
    // 00:30-01:00 in Jerusalem on 31 October is 21:30Z-22:00Z; 01:00-01:30 in Moscow (UTC+3)
    // is 22:00Z-22:30Z: back to back, no overlap.
    const pat = (await patient()).id;
    const moscow = (await practitioner({ timeZone: 'Europe/Moscow', hours: null })).id;
    await arrange({
      patientId: pat,
      practitionerId: doctorId,
      date: FALL,
      start: '00:30',
      end: '01:00',
      status: 'confirmed',
    });
    await expect(arrange({
      patientId: pat,
      practitionerId: moscow,
      date: FALL,
      start: '01:00',
      end: '01:30',
      status: 'confirmed',
    })).resolves.toBeDefined();
    // 00:45 in Moscow (21:45Z) does overlap.
    await expect(arrange({
      patientId: pat,
      practitionerId: moscow,
      date: FALL,
      start: '00:45',
      end: '01:00',
      status: 'confirmed',
    })).rejects.toMatchObject({ code: '23P01', constraint_name: 'appointments_person_no_overlap' });
  });

  it("recomputes the instants when the practitioner's time zone changes, and no one else's", async () => {
    const doc = (await practitioner({ timeZone: ZONE, hours: null })).id;
    const other = (await practitioner({ timeZone: ZONE, hours: null })).id;
    const pat = (await patient()).id;
    const at = (practitionerId: string, date: string, start: string, end: string) =>
      arrange({ patientId: pat, practitionerId, date, start, end, status: 'completed' });
    const spring = await at(doc, SPRING, '09:00', '09:30');
    const fall = await at(doc, FALL, '00:30', '01:00');
    const winter = await at(doc, '2027-01-10', '09:00', '09:30');
    const ended = await at(doc, '2026-01-10', '09:00', '09:30');
    const untouched = await at(other, SPRING, '09:00', '09:30');
    expect(await instantsOf(spring)).toEqual({
      startsAt: iso('2027-03-26T06:00:00Z'),
      endsAt: iso('2027-03-26T06:30:00Z'),
    });

    await db`update public.practitioners set time_zone = 'Europe/Paris' where id = ${doc}`;
    // Paris moves its clocks on 28 March and at 03:00 on 31 October: on these dates 09:00 and
    // 00:30 are UTC+1, UTC+2 and UTC+1.
    expect(await instantsOf(spring)).toEqual({
      startsAt: iso('2027-03-26T08:00:00Z'),
      endsAt: iso('2027-03-26T08:30:00Z'),
    });
    expect(await instantsOf(fall)).toEqual({
      startsAt: iso('2027-10-30T22:30:00Z'),
      endsAt: iso('2027-10-30T23:00:00Z'),
    });
    expect(await instantsOf(winter)).toEqual({
      startsAt: iso('2027-01-10T08:00:00Z'),
      endsAt: iso('2027-01-10T08:30:00Z'),
    });
    expect(await instantsOf(untouched)).toEqual({
      startsAt: iso('2027-03-26T06:00:00Z'),
      endsAt: iso('2027-03-26T06:30:00Z'),
    });
    // What has ended took place at the instants it was recorded with.
    expect(await instantsOf(ended)).toEqual({
      startsAt: iso('2026-01-10T07:00:00Z'),
      endsAt: iso('2026-01-10T07:30:00Z'),
    });

    // And back: the fall-back slot ends when the repeated hour first begins, as on insert.
    await db`update public.practitioners set time_zone = ${ZONE} where id = ${doc}`;
    expect(await instantsOf(fall)).toEqual({
      startsAt: iso('2027-10-30T21:30:00Z'),
      endsAt: iso('2027-10-30T22:00:00Z'),
    });
  });

  it('recomputes them when a practitioner changes zone through the Data API as themselves', async () => {
    const doc = await practitioner({ timeZone: ZONE, hours: null });
    const id = await arrange({
      patientId: (await patient()).id,
      practitionerId: doc.id,
      date: FALL,
      start: '09:00',
      end: '09:30',
      status: 'confirmed',
    });
    await signedIn(
      doc,
      (tx) =>
        tx`update public.practitioners set time_zone = 'America/New_York' where id = ${doc.id}`,
    );
    // New York is still on summer time (UTC-4) on 31 October 2027.
    expect(await instantsOf(id)).toEqual({
      startsAt: iso('2027-10-31T13:00:00Z'),
      endsAt: iso('2027-10-31T13:30:00Z'),
    });
  });
});

describe('booking on the next clock-change days in Israel (signed in)', () => {
  // Found from the time zone data rather than fixed, so the bookings stay in the future.
  let changes: { day: string; spring: boolean }[];
  beforeAll(async () => {
    changes = await db<{ day: string; spring: boolean }[]>`
      select d::date::text as day,
             ((d::date + 1)::timestamp at time zone ${ZONE})
               - (d::date::timestamp at time zone ${ZONE}) < interval '24 hours' as spring
      from generate_series(current_date + 2, current_date + 400, interval '1 day') d
      where ((d::date + 1)::timestamp at time zone ${ZONE})
              - (d::date::timestamp at time zone ${ZONE}) <> interval '24 hours'
      order by d
      limit 2`;
    expect(changes.map((c) => c.spring).sort()).toEqual([false, true]);
  });

  it.each(['spring forward', 'fall back'] as const)(
    'books every slot offered on the %s day, each lasting its 30 minutes',
    async (kind) => {
      const { day } = changes.find((c) => c.spring === (kind === 'spring forward'))!;
      const doc = await practitioner({
        timeZone: ZONE,
        hours: { start: '00:00', end: '04:00', minutes: 30 },
      });
      const offered = await db<{ slot_start: string; slot_end: string }[]>`
        select slot_start::text, slot_end::text
        from app.practitioner_free_slots(${[doc.id]}::uuid[], ${day}::date, ${day}::date)`;
      // Spring: the slot that would end on the skipped hour and the two inside it are gone.
      expect(offered.map((s) => s.slot_start.slice(0, 5))).toEqual(
        kind === 'spring forward'
          ? ['00:00', '00:30', '01:00', '03:00', '03:30']
          : ['00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00', '03:30'],
      );
      const pat = await patient();
      for (const s of offered) {
        await book(pat, {
          practitioner_id: doc.id,
          appointment_date: day,
          start_time: s.slot_start,
          end_time: s.slot_end,
        });
      }
      const rows = await db<{ length: string; start_reads: boolean; end_reads: boolean }[]>`
        select ends_at - starts_at as length,
               (starts_at at time zone ${ZONE}) = appointment_date + start_time as start_reads,
               (ends_at at time zone ${ZONE}) = appointment_date + end_time as end_reads
        from public.appointments where practitioner_id = ${doc.id}`;
      expect(rows).toHaveLength(offered.length);
      expect(rows.every((r) => r.length === '00:30:00' && r.start_reads && r.end_reads)).toBe(true);
      if (kind === 'spring forward') {
        // Never offered, so never booked: the slot running into the skipped hour.
        await expect(book(await patient(), {
          practitioner_id: doc.id,
          appointment_date: day,
          start_time: '01:30',
          end_time: '02:00',
        })).rejects.toMatchObject({ code: 'DK400', column_name: 'start_time' });
      }
    },
  );
});
