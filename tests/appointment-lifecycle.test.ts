import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeDb } from '../shared/db/client.ts';
import { db } from './helpers/db.ts';
import {
  arrange,
  book,
  type Booking,
  daysFromToday,
  eventsAbout,
  footprint,
  lastEventId,
  notificationsAbout,
  patient,
  practitioner,
  relativeOf,
  signedIn,
  type Status,
  STATUSES,
} from './helpers/lifecycle.ts';
import { createUser, type TestUser } from './helpers/users.ts';

afterAll(closeDb);

// The refusals of `private.appointment_transition_refusal`, word for word: the API answers them
// as they are (409), so a patient reads exactly these.
const REFUSED = {
  cancelled: 'This appointment was already cancelled.',
  completed: 'This appointment is already completed.',
  noShow: 'This appointment was already marked as a no-show.',
  confirmed: 'This appointment is already confirmed.',
  pending: 'An appointment cannot go back to pending.',
  confirmFirst: 'This appointment has to be confirmed first.',
  notStarted: 'This appointment has not started yet.',
  started: 'This appointment has already started and can no longer be cancelled.',
};
const OK = null;
type Table = Record<Status, Record<Status, string | null>>;
const closed = (message: string) =>
  Object.fromEntries(STATUSES.map((to) => [to, message])) as Record<Status, string>;

/** Every (from, to) pair while the appointment has not started. */
const NOT_STARTED: Table = {
  pending: {
    pending: REFUSED.pending,
    confirmed: OK,
    cancelled_by_patient: OK,
    cancelled_by_practitioner: OK,
    completed: REFUSED.confirmFirst,
    no_show: REFUSED.confirmFirst,
  },
  confirmed: {
    pending: REFUSED.pending,
    confirmed: REFUSED.confirmed,
    cancelled_by_patient: OK,
    cancelled_by_practitioner: OK,
    completed: REFUSED.notStarted,
    no_show: REFUSED.notStarted,
  },
  cancelled_by_patient: closed(REFUSED.cancelled),
  cancelled_by_practitioner: closed(REFUSED.cancelled),
  completed: closed(REFUSED.completed),
  no_show: closed(REFUSED.noShow),
};

/** Every (from, to) pair once the appointment has started (running or over). */
const STARTED: Table = {
  pending: {
    pending: REFUSED.pending,
    confirmed: OK,
    cancelled_by_patient: REFUSED.started,
    cancelled_by_practitioner: OK,
    completed: REFUSED.confirmFirst,
    no_show: REFUSED.confirmFirst,
  },
  confirmed: {
    pending: REFUSED.pending,
    confirmed: REFUSED.confirmed,
    cancelled_by_patient: REFUSED.started,
    cancelled_by_practitioner: OK,
    completed: OK,
    no_show: OK,
  },
  cancelled_by_patient: closed(REFUSED.cancelled),
  cancelled_by_practitioner: closed(REFUSED.cancelled),
  completed: closed(REFUSED.completed),
  no_show: closed(REFUSED.noShow),
};

/** Where the appointment starts, from the transaction's now(), and the table that then holds. */
const MOMENTS = [
  { when: 'before the start', offset: '10 days', table: NOT_STARTED },
  { when: 'while it runs', offset: '-10 minutes', table: STARTED },
  { when: 'after the end', offset: '-10 days', table: STARTED },
] as const;

type Stamp = 'confirmed_at' | 'cancelled_at' | 'completed_at';
/** The timestamp each step sets (no_show has none). */
const STAMP_OF: Partial<Record<Status, Stamp>> = {
  confirmed: 'confirmed_at',
  cancelled_by_patient: 'cancelled_at',
  cancelled_by_practitioner: 'cancelled_at',
  completed: 'completed_at',
};
/** The timestamps an appointment of each status holds (given on insert, kept by the database). */
const STAMPS_HELD: Record<Status, Stamp[]> = {
  pending: [],
  confirmed: ['confirmed_at'],
  cancelled_by_patient: ['cancelled_at'],
  cancelled_by_practitioner: ['cancelled_at'],
  completed: ['confirmed_at', 'completed_at'],
  no_show: ['confirmed_at'],
};
/** Who is told of each step, and with which notification type. */
const TOLD: Record<Status, { to: 'patient' | 'practitioner'; type: string }[]> = {
  pending: [],
  confirmed: [{ to: 'patient', type: 'appointment_confirmed' }],
  cancelled_by_patient: [
    { to: 'practitioner', type: 'appointment_cancelled' },
    { to: 'patient', type: 'appointment_cancelled' },
  ],
  cancelled_by_practitioner: [{ to: 'patient', type: 'appointment_cancelled' }],
  completed: [{ to: 'patient', type: 'appointment_completed' }],
  no_show: [],
};

const LONG_AGO = new Date('2001-02-03T04:05:06Z');

class Rollback extends Error {}

/** Runs `work` in a transaction that is always rolled back: each case starts from nothing. */
async function rolledBack(work: (tx: postgres.TransactionSql) => Promise<void>): Promise<void> {
  await db.begin(async (tx) => {
    await work(tx);
    throw new Rollback();
  }).catch((e) => {
    if (!(e instanceof Rollback)) throw e;
  });
}

/** A fixed UTC offset putting the local time near noon, so "10 minutes ago" is the same day. */
function noonZone(): string {
  const k = 12 - new Date().getUTCHours();
  return k === 0 ? 'UTC' : `Etc/GMT${k > 0 ? '-' : '+'}${Math.abs(k)}`;
}

describe('the status machine, directly in SQL (as the platform: no actor rules)', () => {
  let patientId: string;
  let practitionerId: string;

  beforeAll(async () => {
    patientId = (await patient()).id;
    practitionerId = (await practitioner({ timeZone: noonZone(), hours: null })).id;
  });

  const cases = MOMENTS.flatMap(({ when, offset, table }) =>
    STATUSES.flatMap((from) =>
      STATUSES.map((to) => ({ when, offset, from, to, refusal: table[from][to] }))
    )
  );

  it('has a case for every pair of the six statuses at each of the three moments', () => {
    expect(cases).toHaveLength(3 * 6 * 6);
  });

  it.each(cases)('$when: $from -> $to', async ({ offset, from, to, refusal }) => {
    await rolledBack(async (tx) => {
      const stamps = Object.fromEntries(
        (['confirmed_at', 'cancelled_at', 'completed_at'] as Stamp[]).map((s) => [s, LONG_AGO]),
      );
      const [inserted] = await tx`
        insert into public.appointments (patient_id, practitioner_id, appointment_date, start_time,
          end_time, status, confirmed_at, cancelled_at, completed_at)
        select ${patientId}, ${practitionerId}, l::date, l::time, (l + interval '30 minutes')::time,
               ${from}, ${stamps.confirmed_at}, ${stamps.cancelled_at}, ${stamps.completed_at}
        from (select date_trunc('minute', now() at time zone p.time_zone) + ${offset}::interval as l
              from public.practitioners p where p.id = ${practitionerId}) x
        returning id, now() as now, confirmed_at, cancelled_at, completed_at,
                  (starts_at <= now()) as started`;
      // The database keeps the timestamps of the status an appointment is written with.
      const held = STAMPS_HELD[from];
      for (const stamp of ['confirmed_at', 'cancelled_at', 'completed_at'] as Stamp[]) {
        expect(inserted[stamp], stamp).toEqual(held.includes(stamp) ? LONG_AGO : null);
      }
      expect(inserted.started).toBe(offset !== '10 days');
      const mark = await lastEventId(tx);
      const before = new Set((await notificationsAbout(inserted.id, tx)).map((n) => n.id));

      const step = tx.savepoint((sp) =>
        sp`update public.appointments set status = ${to} where id = ${inserted.id}
           returning status, confirmed_at, cancelled_at, completed_at`
      );
      if (refusal) {
        await expect(step).rejects.toMatchObject({ code: 'DK409', message: refusal });
        const [kept] = await tx`select status from public.appointments where id = ${inserted.id}`;
        expect(kept.status).toBe(from);
        expect(await eventsAbout(inserted.id, mark, tx)).toEqual([]);
        return;
      }
      const [row] = await step;
      expect(row.status).toBe(to);
      const expectedStamps: Record<Stamp, Date | null> = {
        confirmed_at: inserted.confirmed_at,
        cancelled_at: inserted.cancelled_at,
        completed_at: inserted.completed_at,
      };
      const stamp = STAMP_OF[to];
      if (stamp) expectedStamps[stamp] = inserted.now;
      expect({
        confirmed_at: row.confirmed_at,
        cancelled_at: row.cancelled_at,
        completed_at: row.completed_at,
      }).toEqual(expectedStamps);

      // Both sides hear of the step; whoever is told gets a notification, and its event.
      const idOf = { patient: patientId, practitioner: practitionerId };
      const notifications = (await notificationsAbout(inserted.id, tx)).filter((n) =>
        !before.has(n.id)
      );
      const told = TOLD[to].map((t) => ({ user_id: idOf[t.to], type: t.type }));
      expect(notifications.map((n) => ({ user_id: n.user_id, type: n.type })).sort(byUser))
        .toEqual(told.sort(byUser));
      for (const n of notifications) {
        expect(n.data).toEqual(
          n.user_id === patientId
            ? { appointment_id: inserted.id, practitioner_id: practitionerId }
            : { appointment_id: inserted.id, patient_id: patientId },
        );
      }
      const events = await eventsAbout(inserted.id, mark, tx);
      const updated = events.filter((e) => e.event === 'appointment:updated');
      expect(updated.map((e) => e.user_id).sort()).toEqual([patientId, practitionerId].sort());
      for (const e of updated) expect(e.payload.status).toBe(to);
      const news = events.filter((e) => e.event === 'notification:new');
      expect(news.map((e) => ({ user_id: e.user_id, id: e.payload.id })).sort(byUser)).toEqual(
        notifications.map((n) => ({ user_id: n.user_id, id: n.id })).sort(byUser),
      );
      expect(events).toHaveLength(updated.length + news.length);
    });
  });

  it('sets the timestamps itself: a value written with the step is replaced by now()', async () => {
    await rolledBack(async (tx) => {
      const id = await arrange({
        patientId,
        practitionerId,
        date: daysFromToday(20),
        start: '10:00',
        end: '10:30',
      }, tx);
      const [confirmed] = await tx`
        update public.appointments set status = 'confirmed', confirmed_at = ${LONG_AGO}
        where id = ${id} returning confirmed_at = now() as now`;
      expect(confirmed.now).toBe(true);
      const [cancelled] = await tx`
        update public.appointments set status = 'cancelled_by_practitioner', cancelled_at = null
        where id = ${id} returning cancelled_at = now() as now, confirmed_at = now() as kept`;
      expect(cancelled).toEqual({ now: true, kept: true });
    });
  });

  it('fills the timestamps of a status given on insert when none is given', async () => {
    await rolledBack(async (tx) => {
      const id = await arrange({
        patientId,
        practitionerId,
        date: daysFromToday(-20),
        start: '10:00',
        end: '10:30',
        status: 'completed',
      }, tx);
      const [row] = await tx`
        select confirmed_at = now() as confirmed, cancelled_at, completed_at = now() as completed
        from public.appointments where id = ${id}`;
      expect(row).toEqual({ confirmed: true, cancelled_at: null, completed: true });
    });
  });
});

const byUser = (a: { user_id: string }, b: { user_id: string }) =>
  a.user_id.localeCompare(b.user_id);

describe('who may take which step (signed in)', () => {
  let doc: TestUser;
  let pat: TestUser;
  let stranger: TestUser;
  let otherDoc: TestUser;
  let admin: TestUser;
  let day = 30;

  beforeAll(async () => {
    doc = await practitioner();
    pat = await patient();
    stranger = await patient('Sam', 'Stranger');
    otherDoc = await practitioner({ firstName: 'Yael', lastName: 'Other' });
    admin = await createUser({ role: 'admin' });
  });

  /** A new appointment of `pat` with `doc`, on a day of its own so none overlap. */
  async function appointment(status: Status = 'pending', past = false) {
    day += 1;
    return await arrange({
      patientId: pat.id,
      practitionerId: doc.id,
      date: daysFromToday(past ? -day : day),
      start: '10:00',
      end: '10:30',
      status,
    });
  }

  const stepAs = (user: TestUser, id: string, status: Status) =>
    signedIn(
      user,
      async (tx) =>
        (await tx`update public.appointments set status = ${status} where id = ${id}`).count,
    );
  const statusOf = async (id: string) =>
    (await db`select status from public.appointments where id = ${id}`)[0].status;

  it('lets the patient cancel, with a reason, and the database stamps it', async () => {
    const id = await appointment('confirmed');
    const count = await signedIn(pat, async (tx) =>
      (await tx`update public.appointments
                set status = 'cancelled_by_patient', cancellation_reason = 'Sick'
                where id = ${id}`).count);
    expect(count).toBe(1);
    const [row] = await db`
      select status, cancellation_reason, cancelled_at is not null as stamped
      from public.appointments where id = ${id}`;
    expect(row).toEqual({
      status: 'cancelled_by_patient',
      cancellation_reason: 'Sick',
      stamped: true,
    });
  });

  it.each(
    [
      ['confirmed', 'pending', false],
      ['cancelled_by_practitioner', 'pending', false],
      ['completed', 'confirmed', true],
      ['no_show', 'confirmed', true],
    ] as const,
  )('refuses the patient setting %s (42501)', async (to, from, past) => {
    const id = await appointment(from, past);
    await expect(stepAs(pat, id, to)).rejects.toMatchObject({
      code: '42501',
      message: 'Only the practitioner can do this.',
    });
    expect(await statusOf(id)).toBe(from);
  });

  it("refuses the patient writing the practitioner's notes", async () => {
    const id = await appointment();
    await expect(
      signedIn(
        pat,
        (tx) => tx`update public.appointments set practitioner_notes = 'x' where id = ${id}`,
      ),
    ).rejects.toMatchObject({ code: '42501', message: 'Only the practitioner can do this.' });
  });

  it.each(['patient', 'practitioner'] as const)(
    'refuses the %s rewriting a reason outside the step that cancels',
    async (who) => {
      const id = await appointment('confirmed');
      await stepAs(doc, id, 'cancelled_by_practitioner');
      await db`update public.appointments set cancellation_reason = 'Away' where id = ${id}`;
      await expect(
        signedIn(
          who === 'patient' ? pat : doc,
          (tx) =>
            tx`update public.appointments set cancellation_reason = 'Rewritten' where id = ${id}`,
        ),
      ).rejects.toMatchObject({
        code: '42501',
        message: 'The reason of a cancellation is given when cancelling.',
      });
      const [{ cancellation_reason }] =
        await db`select cancellation_reason from public.appointments where id = ${id}`;
      expect(cancellation_reason).toBe('Away');
    },
  );

  it('refuses the practitioner cancelling in the name of the patient', async () => {
    const id = await appointment();
    await expect(stepAs(doc, id, 'cancelled_by_patient')).rejects.toMatchObject({
      code: '42501',
      message: 'Only the patient can do this.',
    });
    expect(await statusOf(id)).toBe('pending');
  });

  it('lets the practitioner confirm, cancel, complete, mark a no-show and write notes', async () => {
    const confirmed = await appointment();
    expect(await stepAs(doc, confirmed, 'confirmed')).toBe(1);
    const cancelled = await appointment('confirmed');
    expect(await stepAs(doc, cancelled, 'cancelled_by_practitioner')).toBe(1);
    const completed = await appointment('confirmed', true);
    const count = await signedIn(
      doc,
      async (tx) =>
        (await tx`update public.appointments set status = 'completed', practitioner_notes = 'Fine'
                where id = ${completed}`).count,
    );
    expect(count).toBe(1);
    const missed = await appointment('confirmed', true);
    expect(await stepAs(doc, missed, 'no_show')).toBe(1);
    const rows = await db`
      select id, status, practitioner_notes from public.appointments
      where id in ${db([confirmed, cancelled, completed, missed])}`;
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.status, r.practitioner_notes]]))).toEqual({
      [confirmed]: ['confirmed', null],
      [cancelled]: ['cancelled_by_practitioner', null],
      [completed]: ['completed', 'Fine'],
      [missed]: ['no_show', null],
    });
  });

  it('keeps the status machine for signed-in users too', async () => {
    const id = await appointment();
    expect(await stepAs(pat, id, 'cancelled_by_patient')).toBe(1);
    await expect(stepAs(pat, id, 'cancelled_by_patient')).rejects.toMatchObject({
      code: 'DK409',
      message: REFUSED.cancelled,
    });
    const started = await appointment('confirmed', true);
    await expect(stepAs(pat, started, 'cancelled_by_patient')).rejects.toMatchObject({
      code: 'DK409',
      message: REFUSED.started,
    });
    const early = await appointment('confirmed');
    await expect(stepAs(doc, early, 'completed')).rejects.toMatchObject({
      code: 'DK409',
      message: REFUSED.notStarted,
    });
  });

  it.each(['stranger', 'other practitioner'] as const)(
    'shows a %s nothing and lets them change nothing (0 rows)',
    async (who) => {
      const user = who === 'stranger' ? stranger : otherDoc;
      const id = await appointment();
      for (
        const to of ['confirmed', 'cancelled_by_patient', 'cancelled_by_practitioner'] as const
      ) {
        expect(await stepAs(user, id, to)).toBe(0);
      }
      const seen = await signedIn(
        user,
        (tx) => tx`select id from public.appointments where id = ${id}`,
      );
      expect(seen).toEqual([]);
      const notes = await signedIn(
        user,
        async (tx) =>
          (await tx`update public.appointments set practitioner_notes = 'x', cancellation_reason = 'x'
                  where id = ${id}`).count,
      );
      expect(notes).toBe(0);
      const [row] = await db`
        select status, practitioner_notes, cancellation_reason from public.appointments
        where id = ${id}`;
      expect(row).toEqual({
        status: 'pending',
        practitioner_notes: null,
        cancellation_reason: null,
      });
    },
  );

  it('lets an admin take any step', async () => {
    const forPatient = await appointment();
    expect(await stepAs(admin, forPatient, 'cancelled_by_patient')).toBe(1);
    const forPractitioner = await appointment();
    expect(await stepAs(admin, forPractitioner, 'confirmed')).toBe(1);
    const count = await signedIn(
      admin,
      async (tx) =>
        (await tx`update public.appointments set practitioner_notes = 'Seen by admin'
                where id = ${forPractitioner}`).count,
    );
    expect(count).toBe(1);
    expect(await statusOf(forPatient)).toBe('cancelled_by_patient');
    expect(await statusOf(forPractitioner)).toBe('confirmed');
  });

  it.each([
    ['confirmed_at', 'now()'],
    ['cancelled_at', 'now()'],
    ['completed_at', 'now()'],
    ['starts_at', 'now()'],
    ['ends_at', 'now()'],
    // The date and times are the patient's to move, by the move rules (migration
    // 20261202009300; tests/reschedule.test.ts): no longer a column privilege.
    ['patient_id', 'practitioner_id'],
    ['source', "'dokal_crm'"],
    ['idempotency_key', "'k'"],
  ])('lets neither party write %s (column privileges)', async (column, value) => {
    const id = await appointment();
    for (const user of [pat, doc]) {
      await expect(
        signedIn(
          user,
          (tx) =>
            tx.unsafe(`update public.appointments set ${column} = ${value} where id = $1`, [id]),
        ),
      ).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/permission denied/),
      });
    }
  });

  it.each([
    ['status', "'confirmed'"],
    ['source', "'dokal_crm'"],
    ['confirmed_at', 'now()'],
    ['starts_at', 'now()'],
    ['ends_at', 'now()'],
  ])('refuses a booking that writes %s (column privileges)', async (column, value) => {
    await expect(signedIn(pat, (tx) =>
      tx.unsafe(
        `insert into public.appointments (patient_id, practitioner_id, appointment_date,
           start_time, end_time, ${column})
         values ($1, $2, $3, '09:00', '09:30', ${value})`,
        [pat.id, doc.id, daysFromToday(200)],
      ))).rejects.toMatchObject({ code: '42501' });
  });

  it('refuses a booking in the name of another patient (RLS)', async () => {
    await expect(signedIn(pat, (tx) =>
      tx`insert into public.appointments
           (patient_id, practitioner_id, appointment_date, start_time, end_time)
         values (${stranger.id}, ${doc.id}, ${daysFromToday(202)}, '09:00', '09:30')`)).rejects
      .toMatchObject({ code: '42501' });
  });
});

/** A booking of the 09:00-09:30 slot `days` days from today. */
const slot = (practitionerId: string, days: number, start = '09:00', end = '09:30'): Booking => ({
  practitioner_id: practitionerId,
  appointment_date: daysFromToday(days),
  start_time: start,
  end_time: end,
});

describe('booking rules, as a signed-in patient inserting directly', () => {
  interface Refusal {
    name: string;
    arrange: () => Promise<{ user: TestUser; booking: Booking; others?: string[] }>;
    code: string;
    column?: string;
    message: string;
  }
  const NOT_A_SLOT =
    "This time is not one of the practitioner's free slots. Please choose another.";
  const NO_REASON = "Please choose one of this practitioner's reasons for a visit.";
  const NOT_FOUND = 'We could not find this practitioner.';

  const refusals: Refusal[] = [
    {
      name: 'an inactive practitioner',
      arrange: async () => {
        const doc = await practitioner({ active: false });
        return { user: await patient(), booking: slot(doc.id, 14), others: [doc.id] };
      },
      code: 'DK400',
      column: 'practitioner_id',
      message: NOT_FOUND,
    },
    {
      name: 'a practitioner that does not exist',
      arrange: async () => ({ user: await patient(), booking: slot(crypto.randomUUID(), 14) }),
      code: 'DK400',
      column: 'practitioner_id',
      message: NOT_FOUND,
    },
    {
      name: 'the practitioner themselves',
      arrange: async () => {
        const doc = await practitioner();
        return { user: doc, booking: slot(doc.id, 14) };
      },
      code: 'DK400',
      column: 'practitioner_id',
      message: 'You cannot book an appointment with yourself.',
    },
    {
      name: "another practitioner's reason",
      arrange: async () => {
        const doc = await practitioner();
        const other = await practitioner();
        const [reason] = await db`insert into public.appointment_reasons (practitioner_id, label)
          values (${other.id}, 'Theirs') returning id`;
        return {
          user: await patient(),
          booking: { ...slot(doc.id, 14), reason_id: reason.id },
          others: [doc.id, other.id],
        };
      },
      code: 'DK400',
      column: 'reason_id',
      message: NO_REASON,
    },
    {
      name: 'an inactive reason of the practitioner',
      arrange: async () => {
        const doc = await practitioner();
        const [reason] = await db`insert into public.appointment_reasons
          (practitioner_id, label, is_active) values (${doc.id}, 'Retired', false) returning id`;
        return {
          user: await patient(),
          booking: { ...slot(doc.id, 14), reason_id: reason.id },
          others: [doc.id],
        };
      },
      code: 'DK400',
      column: 'reason_id',
      message: NO_REASON,
    },
    {
      name: 'an inactive global reason',
      arrange: async () => {
        const doc = await practitioner();
        const [reason] = await db`insert into public.appointment_reasons
          (practitioner_id, label, is_active)
          values (null, ${`Retired ${crypto.randomUUID()}`}, false) returning id`;
        return {
          user: await patient(),
          booking: { ...slot(doc.id, 14), reason_id: reason.id },
          others: [doc.id],
        };
      },
      code: 'DK400',
      column: 'reason_id',
      message: NO_REASON,
    },
    {
      name: 'a new patient of a practitioner not accepting new patients',
      arrange: async () => {
        const doc = await practitioner({ accepting: false });
        return { user: await patient(), booking: slot(doc.id, 14), others: [doc.id] };
      },
      code: 'DK409',
      message: 'This practitioner is not accepting new patients at the moment.',
    },
    {
      name: 'a slot in the past',
      arrange: async () => {
        const doc = await practitioner();
        return { user: await patient(), booking: slot(doc.id, -2), others: [doc.id] };
      },
      code: 'DK400',
      column: 'start_time',
      message: 'This time has already passed. Please choose a later slot.',
    },
    {
      name: 'a wrong start',
      arrange: async () => {
        const doc = await practitioner();
        return {
          user: await patient(),
          booking: slot(doc.id, 14, '09:10', '09:40'),
          others: [doc.id],
        };
      },
      code: 'DK400',
      column: 'start_time',
      message: NOT_A_SLOT,
    },
    {
      name: 'a wrong length',
      arrange: async () => {
        const doc = await practitioner();
        return {
          user: await patient(),
          booking: slot(doc.id, 14, '09:00', '09:45'),
          others: [doc.id],
        };
      },
      code: 'DK400',
      column: 'start_time',
      message: NOT_A_SLOT,
    },
    {
      name: 'a time outside the hours',
      arrange: async () => {
        const doc = await practitioner();
        return {
          user: await patient(),
          booking: slot(doc.id, 14, '13:00', '13:30'),
          others: [doc.id],
        };
      },
      code: 'DK400',
      column: 'start_time',
      message: NOT_A_SLOT,
    },
    {
      name: 'a closed day',
      arrange: async () => {
        const doc = await practitioner();
        await db`insert into public.practitioner_schedule_overrides
          (practitioner_id, date, is_available) values (${doc.id}, ${daysFromToday(14)}, false)`;
        return { user: await patient(), booking: slot(doc.id, 14), others: [doc.id] };
      },
      code: 'DK400',
      column: 'start_time',
      message: NOT_A_SLOT,
    },
    {
      name: 'the weekly hours of a day with special hours',
      arrange: async () => {
        const doc = await practitioner();
        await db`insert into public.practitioner_schedule_overrides
          (practitioner_id, date, is_available, start_time, end_time)
          values (${doc.id}, ${daysFromToday(14)}, true, '14:00', '15:00')`;
        return { user: await patient(), booking: slot(doc.id, 14), others: [doc.id] };
      },
      code: 'DK400',
      column: 'start_time',
      message: NOT_A_SLOT,
    },
    {
      name: 'a practitioner without hours',
      arrange: async () => {
        const doc = await practitioner({ hours: null });
        return { user: await patient(), booking: slot(doc.id, 14), others: [doc.id] };
      },
      code: 'DK400',
      column: 'start_time',
      message: NOT_A_SLOT,
    },
  ];

  it.each(refusals)('refuses $name, writing nothing', async (c) => {
    const { user, booking, others = [] } = await c.arrange();
    const people = [user.id, booking.practitioner_id, ...others];
    const before = await footprint(people);
    const refusal = book(user, booking);
    await expect(refusal).rejects.toMatchObject({ code: c.code, message: c.message });
    const error = await refusal.catch((e) => e);
    expect(error.column_name).toBe(c.column);
    expect(await footprint(people)).toEqual(before);
  });

  it.each(
    [
      ['a global reason', 'global'],
      ["the practitioner's own reason", 'own'],
      ['no reason', 'none'],
    ] as const,
  )('books with %s', async (_name, kind) => {
    const doc = await practitioner();
    let reasonId: string | null = null;
    if (kind === 'global') reasonId = '5eed0000-0000-4000-8000-000000000001';
    if (kind === 'own') {
      [{ id: reasonId }] = await db`insert into public.appointment_reasons (practitioner_id, label)
        values (${doc.id}, 'Own') returning id`;
    }
    const id = await book(await patient(), { ...slot(doc.id, 14), reason_id: reasonId });
    const [row] = await db`select reason_id, status from public.appointments where id = ${id}`;
    expect(row).toEqual({ reason_id: reasonId, status: 'pending' });
  });

  it('books a practitioner not accepting new patients for a patient seen before', async () => {
    const doc = await practitioner({ accepting: false });
    const id = await book(await patient(), { ...slot(doc.id, 14), visited_before: true });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('books the special hours of a day, in the weekday rhythm', async () => {
    const doc = await practitioner();
    await db`insert into public.practitioner_schedule_overrides
      (practitioner_id, date, is_available, start_time, end_time)
      values (${doc.id}, ${daysFromToday(14)}, true, '14:00', '15:00')`;
    const id = await book(await patient(), slot(doc.id, 14, '14:30', '15:00'));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a slot another patient holds (the practitioner overlap constraint)', async () => {
    const doc = await practitioner();
    await book(await patient(), slot(doc.id, 14));
    const late = await patient('Late', 'Comer');
    const before = await footprint([late.id, doc.id]);
    await expect(book(late, slot(doc.id, 14))).rejects.toMatchObject({
      code: '23P01',
      constraint_name: 'appointments_no_overlap',
    });
    expect(await footprint([late.id, doc.id])).toEqual(before);
  });

  it('refuses one person two overlapping appointments with two practitioners', async () => {
    const x = await practitioner({ timeZone: 'Etc/GMT-2' });
    const y = await practitioner({ timeZone: 'Etc/GMT-1' });
    const pat = await patient();
    await book(pat, slot(x.id, 14, '10:00', '10:30'));
    const before = await footprint([pat.id, y.id]);
    // 10:00 at UTC+2 is 09:00 at UTC+1: the same instant.
    await expect(book(pat, slot(y.id, 14, '09:00', '09:30'))).rejects.toMatchObject({
      code: '23P01',
      constraint_name: 'appointments_person_no_overlap',
    });
    expect(await footprint([pat.id, y.id])).toEqual(before);
    // The same wall-clock time in another zone is another instant.
    await expect(book(pat, slot(y.id, 14, '10:00', '10:30'))).resolves.toBeDefined();
  });

  it('lets a patient and their relative be seen at the same time, never one relative twice', async () => {
    const x = await practitioner();
    const y = await practitioner();
    const z = await practitioner();
    const pat = await patient();
    const kid = await relativeOf(pat);
    await book(pat, slot(x.id, 14));
    await book(pat, { ...slot(y.id, 14), relative_id: kid });
    await expect(book(pat, { ...slot(z.id, 14), relative_id: kid })).rejects.toMatchObject({
      code: '23P01',
      constraint_name: 'appointments_person_no_overlap',
    });
  });

  it("refuses a booking for another patient's relative (the relative-of-patient key)", async () => {
    const doc = await practitioner();
    const theirs = await relativeOf(await patient('Other', 'Parent'));
    const pat = await patient();
    const before = await footprint([pat.id, doc.id]);
    await expect(book(pat, { ...slot(doc.id, 14), relative_id: theirs })).rejects.toMatchObject({
      code: '23503',
      constraint_name: 'appointments_relative_of_patient',
    });
    expect(await footprint([pat.id, doc.id])).toEqual(before);
  });

  it('offers and books a cancelled slot again', async () => {
    const doc = await practitioner();
    const first = await patient();
    const id = await book(first, slot(doc.id, 14));
    const isFree = async () =>
      (await db`select app.practitioner_slot_is_free(${doc.id}, ${daysFromToday(14)}, '09:00',
                '09:30') as free`)[0].free;
    expect(await isFree()).toBe(false);
    await signedIn(
      first,
      (tx) => tx`update public.appointments set status = 'cancelled_by_patient' where id = ${id}`,
    );
    expect(await isFree()).toBe(true);
    const again = await book(await patient('Second', 'Chance'), slot(doc.id, 14));
    const rows = await db`select id, status from public.appointments
      where practitioner_id = ${doc.id} order by created_at, id`;
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [id, 'cancelled_by_patient'],
      [again, 'pending'],
    ]);
  });

  it('keeps one idempotency key to one appointment per patient', async () => {
    const doc = await practitioner();
    const pat = await patient();
    await book(pat, { ...slot(doc.id, 14), idempotency_key: 'retry-1' });
    await expect(book(pat, { ...slot(doc.id, 15), idempotency_key: 'retry-1' })).rejects
      .toMatchObject({ code: '23505', constraint_name: 'appointments_idempotency_key' });
    await expect(book(await patient(), { ...slot(doc.id, 15), idempotency_key: 'retry-1' }))
      .resolves.toBeDefined();
  });
});

describe('what a booking writes, in its transaction', () => {
  it('writes the appointment, one request to the practitioner, the conversation and the events, and signals them', async () => {
    const doc = await practitioner();
    const pat = await patient();
    const received: string[] = [];
    const listener = await db.listen('dokal_events', (payload) => received.push(payload));
    try {
      const mark = await lastEventId();
      const booking = slot(doc.id, 14, '10:00', '10:30');
      const id = await book(pat, booking);

      const [row] = await db`
        select patient_id, practitioner_id, status, source, confirmed_at, cancelled_at,
               completed_at, starts_at = (appointment_date + start_time) at time zone 'Asia/Jerusalem'
                 as starts_right,
               ends_at - starts_at as length
        from public.appointments where id = ${id}`;
      expect(row).toEqual({
        patient_id: pat.id,
        practitioner_id: doc.id,
        status: 'pending',
        source: 'dokal_app',
        confirmed_at: null,
        cancelled_at: null,
        completed_at: null,
        starts_right: true,
        length: '00:30:00',
      });

      const notifications = await db<{ id: string; user_id: string; type: string }[]>`
        select id, user_id, type::text, data from public.notifications
        where user_id in ${db([pat.id, doc.id])}`;
      expect(notifications).toEqual([{
        id: expect.any(String),
        user_id: doc.id,
        type: 'appointment_request',
        data: { appointment_id: id, patient_id: pat.id },
      }]);

      const conversations = await db`
        select patient_id, practitioner_id, appointment_id from public.conversations
        where patient_id = ${pat.id} or practitioner_id = ${doc.id}`;
      expect(conversations).toEqual([
        { patient_id: pat.id, practitioner_id: doc.id, appointment_id: id },
      ]);

      const events = await eventsAbout(id, mark);
      const payload = {
        id,
        status: 'pending',
        appointment_date: booking.appointment_date,
        start_time: '10:00:00',
        end_time: '10:30:00',
        practitioner_id: doc.id,
        patient_id: pat.id,
      };
      expect(
        events.map(({ user_id, event, payload }) => ({ user_id, event, payload })).sort(
          (a, b) => (a.event + a.user_id).localeCompare(b.event + b.user_id),
        ),
      ).toEqual(
        [
          { user_id: pat.id, event: 'appointment:updated', payload },
          { user_id: doc.id, event: 'appointment:updated', payload },
          {
            user_id: doc.id,
            event: 'notification:new',
            payload: expect.objectContaining({
              id: notifications[0].id,
              user_id: doc.id,
              type: 'appointment_request',
              is_read: false,
              data: { appointment_id: id, patient_id: pat.id },
            }),
          },
        ].sort((a, b) => (a.event + a.user_id).localeCompare(b.event + b.user_id)),
      );
      // Nothing else was written for these two people.
      const [{ n }] = await db`select count(*)::int as n from private.events
        where id > ${mark} and user_id in ${db([pat.id, doc.id])}`;
      expect(n).toBe(3);

      // Each event's id is signalled on dokal_events once committed.
      const ids = events.map((e) => e.id);
      await vi.waitFor(() => expect(received).toEqual(expect.arrayContaining(ids)), {
        timeout: 10_000,
      });
    } finally {
      await listener.unlisten();
    }
  });

  it("reuses the pair's conversation for their next booking and points it at the newest", async () => {
    const doc = await practitioner();
    const pat = await patient();
    const first = await book(pat, slot(doc.id, 14));
    const [opened] = await db`select id, appointment_id from public.conversations
      where patient_id = ${pat.id} and practitioner_id = ${doc.id}`;
    expect(opened.appointment_id).toBe(first);
    const second = await book(pat, slot(doc.id, 15));
    const conversations = await db`select id, appointment_id from public.conversations
      where patient_id = ${pat.id} or practitioner_id = ${doc.id}`;
    expect(conversations).toEqual([{ id: opened.id, appointment_id: second }]);
    // Another practitioner is another conversation.
    const other = await practitioner();
    await book(pat, slot(other.id, 16));
    const [{ n }] = await db`select count(*)::int as n from public.conversations
      where patient_id = ${pat.id}`;
    expect(n).toBe(2);
  });

  it('tells the patient of an appointment the practice booked (source dokal_crm)', async () => {
    const doc = await practitioner();
    const pat = await patient();
    const id = await arrange({
      patientId: pat.id,
      practitionerId: doc.id,
      date: daysFromToday(14),
      start: '09:00',
      end: '09:30',
      source: 'dokal_crm',
    });
    const notifications = await notificationsAbout(id);
    expect(notifications.map((n) => ({ user_id: n.user_id, type: n.type, data: n.data })))
      .toEqual([{
        user_id: pat.id,
        type: 'appointment_created',
        data: { appointment_id: id, practitioner_id: doc.id },
      }]);
  });
});
