import { describe, expect, it } from 'vitest';
import { app } from '../functions/appointments/app.ts';
import { db } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { refusedTokens } from './shared/tokens.ts';
import { israelDate, openPractice, type Practice } from './helpers/practice.ts';
import { createUser, type TestUser } from './helpers/users.ts';

const api = (user: TestUser | undefined, method: string, path: string, options: CallOptions = {}) =>
  call(app, method, `/appointments${path}`, { token: user?.token, ...options });

const patient = (firstName = 'Noa') => createUser({ firstName, lastName: 'Cohen' });

/** A booking body for the slot starting at `start` (HH:MM) on `date`, of `minutes`. */
function slot(practice: Practice, date: string, start: string, minutes = 30) {
  const [h, m] = start.split(':').map(Number);
  const end = h * 60 + m + minutes;
  const hhmm = (t: number) =>
    `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
  return {
    practitioner_id: practice.id,
    relative_id: null,
    reason_id: null,
    appointment_date: date,
    start_time: `${start}:00`,
    end_time: `${hhmm(end)}:00`,
  };
}

const book = (user: TestUser, json: unknown, headers?: Record<string, string>) =>
  api(user, 'POST', '', { json, headers });

/**
 * Everything a booking writes about these people, for "the refused attempt left nothing" checks
 * (counted per person: other test files write to the same tables meanwhile).
 */
async function writtenFor(...people: Array<{ id: string }>) {
  const ids = people.map((p) => p.id);
  const [counts] = await db`
    select
      (select count(*)::int from public.appointments
        where patient_id = any(${ids}::uuid[]) or practitioner_id = any(${ids}::uuid[]))
        as appointments,
      (select count(*)::int from public.notifications where user_id = any(${ids}::uuid[]))
        as notifications,
      (select count(*)::int from public.conversations
        where patient_id = any(${ids}::uuid[]) or practitioner_id = any(${ids}::uuid[]))
        as conversations,
      (select count(*)::int from private.events where user_id = any(${ids}::uuid[])) as events`;
  return counts;
}

async function notificationsOf(userId: string) {
  return await db<{ type: string; title: string; body: string; data: Record<string, string> }[]>`
    select type::text, title, body, data from public.notifications
    where user_id = ${userId} order by created_at, id`;
}

async function eventsAbout(appointmentId: string) {
  return await db<{ user_id: string; event: string; status: string }[]>`
    select user_id, event, payload ->> 'status' as status from private.events
    where payload ->> 'id' = ${appointmentId}
       or payload -> 'data' ->> 'appointment_id' = ${appointmentId}
    order by id`;
}

const TOMORROW = israelDate(1);
const IN_A_WEEK = israelDate(7);

describe('POST /appointments', () => {
  it('books a free slot: 201 with the detail, id first, pending, and tells the practitioner', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const res = await book(noa, {
      ...slot(practice, IN_A_WEEK, '10:00'),
      start_time: '10:00',
      end_time: '10:30',
      patient_address_line: '12 Jaffa Street',
      patient_zip_code: '94000',
      patient_city: 'Jerusalem',
      visited_before: false,
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)[0]).toBe('id');
    expect(res.body).toMatchObject({
      practitioner_id: practice.id,
      appointment_date: IN_A_WEEK,
      start_time: '10:00:00',
      end_time: '10:30:00',
      status: 'pending',
      source: 'dokal_app',
      visited_before: false,
      patient_city: 'Jerusalem',
      relatives: null,
      appointment_reasons: null,
      appointment_questionnaires: null,
      instructions: [],
      practitioners: {
        id: practice.id,
        profiles: { first_name: 'Yossi', last_name: 'Levi' },
      },
    });

    const [request] = await notificationsOf(practice.id);
    expect(request).toMatchObject({
      type: 'appointment_request',
      data: { appointment_id: res.body.id, patient_id: noa.id },
    });
    expect(request.body).toContain('Noa Cohen');
    const conversations = await db`
      select appointment_id from public.conversations
      where patient_id = ${noa.id} and practitioner_id = ${practice.id}`;
    expect(conversations).toEqual([{ appointment_id: res.body.id }]);
    expect(await eventsAbout(res.body.id)).toEqual([
      { user_id: noa.id, event: 'appointment:updated', status: 'pending' },
      { user_id: practice.id, event: 'appointment:updated', status: 'pending' },
      { user_id: practice.id, event: 'notification:new', status: null },
    ]);
  });

  it('books for one of my relatives with a reason of the practitioner, and shows both', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const [relative] = await db`
      insert into public.relatives (user_id, first_name, last_name, relation)
      values (${noa.id}, 'Sarah', 'Cohen', 'child') returning id`;
    const [reason] = await db`
      insert into public.appointment_reasons (practitioner_id, label, label_fr, label_he)
      values (${practice.id}, 'Follow-up', 'Suivi', 'מעקב') returning id`;
    const res = await book(noa, {
      ...slot(practice, IN_A_WEEK, '11:00'),
      relative_id: relative.id,
      reason_id: reason.id,
    });
    expect(res.status).toBe(201);
    expect(res.body.relatives).toEqual({
      id: relative.id,
      first_name: 'Sarah',
      last_name: 'Cohen',
    });
    expect(res.body.appointment_reasons).toEqual({
      label: 'Follow-up',
      label_fr: 'Suivi',
      label_he: 'מעקב',
    });
    const [request] = await notificationsOf(practice.id);
    expect(request.body).toContain('Sarah Cohen');
  });

  it('accepts a global reason and leaves out the keys the quick booking does not send', async () => {
    const practice = await openPractice();
    const [reason] = await db`
      insert into public.appointment_reasons (label) values ('Consultation') returning id`;
    const { relative_id: _r, reason_id: _s, ...quick } = slot(practice, IN_A_WEEK, '12:00');
    expect((await book(await patient(), quick)).status).toBe(201);
    const res = await book(await patient(), {
      ...slot(practice, IN_A_WEEK, '12:30'),
      reason_id: reason.id,
    });
    expect(res.status).toBe(201);
    expect(res.body.appointment_reasons.label).toBe('Consultation');
  });

  describe('books only what availability offers', () => {
    const refusals: Array<{
      name: string;
      arrange?: (practice: Practice, owner: TestUser) => Promise<Record<string, unknown>>;
      body: (practice: Practice) => Record<string, unknown>;
      status: number;
      field?: string;
    }> = [
      {
        name: 'a start between slots',
        body: (p) => ({ ...slot(p, IN_A_WEEK, '10:10'), end_time: '10:40' }),
        status: 400,
        field: 'start_time',
      },
      {
        name: 'a slot of the wrong length',
        body: (p) => slot(p, IN_A_WEEK, '10:00', 60),
        status: 400,
        field: 'start_time',
      },
      {
        name: 'outside the hours',
        body: (p) => slot(p, IN_A_WEEK, '19:00'),
        status: 400,
        field: 'start_time',
      },
      {
        name: 'a day the practitioner closed',
        arrange: async (p) => {
          await db`insert into public.practitioner_schedule_overrides (practitioner_id, date, is_available)
            values (${p.id}, ${IN_A_WEEK}, false)`;
          return {};
        },
        body: (p) => slot(p, IN_A_WEEK, '10:00'),
        status: 400,
        field: 'start_time',
      },
      {
        name: 'normal hours on a day of special hours',
        arrange: async (p) => {
          await db`insert into public.practitioner_schedule_overrides
              (practitioner_id, date, is_available, start_time, end_time)
            values (${p.id}, ${IN_A_WEEK}, true, '14:00', '16:00')`;
          return {};
        },
        body: (p) => slot(p, IN_A_WEEK, '10:00'),
        status: 400,
        field: 'start_time',
      },
      {
        name: 'a day in the past',
        body: (p) => slot(p, israelDate(-1), '10:00'),
        status: 400,
        field: 'start_time',
      },
      {
        name: 'a slot already booked',
        arrange: async (p) => {
          const other = await patient();
          expect((await book(other, slot(p, IN_A_WEEK, '10:00'))).status).toBe(201);
          return {};
        },
        body: (p) => slot(p, IN_A_WEEK, '10:00'),
        status: 409,
      },
      {
        name: "another patient's relative",
        arrange: async () => {
          const other = await patient();
          const [relative] = await db`
            insert into public.relatives (user_id, first_name, last_name, relation)
            values (${other.id}, 'Dan', 'Other', 'child') returning id`;
          return { relative_id: relative.id };
        },
        body: (p) => slot(p, IN_A_WEEK, '10:00'),
        status: 400,
        field: 'relative_id',
      },
      {
        name: "another practitioner's reason",
        arrange: async () => {
          const other = await openPractice();
          const [reason] = await db`
            insert into public.appointment_reasons (practitioner_id, label)
            values (${other.id}, 'Theirs') returning id`;
          return { reason_id: reason.id };
        },
        body: (p) => slot(p, IN_A_WEEK, '10:00'),
        status: 400,
        field: 'reason_id',
      },
      {
        name: 'a retired reason',
        arrange: async (p) => {
          const [reason] = await db`
            insert into public.appointment_reasons (practitioner_id, label, is_active)
            values (${p.id}, 'Old', false) returning id`;
          return { reason_id: reason.id };
        },
        body: (p) => slot(p, IN_A_WEEK, '10:00'),
        status: 400,
        field: 'reason_id',
      },
      {
        name: 'an inactive practitioner',
        arrange: async (p) => {
          await db`update public.practitioners set is_active = false where id = ${p.id}`;
          return {};
        },
        body: (p) => slot(p, IN_A_WEEK, '10:00'),
        status: 400,
        field: 'practitioner_id',
      },
      {
        name: 'a practitioner who takes no new patients, for a first visit',
        arrange: async (p) => {
          await db`update public.practitioners set is_accepting_new_patients = false
            where id = ${p.id}`;
          return { visited_before: false };
        },
        body: (p) => slot(p, IN_A_WEEK, '10:00'),
        status: 409,
      },
      {
        name: 'someone who is not a practitioner',
        body: () => ({ ...slot({ id: crypto.randomUUID() } as Practice, IN_A_WEEK, '10:00') }),
        status: 400,
        field: 'practitioner_id',
      },
    ];

    for (const refusal of refusals) {
      it(`refuses ${refusal.name}, writing nothing`, async () => {
        const practice = await openPractice();
        const noa = await patient();
        const extra = (await refusal.arrange?.(practice, noa)) ?? {};
        const before = await writtenFor(noa, practice);
        const res = await book(noa, { ...refusal.body(practice), ...extra });
        expect(res.status).toBe(refusal.status);
        expect(res.body.error.code).toBe(refusal.status === 400 ? 'validation_error' : 'conflict');
        expect(res.body.error.message).toMatch(/^[A-Z].*\.$/);
        if (refusal.field) expect(res.body.error.details.fieldErrors).toHaveProperty(refusal.field);
        expect(await writtenFor(noa, practice)).toEqual(before);
      });
    }

    it('books a slot of special hours and a first visit when told it is not one', async () => {
      const practice = await openPractice({ acceptingNewPatients: false });
      await db`insert into public.practitioner_schedule_overrides
          (practitioner_id, date, is_available, start_time, end_time)
        values (${practice.id}, ${IN_A_WEEK}, true, '14:00', '16:00')`;
      const res = await book(await patient(), {
        ...slot(practice, IN_A_WEEK, '14:30'),
        visited_before: true,
      });
      expect(res.status).toBe(201);
    });

    it('refuses a practitioner booking themselves', async () => {
      const practice = await openPractice();
      const res = await book(practice.user, slot(practice, IN_A_WEEK, '10:00'));
      expect(res.status).toBe(400);
      expect(res.body.error.details.fieldErrors.practitioner_id).toEqual([
        'You cannot book an appointment with yourself.',
      ]);
    });

    it('lets a practitioner book another practitioner as a patient', async () => {
      const practice = await openPractice();
      const colleague = await openPractice();
      expect((await book(colleague.user, slot(practice, IN_A_WEEK, '10:00'))).status).toBe(201);
    });

    it('books a cancelled slot again', async () => {
      const practice = await openPractice();
      const first = await book(await patient(), slot(practice, IN_A_WEEK, '10:00'));
      await db`update public.appointments set status = 'cancelled_by_practitioner'
        where id = ${first.body.id}`;
      expect((await book(await patient(), slot(practice, IN_A_WEEK, '10:00'))).status).toBe(201);
    });

    it('follows the Israeli clock changes: no slot in the skipped hour, the repeated hour once', async () => {
      const practice = await openPractice({ start: '00:00', end: '06:00' });
      // 2027-03-26 02:00 becomes 03:00; 2027-10-31 02:00 becomes 01:00 again.
      const skipped = await book(await patient(), slot(practice, '2027-03-26', '02:00'));
      expect(skipped.status).toBe(400);
      expect((await book(await patient(), slot(practice, '2027-03-26', '03:00'))).status).toBe(
        201,
      );
      expect((await book(await patient(), slot(practice, '2027-10-31', '01:00'))).status).toBe(
        201,
      );
      expect((await book(await patient(), slot(practice, '2027-10-31', '01:00'))).status).toBe(
        409,
      );
      const [instants] = await db`
        select starts_at, ends_at from public.appointments
        where practitioner_id = ${practice.id} and appointment_date = '2027-03-26'`;
      // 03:00 is already summer time (UTC+3).
      expect(instants).toEqual({
        starts_at: new Date('2027-03-26T00:00:00Z'),
        ends_at: new Date('2027-03-26T00:30:00Z'),
      });
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a retry with the first result instead of a conflict', async () => {
      const practice = await openPractice();
      const noa = await patient();
      const key = crypto.randomUUID();
      const first = await book(noa, slot(practice, IN_A_WEEK, '10:00'), { 'Idempotency-Key': key });
      const again = await book(noa, slot(practice, IN_A_WEEK, '10:00'), { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      const [{ n }] = await db`select count(*)::int as n from public.appointments
        where patient_id = ${noa.id}`;
      expect(n).toBe(1);
      expect(await notificationsOf(practice.id)).toHaveLength(1);
    });

    it('answers simultaneous retries with one booking', async () => {
      const practice = await openPractice();
      const noa = await patient();
      const key = crypto.randomUUID();
      const answers = await Promise.all(
        Array.from(
          { length: 5 },
          () => book(noa, slot(practice, IN_A_WEEK, '10:00'), { 'Idempotency-Key': key }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    });

    it('refuses the key of another booking, and a key of another patient does not count', async () => {
      const practice = await openPractice();
      const noa = await patient();
      const key = crypto.randomUUID();
      expect(
        (await book(noa, slot(practice, IN_A_WEEK, '10:00'), { 'Idempotency-Key': key }))
          .status,
      ).toBe(201);
      const other = await book(noa, slot(practice, IN_A_WEEK, '10:00'), {});
      expect(other.status).toBe(409);
      const reused = await book(noa, slot(practice, IN_A_WEEK, '11:00'), {
        'Idempotency-Key': key,
      });
      expect(reused.status).toBe(409);
      expect(reused.body.error.message).toBe(
        'This Idempotency-Key was already used for another booking.',
      );
      const dan = await patient('Dan');
      const theirs = await book(dan, slot(practice, IN_A_WEEK, '10:00'), {
        'Idempotency-Key': key,
      });
      expect(theirs.status).toBe(409);
      expect(theirs.body.error.message).toBe(
        'Someone else has just booked this time. Please choose another slot.',
      );
    });
  });

  describe('under concurrency', () => {
    it('gives one slot to exactly one of 50 patients booking it at once', async () => {
      const practice = await openPractice();
      const patients = await Promise.all(Array.from({ length: 50 }, (_, i) => patient(`P${i}`)));
      const before = await writtenFor(practice, ...patients);
      const answers = await Promise.all(
        patients.map((p) => book(p, slot(practice, IN_A_WEEK, '09:00'))),
      );
      const statuses = answers.map((a) => a.status).sort();
      const outcome = JSON.stringify(answers.map((a) => a.body?.error?.code ?? a.status));
      expect(statuses.filter((s) => s === 201), outcome).toHaveLength(1);
      expect(statuses.filter((s) => s === 409), outcome).toHaveLength(49);
      for (const refused of answers.filter((a) => a.status === 409)) {
        expect(refused.body.error.code).toBe('conflict');
      }
      const winner = answers.find((a) => a.status === 201)!.body.id;
      const [{ n }] = await db`select count(*)::int as n from public.appointments
        where practitioner_id = ${practice.id}`;
      expect(n).toBe(1);
      const notes = await notificationsOf(practice.id);
      expect(notes.map((note) => note.data.appointment_id)).toEqual([winner]);
      expect(await writtenFor(practice, ...patients)).toEqual({
        appointments: before.appointments + 1,
        notifications: before.notifications + 1,
        conversations: before.conversations + 1,
        events: before.events + 3,
      });
    });

    it('lets one person hold only one of two overlapping slots booked at once', async () => {
      const [first, second] = [await openPractice(), await openPractice()];
      const noa = await patient();
      const answers = await Promise.all([
        book(noa, slot(first, IN_A_WEEK, '09:00')),
        book(noa, slot(second, IN_A_WEEK, '09:00')),
      ]);
      const outcome = JSON.stringify(answers.map((a) => a.body?.error ?? a.status));
      expect(answers.map((a) => a.status).sort(), outcome).toEqual([201, 409]);
      const refused = answers.find((a) => a.status === 409)!;
      expect(refused.body.error.message).toBe(
        'There is already an appointment for this person at this time.',
      );
      const [{ n }] = await db`select count(*)::int as n from public.appointments
        where patient_id = ${noa.id}`;
      expect(n).toBe(1);
      const [{ c }] = await db`select count(*)::int as c from public.conversations
        where patient_id = ${noa.id}`;
      expect(c).toBe(1);
    });

    it('lets a patient and their relative see the same practitioner at the same time elsewhere', async () => {
      const [first, second] = [await openPractice(), await openPractice()];
      const noa = await patient();
      const [relative] = await db`
        insert into public.relatives (user_id, first_name, last_name, relation)
        values (${noa.id}, 'Sarah', 'Cohen', 'child') returning id`;
      expect((await book(noa, slot(first, IN_A_WEEK, '09:00'))).status).toBe(201);
      expect(
        (await book(noa, { ...slot(second, IN_A_WEEK, '09:00'), relative_id: relative.id }))
          .status,
      ).toBe(201);
    });
  });
});

/** Inserts an appointment as the platform would have recorded it (no booking rules). */
async function recorded(
  practice: Practice,
  patientId: string,
  date: string,
  start: string,
  end: string,
  status = 'confirmed',
): Promise<string> {
  const [{ id }] = await db`
    insert into public.appointments
      (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
    values (${patientId}, ${practice.id}, ${date}, ${start}, ${end}, ${status}) returning id`;
  return id;
}

describe('GET /appointments/upcoming and /past', () => {
  it("splits my appointments and my relatives': live and not ended ahead, the rest behind", async () => {
    const practice = await openPractice();
    const noa = await patient();
    const [relative] = await db`
      insert into public.relatives (user_id, first_name, last_name, relation)
      values (${noa.id}, 'Sarah', 'Cohen', 'child') returning id`;
    const later = await recorded(practice, noa.id, israelDate(9), '10:00', '10:30', 'pending');
    const sooner = await recorded(practice, noa.id, israelDate(3), '10:00', '10:30');
    const [{ id: forRelative }] = await db`
      insert into public.appointments (patient_id, practitioner_id, relative_id,
        appointment_date, start_time, end_time, status)
      values (${noa.id}, ${practice.id}, ${relative.id}, ${israelDate(5)}, '10:00', '10:30',
        'confirmed') returning id`;
    const cancelled = await recorded(practice, noa.id, israelDate(4), '10:00', '10:30', 'pending');
    await db`update public.appointments set status = 'cancelled_by_practitioner'
      where id = ${cancelled}`;
    const ended = await recorded(practice, noa.id, israelDate(-2), '10:00', '10:30');
    const completed = await recorded(practice, noa.id, israelDate(-5), '10:00', '10:30');
    await db`update public.appointments set status = 'completed' where id = ${completed}`;
    const someoneElse = await patient('Dan');
    await recorded(practice, someoneElse.id, israelDate(3), '11:00', '11:30');

    const upcoming = await api(noa, 'GET', '/upcoming');
    expect(upcoming.status).toBe(200);
    expect(upcoming.body.map((a: { id: string }) => a.id)).toEqual([sooner, forRelative, later]);
    expect(upcoming.body[1].relatives).toEqual({
      id: relative.id,
      first_name: 'Sarah',
      last_name: 'Cohen',
    });
    expect(upcoming.body[0].practitioners).toMatchObject({
      address_line: null,
      zip_code: null,
      city: null,
      specialties: null,
    });

    const past = await api(noa, 'GET', '/past');
    expect(past.status).toBe(200);
    expect(past.body.map((a: { id: string }) => a.id)).toEqual([cancelled, ended, completed]);
    const page = await api(noa, 'GET', '/past?limit=1&offset=1&_t=123');
    expect(page.body.map((a: { id: string }) => a.id)).toEqual([ended]);
    expect((await api(someoneElse, 'GET', '/past')).body).toEqual([]);
  });

  it('carries the specialty in every language and the practitioner address', async () => {
    const practice = await openPractice();
    const [specialty] = await db`select id, name, name_fr, name_he, name_en, name_ru, name_am,
      name_es from public.specialties limit 1`;
    await db`update public.practitioners set specialty_id = ${specialty.id},
      address_line = '5 Herzl', zip_code = '61000', city = 'Tel Aviv' where id = ${practice.id}`;
    const noa = await patient();
    await recorded(practice, noa.id, israelDate(2), '10:00', '10:30');
    const [item] = (await api(noa, 'GET', '/upcoming')).body;
    const { id: _id, ...names } = specialty;
    expect(item.practitioners).toMatchObject({
      address_line: '5 Herzl',
      zip_code: '61000',
      city: 'Tel Aviv',
      specialties: names,
    });
  });

  it('refuses a limit beyond 50 and what is not a whole number', async () => {
    const noa = await patient();
    for (
      const query of [
        'limit=51',
        'limit=0',
        'limit=abc',
        'offset=-1',
        'limit=1.5',
        'limit=1e2',
        'offset=100001',
        'offset=x',
        'limit=-5',
        'limit=0x10',
      ]
    ) {
      const res = await api(noa, 'GET', `/past?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
  });
});

describe('GET /appointments/:id', () => {
  it('shows one of my appointments with the active instructions, in order', async () => {
    const practice = await openPractice();
    const noa = await patient();
    await db`insert into public.appointment_instructions (practitioner_id, title, content, sort_order, is_active)
      values (${practice.id}, 'Fasting', 'Eat nothing for 8 hours.', 2, true),
             (${practice.id}, 'Documents', 'Bring your referral.', 1, true),
             (${practice.id}, 'Old', 'No longer.', 0, false)`;
    const id = await recorded(practice, noa.id, israelDate(2), '10:00', '10:30');
    const res = await api(noa, 'GET', `/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    expect(res.body.appointment_questionnaires).toBeNull();
    expect(res.body.instructions.map((i: { title: string }) => i.title)).toEqual([
      'Documents',
      'Fasting',
    ]);
  });
});

describe('PATCH /appointments/:id/cancel', () => {
  it('cancels before the start, frees the slot at once and tells both sides', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const booked = await book(noa, slot(practice, IN_A_WEEK, '10:00'));
    const res = await api(noa, 'PATCH', `/${booked.body.id}/cancel`, {
      json: { cancellation_reason: 'I feel better' },
    });
    expect(res.status).toBe(204);
    const [row] = await db`select status::text, cancellation_reason, cancelled_at is not null as at
      from public.appointments where id = ${booked.body.id}`;
    expect(row).toEqual({
      status: 'cancelled_by_patient',
      cancellation_reason: 'I feel better',
      at: true,
    });
    expect((await notificationsOf(practice.id)).map((n) => n.type)).toEqual([
      'appointment_request',
      'appointment_cancelled',
    ]);
    expect((await notificationsOf(noa.id)).map((n) => n.type)).toEqual(['appointment_cancelled']);
    const [{ free }] = await db`select app.practitioner_slot_is_free(${practice.id},
      ${IN_A_WEEK}, '10:00', '10:30') as free`;
    expect(free).toBe(true);
    expect((await book(await patient(), slot(practice, IN_A_WEEK, '10:00'))).status).toBe(201);
  });

  it('takes no body at all, or a blank reason', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const first = await book(noa, slot(practice, IN_A_WEEK, '10:00'));
    expect((await api(noa, 'PATCH', `/${first.body.id}/cancel`)).status).toBe(204);
    const empty = await book(noa, slot(practice, IN_A_WEEK, '12:00'));
    const emptyJson = await api(noa, 'PATCH', `/${empty.body.id}/cancel`, {
      headers: { 'content-type': 'application/json' },
      body: '',
    });
    expect(emptyJson.status).toBe(204);
    const second = await book(noa, slot(practice, IN_A_WEEK, '11:00'));
    expect(
      (await api(noa, 'PATCH', `/${second.body.id}/cancel`, { json: { cancellation_reason: '' } }))
        .status,
    ).toBe(204);
    const rows = await db`select cancellation_reason from public.appointments
      where patient_id = ${noa.id}`;
    expect(rows).toEqual([
      { cancellation_reason: null },
      { cancellation_reason: null },
      { cancellation_reason: null },
    ]);
  });

  it('refuses twice, after the start, and once over, saying why, changing nothing', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const booked = await book(noa, slot(practice, IN_A_WEEK, '10:00'));
    await api(noa, 'PATCH', `/${booked.body.id}/cancel`);
    const started = await recorded(practice, noa.id, israelDate(-1), '10:00', '10:30');
    const completed = await recorded(practice, noa.id, israelDate(-2), '10:00', '10:30');
    await db`update public.appointments set status = 'completed' where id = ${completed}`;
    const cases: Array<[string, string]> = [
      [booked.body.id, 'This appointment was already cancelled.'],
      [started, 'This appointment has already started and can no longer be cancelled.'],
      [completed, 'This appointment is already completed.'],
    ];
    for (const [id, message] of cases) {
      const before = await writtenFor(noa, practice);
      const res = await api(noa, 'PATCH', `/${id}/cancel`, { json: {} });
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({ code: 'conflict', message, details: {} });
      expect(await writtenFor(noa, practice)).toEqual(before);
    }
  });
});

describe('who may see and do what', () => {
  it('keeps every appointment to its patient: others get 404, no token 401', async () => {
    const practice = await openPractice();
    const colleague = await openPractice();
    const owner = await patient();
    const stranger = await patient('Dan');
    const admin = await createUser({ role: 'admin' });
    const id = await recorded(practice, owner.id, israelDate(2), '10:00', '10:30');

    const readers: Array<[string, TestUser | undefined, number]> = [
      ['owner', owner, 200],
      ['another patient', stranger, 404],
      ["the appointment's practitioner", practice.user, 404],
      ['another practitioner', colleague.user, 404],
      ['an admin', admin, 404],
      ['no token', undefined, 401],
    ];
    for (const [who, user, status] of readers) {
      const res = await api(user, 'GET', `/${id}`);
      expect(res.status, who).toBe(status);
      if (status !== 200) expect(JSON.stringify(res.body), who).not.toContain(owner.id);
      const lists = await Promise.all([api(user, 'GET', '/upcoming'), api(user, 'GET', '/past')]);
      for (const list of lists) {
        if (user === undefined) expect(list.status).toBe(401);
        else if (user !== owner) expect(JSON.stringify(list.body), who).not.toContain(id);
      }
      const admin_ = await api(user, 'GET', `/${id}?practitioner_id=${practice.id}`);
      expect(admin_.status, who).toBe(status);
    }
    expect((await api(owner, 'GET', '/upcoming')).body.map((a: { id: string }) => a.id)).toEqual([
      id,
    ]);

    const cancellers: Array<[string, TestUser | undefined, number]> = [
      ['another patient', stranger, 404],
      ["the appointment's practitioner", practice.user, 404],
      ['another practitioner', colleague.user, 404],
      ['an admin', admin, 404],
      ['no token', undefined, 401],
      ['owner', owner, 204],
    ];
    for (const [who, user, status] of cancellers) {
      const res = await api(user, 'PATCH', `/${id}/cancel`, { json: {} });
      expect(res.status, who).toBe(status);
    }
    expect((await api(undefined, 'POST', '', { json: slot(practice, IN_A_WEEK, '10:00') })).status)
      .toBe(401);
  });
});

describe('bad input', () => {
  it('answers 400 in the contract shape to every malformed booking, writing nothing', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const good = slot(practice, IN_A_WEEK, '10:00');
    const bodies: Array<[string, unknown]> = [
      ['no practitioner', { ...good, practitioner_id: undefined }],
      ['a malformed practitioner id', { ...good, practitioner_id: 'abc' }],
      ['a number as practitioner', { ...good, practitioner_id: 42 }],
      ['a malformed relative id', { ...good, relative_id: 'x' }],
      ['a malformed reason id', { ...good, reason_id: 12 }],
      ['no date', { ...good, appointment_date: undefined }],
      ['an impossible date', { ...good, appointment_date: '2027-02-30' }],
      ['a date in another format', { ...good, appointment_date: '10/02/2027' }],
      ['an impossible time', { ...good, start_time: '25:00' }],
      ['HH:MM:SS that is not a time', { ...good, start_time: '10:61:00' }],
      ['a time with seconds out of range', { ...good, end_time: '10:30:99' }],
      ['an end before the start', { ...good, end_time: '09:30' }],
      ['visited_before as text', { ...good, visited_before: 'yes' }],
      ['an address too long', { ...good, patient_address_line: 'x'.repeat(201) }],
      ['a number as the city', { ...good, patient_city: 42 }],
      ['an array', [good]],
      ['null', null],
    ];
    const before = await writtenFor(noa, practice);
    for (const [name, body] of bodies) {
      const res = await book(noa, body);
      expect(res.status, name).toBe(400);
      expect(res.body.error.code, name).toMatch(/^(validation_error|bad_request)$/);
      expect(res.body.error.message, name).toMatch(/^[A-Z].*\.$/);
    }
    const typed = await book(noa, { ...good, patient_city: 42, appointment_date: 20270101 });
    expect(typed.body.error.details.fieldErrors).toEqual({
      appointment_date: ['Use a real date in the format YYYY-MM-DD.'],
      patient_city: ['Use text for this field.'],
    });
    const raw = await api(noa, 'POST', '', {
      body: '{"practitioner_id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.status).toBe(400);
    const text = await api(noa, 'POST', '', {
      body: 'practitioner_id=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const key = await book(noa, good, { 'Idempotency-Key': 'k'.repeat(201) });
    expect(key.status).toBe(400);
    expect(await writtenFor(noa, practice)).toEqual(before);
  });

  it('answers 401 in the contract shape to every refused token, on every endpoint, writing nothing', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const booked = await book(noa, slot(practice, IN_A_WEEK, '10:00'));
    const before = await writtenFor(noa, practice);
    const calls: Array<[string, string, CallOptions]> = [
      ['POST', '', { json: slot(practice, IN_A_WEEK, '11:00') }],
      ['GET', '/upcoming', {}],
      ['GET', '/past', {}],
      ['GET', `/${booked.body.id}`, {}],
      ['PATCH', `/${booked.body.id}/cancel`, { json: {} }],
    ];
    for (const [name, headers] of await refusedTokens(noa)) {
      for (const [method, path, options] of calls) {
        const res = await call(app, method, `/appointments${path}`, { ...options, headers });
        expect(res.status, `${name}: ${method} ${path}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
    expect(await writtenFor(noa, practice)).toEqual(before);
  });

  it('answers 400 to malformed ids and cancellation bodies, and 404 to unknown ones', async () => {
    const noa = await patient();
    const malformed = [
      '/abc',
      '/123',
      `/${crypto.randomUUID()}x`,
      `/${crypto.randomUUID().slice(0, 35)}`,
      `/{${crypto.randomUUID()}}`,
      '/null',
      '/undefined',
      `/${'a'.repeat(300)}`,
      `/${crypto.randomUUID().replaceAll('-', '')}x`,
      '/%20',
    ];
    for (const path of malformed) {
      expect((await api(noa, 'GET', path)).status, path).toBe(400);
      expect((await api(noa, 'PATCH', `${path}/cancel`, { json: {} })).status, path).toBe(400);
    }
    expect((await api(noa, 'GET', `/${crypto.randomUUID()}`)).status).toBe(404);
    const practice = await openPractice();
    const booked = await book(noa, slot(practice, IN_A_WEEK, '10:00'));
    const before = await writtenFor(noa, practice);
    const bodies: unknown[] = [
      { cancellation_reason: 42 },
      { cancellation_reason: 'x'.repeat(1001) },
      { cancellation_reason: ['a'] },
      [],
      'text',
      42,
      { cancellation_reason: { text: 'x' } },
      { cancellation_reason: true },
      { cancellation_reason: 1.5 },
      { cancellation_reason: 'x'.repeat(5000) },
    ];
    for (const json of bodies) {
      const res = await api(noa, 'PATCH', `/${booked.body.id}/cancel`, { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    const wrongType = await api(noa, 'PATCH', `/${booked.body.id}/cancel`, {
      body: 'reason',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    expect(await writtenFor(noa, practice)).toEqual(before);
  });
});

describe('a slot that ends at midnight', () => {
  it('is booked with the end time 24:00', async () => {
    const practice = await openPractice({ start: '00:00', end: '24:00', minutes: 60 });
    expect((await book(await patient(), slot(practice, TOMORROW, '23:00', 60))).status).toBe(201);
  });
});
