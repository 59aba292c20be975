import { describe, expect, it } from 'vitest';
import { app } from '../functions/appointments/app.ts';
import { db } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { signedIn } from './helpers/lifecycle.ts';
import { israelDate, openPractice, type Practice } from './helpers/practice.ts';
import { expectRefusal, MALFORMED_IDS } from './helpers/refusals.ts';
import { createUser, type TestUser } from './helpers/users.ts';

const api = (user: TestUser | undefined, method: string, path: string, options: CallOptions = {}) =>
  call(app, method, `/appointments${path}`, { token: user?.token, ...options });

const patient = (firstName = 'Noa') => createUser({ firstName, lastName: 'Cohen' });

/** The slot of `minutes` starting at `start` (HH:MM) on `date`, as GET .../slots lists it. */
const slotAt = (date: string, start: string, minutes = 30) => {
  const [h, m] = start.split(':').map(Number);
  const end = h * 60 + m + minutes;
  const hhmm = (t: number) =>
    `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
  return { appointment_date: date, start_time: `${start}:00`, end_time: `${hhmm(end)}:00` };
};

/** Books through the API, then confirms as the platform when asked. */
async function booked(
  practice: Practice,
  person: TestUser,
  date: string,
  start: string,
  status: 'pending' | 'confirmed' = 'confirmed',
) {
  const res = await api(person, 'POST', '', {
    json: {
      practitioner_id: practice.id,
      relative_id: null,
      reason_id: null,
      ...slotAt(date, start),
    },
  });
  expect(res.status).toBe(201);
  if (status === 'confirmed') {
    await db`update public.appointments set status = 'confirmed' where id = ${res.body.id}`;
  }
  return res.body.id as string;
}

const move = (user: TestUser | undefined, id: string, json: unknown, options: CallOptions = {}) =>
  api(user, 'PATCH', `/${id}/reschedule`, { json, ...options });

/** What a move may write about these people: counted per person, never whole tables. */
async function writtenFor(...people: Array<{ id: string }>) {
  const ids = people.map((p) => p.id);
  const [counts] = await db`
    select
      (select count(*)::int from public.appointments
        where patient_id = any(${ids}::uuid[]) or practitioner_id = any(${ids}::uuid[]))
        as appointments,
      (select coalesce(string_agg(concat_ws('/', id, status, appointment_date, start_time, updated_at),
                                  ',' order by id), '')
        from public.appointments
        where patient_id = any(${ids}::uuid[]) or practitioner_id = any(${ids}::uuid[])) as rows,
      (select count(*)::int from public.notifications where user_id = any(${ids}::uuid[]))
        as notifications,
      (select count(*)::int from private.events where user_id = any(${ids}::uuid[])) as events`;
  return { ...counts };
}

async function stored(id: string) {
  const [row] = await db`
    select status::text, appointment_date::text, start_time::text, end_time::text,
           confirmed_at, to_char(starts_at at time zone 'Asia/Jerusalem', 'YYYY-MM-DD HH24:MI')
             as local_start,
           (ends_at - starts_at)::text as length
    from public.appointments where id = ${id}`;
  return { ...row };
}

const slotIsFree = async (practice: Practice, date: string, start: string) => {
  const s = slotAt(date, start);
  const [{ free }] = await db`
    select app.practitioner_slot_is_free(${practice.id}, ${s.appointment_date}::date,
      ${s.start_time}::time, ${s.end_time}::time) as free`;
  return free as boolean;
};

const DAY = israelDate(9);
const OTHER_DAY = israelDate(11);

/** What a refused move is expected to answer. */
interface Outcome {
  id?: string;
  json?: unknown;
  options?: CallOptions;
  status: number;
  field?: string;
  message?: string;
}

describe('PATCH /appointments/:id/reschedule', () => {
  it('moves a confirmed appointment: the same id, pending again, the detail back', async () => {
    const practice = await openPractice({ firstName: 'Dov', lastName: 'Levi' });
    await db`insert into public.user_settings (user_id, locale) values (${practice.id}, 'he')`;
    const noa = await patient();
    const id = await booked(practice, noa, DAY, '10:00');
    const since = await db`select coalesce(max(id), 0)::text as id from private.events`;

    const res = await move(noa, id, { ...slotAt(OTHER_DAY, '11:30'), start_time: '11:30' });
    expect(res.status).toBe(200);
    const detail = await api(noa, 'GET', `/${id}`);
    expect(res.body).toEqual(detail.body);
    expect(res.body).toMatchObject({
      id,
      appointment_date: OTHER_DAY,
      start_time: '11:30:00',
      end_time: '12:00:00',
      status: 'pending',
      confirmed_at: null,
      practitioner_id: practice.id,
    });
    // The instants follow the wall clock (the clock trigger).
    expect(await stored(id)).toMatchObject({
      local_start: `${OTHER_DAY} 11:30`,
      length: '00:30:00',
      confirmed_at: null,
    });
    // The old slot is free at once, the new one taken.
    expect(await slotIsFree(practice, DAY, '10:00')).toBe(true);
    expect(await slotIsFree(practice, OTHER_DAY, '11:30')).toBe(false);
    // The practitioner is told, in their language, with the new date and time.
    const [told] = await db`
      select type::text, title, body, data from public.notifications
      where user_id = ${practice.id} and type = 'appointment_rescheduled'`;
    expect(told.title).toBe('התור הוזז');
    expect(told.body).toContain('Noa Cohen');
    expect(told.body).toContain('11:30');
    expect(told.data).toEqual({
      appointment_id: id,
      patient_id: noa.id,
      previous_date: DAY,
      previous_start_time: '10:00:00',
    });
    // Both sides' sockets hear of the appointment once.
    const events = await db`
      select user_id, event from private.events
      where id > ${since[0].id}::bigint and payload ->> 'id' = ${id} order by id`;
    expect(events.map((e) => [e.user_id, e.event])).toEqual([
      [noa.id, 'appointment:updated'],
      [practice.id, 'appointment:updated'],
    ]);
  });

  it('moves a pending appointment too, and again', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const id = await booked(practice, noa, DAY, '09:00', 'pending');
    expect((await move(noa, id, slotAt(DAY, '13:00'))).status).toBe(200);
    expect((await move(noa, id, slotAt(DAY, '09:00'))).status).toBe(200);
    expect(await stored(id)).toMatchObject({ status: 'pending', start_time: '09:00:00' });
    const [{ n }] = await db`select count(*)::int as n from public.notifications
      where user_id = ${practice.id} and type = 'appointment_rescheduled'`;
    expect(n).toBe(2);
  });

  describe('who may move it', () => {
    it.each([
      ['patient B', 404],
      ['practitioner X (the appointment’s)', 404],
      ['practitioner Y', 404],
      ['admin', 404],
      ['admin naming the practitioner', 404],
      ['no token', 401],
    ])('%s: %i, nothing written', async (who, status) => {
      const practice = await openPractice();
      const noa = await patient();
      const id = await booked(practice, noa, DAY, '10:00');
      const callers: Record<string, TestUser | undefined> = {
        'patient B': await patient('Bea'),
        'practitioner X (the appointment’s)': practice.user,
        'practitioner Y': await createUser({ role: 'practitioner' }),
        admin: await createUser({ role: 'admin' }),
        'admin naming the practitioner': await createUser({ role: 'admin' }),
        'no token': undefined,
      };
      const caller = callers[who];
      const before = await writtenFor(noa, practice.user, ...(caller ? [caller] : []));
      const query = who === 'admin naming the practitioner'
        ? `?practitioner_id=${practice.id}`
        : '';
      const res = await api(caller, 'PATCH', `/${id}/reschedule${query}`, {
        json: slotAt(DAY, '12:00'),
      });
      expectRefusal(res, status, who);
      expect(await writtenFor(noa, practice.user, ...(caller ? [caller] : []))).toEqual(before);
    });

    it('patient A, the owner: 200', async () => {
      const practice = await openPractice();
      const noa = await patient();
      const id = await booked(practice, noa, DAY, '10:00');
      expect((await move(noa, id, slotAt(DAY, '12:00'))).status).toBe(200);
    });
  });

  describe('refuses bad input and writes nothing', () => {
    const cases: Array<
      [
        string,
        (ctx: { id: string; practice: Practice; noa: TestUser }) => Outcome | Promise<Outcome>,
      ]
    > = [
      ['no body', () => ({ options: { json: undefined }, status: 400 })],
      [
        'a body that is not JSON',
        () => ({
          options: {
            body: '{"appointment_date":',
            headers: { 'content-type': 'application/json' },
          },
          status: 400,
        }),
      ],
      [
        'a form instead of JSON',
        () => ({
          options: {
            body: 'a=b',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          },
          status: 415,
        }),
      ],
      ['no date', () => ({ json: { start_time: '10:00', end_time: '10:30' }, status: 400 })],
      [
        'a date that does not exist',
        () => ({
          json: { ...slotAt(DAY, '11:00'), appointment_date: '2031-02-30' },
          status: 400,
        }),
      ],
      [
        'a time that does not exist',
        () => ({ json: { ...slotAt(DAY, '11:00'), start_time: '25:00' }, status: 400 }),
      ],
      [
        'numbers instead of text',
        () => ({
          json: { appointment_date: 20310101, start_time: 10, end_time: 11 },
          status: 400,
        }),
      ],
      [
        'the end before the start',
        () => ({ json: { ...slotAt(DAY, '11:00'), end_time: '10:30' }, status: 400 }),
      ],
      [
        'a time outside the practitioner’s hours',
        () => ({ json: slotAt(DAY, '07:00'), status: 400, field: 'start_time' }),
      ],
      [
        'a slot of another length',
        () => ({ json: slotAt(DAY, '11:00', 45), status: 400, field: 'start_time' }),
      ],
      [
        'a day that has passed',
        () => ({ json: slotAt(israelDate(-2), '11:00'), status: 400, field: 'start_time' }),
      ],
      [
        'its own slot',
        () => ({
          json: slotAt(DAY, '10:00'),
          status: 400,
          message: 'This is already the time of this appointment. Please choose another slot.',
        }),
      ],
      [
        'a slot someone else holds',
        async ({ practice }) => {
          await booked(practice, await patient('Other'), DAY, '12:00');
          return {
            json: slotAt(DAY, '12:00'),
            status: 409,
            message: 'Someone else has just booked this time. Please choose another slot.',
          };
        },
      ],
      [
        'a cancelled appointment',
        async ({ id }) => {
          await db`update public.appointments set status = 'cancelled_by_patient' where id = ${id}`;
          return {
            json: slotAt(DAY, '11:00'),
            status: 400,
            message: 'Only a pending or confirmed appointment can be moved.',
          };
        },
      ],
      [
        'an appointment that has started',
        async ({ practice, noa }) => {
          const [{ id }] = await db`
            insert into public.appointments (patient_id, practitioner_id, appointment_date,
              start_time, end_time, status)
            values (${noa.id}, ${practice.id}, ${israelDate(-3)}, '10:00', '10:30', 'confirmed')
            returning id`;
          return {
            id,
            json: slotAt(DAY, '11:00'),
            status: 409,
            message: 'This appointment has already started and can no longer be moved.',
          };
        },
      ],
      [
        'a completed appointment',
        async ({ practice, noa }) => {
          const [{ id }] = await db`
            insert into public.appointments (patient_id, practitioner_id, appointment_date,
              start_time, end_time, status)
            values (${noa.id}, ${practice.id}, ${israelDate(-4)}, '10:00', '10:30', 'completed')
            returning id`;
          return { id, json: slotAt(DAY, '11:00'), status: 400 };
        },
      ],
      [
        'an unknown id',
        () => ({ id: crypto.randomUUID(), json: slotAt(DAY, '11:00'), status: 404 }),
      ],
      ...MALFORMED_IDS.slice(0, 3).map((bad): typeof cases[number] => [
        `the malformed id ${bad}`,
        () => ({ id: bad, json: slotAt(DAY, '11:00'), status: 400 }),
      ]),
    ];

    it.each(cases)('%s', async (_what, arrange) => {
      const practice = await openPractice();
      const noa = await patient();
      const own = await booked(practice, noa, DAY, '10:00');
      const c = await arrange({ id: own, practice, noa });
      const before = await writtenFor(noa, practice.user);
      const res = await api(noa, 'PATCH', `/${encodeURIComponent(c.id ?? own)}/reschedule`, {
        ...(c.json !== undefined ? { json: c.json } : {}),
        ...c.options,
      });
      expectRefusal(res, c.status);
      if (c.field) expect(res.body.error.details.fieldErrors).toHaveProperty(c.field);
      if (c.message) expect(res.body.error.message).toBe(c.message);
      expect(await writtenFor(noa, practice.user)).toEqual(before);
      expect(await stored(own)).toMatchObject({ appointment_date: DAY, start_time: '10:00:00' });
    });
  });

  it('two patients moving into one slot at once: exactly one moves, each keeps a slot', async () => {
    for (let round = 0; round < 3; round++) {
      const practice = await openPractice();
      const [a, b] = [await patient('Ada'), await patient('Ben')];
      const ids = [
        await booked(practice, a, DAY, '09:00'),
        await booked(practice, b, DAY, '09:30'),
      ];
      const target = slotAt(OTHER_DAY, '15:00');
      const answers = await Promise.all([move(a, ids[0], target), move(b, ids[1], target)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const rows = await Promise.all(ids.map(stored));
      // Both still live; exactly one at the contested slot, the other where it was.
      expect(rows.map((r) => r.status).sort()).toEqual(['confirmed', 'pending']);
      expect(rows.filter((r) => r.appointment_date === OTHER_DAY)).toHaveLength(1);
    }
  });

  it('a move that waits on an uncommitted move into the same slot loses with 409', async () => {
    const practice = await openPractice();
    const [a, b] = [await patient('Ada'), await patient('Ben')];
    const [ida, idb] = [
      await booked(practice, a, DAY, '09:00'),
      await booked(practice, b, DAY, '09:30'),
    ];
    const target = slotAt(OTHER_DAY, '16:00');
    let second: ReturnType<typeof move> | undefined;
    await signedIn(a, async (tx) => {
      await tx`update public.appointments set appointment_date = ${target.appointment_date},
        start_time = ${target.start_time}, end_time = ${target.end_time}, status = 'pending'
        where id = ${ida}`;
      // B sees the slot free (A has not committed) and waits on the exclusion constraint.
      second = move(b, idb, target);
      await new Promise((r) => setTimeout(r, 300));
    });
    const res = await second!;
    expectRefusal(res, 409);
    expect(await stored(ida)).toMatchObject({ appointment_date: OTHER_DAY, status: 'pending' });
    expect(await stored(idb)).toMatchObject({ appointment_date: DAY, status: 'confirmed' });
  });

  it('refuses a slot that overlaps another appointment of the same person (409)', async () => {
    const practice = await openPractice();
    const other = await openPractice();
    const noa = await patient();
    const id = await booked(practice, noa, DAY, '10:00');
    await booked(other, noa, OTHER_DAY, '14:00');
    const res = await move(noa, id, slotAt(OTHER_DAY, '14:00'));
    expectRefusal(res, 409);
    expect(res.body.error.message).toBe(
      'There is already an appointment for this person at this time.',
    );
  });
});

describe('moving through the Data API obeys the same rules', () => {
  const update = (user: TestUser, id: string, set: string) =>
    signedIn(user, (tx) => tx.unsafe(`update public.appointments set ${set} where id = $1`, [id]));

  it('the practitioner cannot move it', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const id = await booked(practice, noa, DAY, '10:00');
    await expect(
      update(practice.user, id, `start_time = '11:00', end_time = '11:30', status = 'pending'`),
    )
      .rejects.toMatchObject({ code: '42501' });
  });

  it('the patient cannot keep it confirmed, choose a slot not offered, or go back to pending alone', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const id = await booked(practice, noa, DAY, '10:00');
    await expect(update(noa, id, `start_time = '11:00', end_time = '11:30'`))
      .rejects.toMatchObject({ code: 'DK400' });
    await expect(update(noa, id, `start_time = '07:00', end_time = '07:30', status = 'pending'`))
      .rejects.toMatchObject({ code: 'DK400' });
    await expect(update(noa, id, `start_time = '11:00', end_time = '12:30', status = 'pending'`))
      .rejects.toMatchObject({ code: 'DK400' });
    await expect(update(noa, id, `status = 'pending'`)).rejects.toMatchObject({ code: '42501' });
    expect(await stored(id)).toMatchObject({ status: 'confirmed', start_time: '10:00:00' });
    await update(noa, id, `start_time = '11:00', end_time = '11:30', status = 'pending'`);
    expect(await stored(id)).toMatchObject({ status: 'pending', start_time: '11:00:00' });
  });

  it('the platform itself (no signed-in user) still cannot send a cancelled appointment back', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const id = await booked(practice, noa, DAY, '10:00');
    await db`update public.appointments set status = 'cancelled_by_practitioner' where id = ${id}`;
    await expect(db`update public.appointments set status = 'pending', start_time = '11:00',
      end_time = '11:30' where id = ${id}`).rejects.toMatchObject({ code: 'DK409' });
  });
});
