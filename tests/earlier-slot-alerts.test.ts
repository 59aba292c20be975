import { describe, expect, it } from 'vitest';
import { app } from '../functions/appointments/app.ts';
import { app as crmApp } from '../functions/crm/app.ts';
import { db } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { israelDate, openPractice, type Practice } from './helpers/practice.ts';
import { expectRefusal, MALFORMED_IDS } from './helpers/refusals.ts';
import { createUser, type TestUser } from './helpers/users.ts';

const api = (user: TestUser | undefined, method: string, path: string, options: CallOptions = {}) =>
  call(app, method, `/appointments${path}`, { token: user?.token, ...options });

const patient = (firstName = 'Noa', locale?: string) =>
  createUser({ firstName, lastName: 'Cohen' }).then(async (user) => {
    if (locale) {
      await db`insert into public.user_settings (user_id, locale) values (${user.id}, ${locale})`;
    }
    return user;
  });

const slotAt = (date: string, start: string) => {
  const [h, m] = start.split(':').map(Number);
  const end = h * 60 + m + 30;
  const hhmm = (t: number) =>
    `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
  return { appointment_date: date, start_time: `${start}:00`, end_time: `${hhmm(end)}:00` };
};

async function booked(practice: Practice, person: TestUser, date: string, start: string) {
  const res = await api(person, 'POST', '', {
    json: {
      practitioner_id: practice.id,
      relative_id: null,
      reason_id: null,
      ...slotAt(date, start),
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const alertOn = async (person: TestUser, id: string) => {
  const res = await api(person, 'POST', `/${id}/earlier-alert`, { json: { enabled: true } });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ enabled: true });
};

async function earlierSlotNotifications(userId: string) {
  const rows = await db<{ title: string; body: string; data: Record<string, string> }[]>`
    select title, body, data from public.notifications
    where user_id = ${userId} and type = 'earlier_slot_available' order by created_at, id`;
  return rows.map((r) => ({ ...r }));
}

/** What the alert routes may write for these people. */
async function writtenFor(...people: Array<{ id: string }>) {
  const ids = people.map((p) => p.id);
  const [counts] = await db`
    select
      (select count(*)::int from public.earlier_slot_alerts where patient_id = any(${ids}::uuid[]))
        as alerts,
      (select count(*)::int from public.notifications where user_id = any(${ids}::uuid[]))
        as notifications,
      (select count(*)::int from private.events where user_id = any(${ids}::uuid[])) as events`;
  return { ...counts };
}

const D = (n: number) => israelDate(n);

/** What a refused request is expected to answer. */
interface Outcome {
  id?: string;
  options: CallOptions;
  status: number;
}

describe('GET and POST /appointments/:id/earlier-alert', () => {
  it('is off until turned on, and off again', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const id = await booked(practice, noa, D(5), '10:00');
    expect((await api(noa, 'GET', `/${id}/earlier-alert`)).body).toEqual({ enabled: false });
    await alertOn(noa, id);
    // Again: still one alert.
    await alertOn(noa, id);
    expect((await api(noa, 'GET', `/${id}/earlier-alert`)).body).toEqual({ enabled: true });
    const [{ n }] = await db`select count(*)::int as n from public.earlier_slot_alerts
      where appointment_id = ${id}`;
    expect(n).toBe(1);
    const off = await api(noa, 'POST', `/${id}/earlier-alert`, { json: { enabled: false } });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ enabled: false });
    expect((await api(noa, 'GET', `/${id}/earlier-alert`)).body).toEqual({ enabled: false });
  });

  it('reads as off once the appointment is cancelled', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const id = await booked(practice, noa, D(5), '10:00');
    await alertOn(noa, id);
    expect((await api(noa, 'PATCH', `/${id}/cancel`)).status).toBe(204);
    expect((await api(noa, 'GET', `/${id}/earlier-alert`)).body).toEqual({ enabled: false });
    // Turning it off still works.
    const off = await api(noa, 'POST', `/${id}/earlier-alert`, { json: { enabled: false } });
    expect(off.body).toEqual({ enabled: false });
  });

  describe('who may read or set it', () => {
    it.each([
      ['patient B', 404],
      ['practitioner X (the appointment’s)', 404],
      ['practitioner Y', 404],
      ['admin', 404],
      ['admin naming the practitioner', 404],
      ['no token', 401],
    ])('%s: %i for both, nothing written', async (who, status) => {
      const practice = await openPractice();
      const noa = await patient();
      const id = await booked(practice, noa, D(5), '10:00');
      const callers: Record<string, TestUser | undefined> = {
        'patient B': await patient('Bea'),
        'practitioner X (the appointment’s)': practice.user,
        'practitioner Y': await createUser({ role: 'practitioner' }),
        admin: await createUser({ role: 'admin' }),
        'admin naming the practitioner': await createUser({ role: 'admin' }),
        'no token': undefined,
      };
      const caller = callers[who];
      const query = who === 'admin naming the practitioner'
        ? `?practitioner_id=${practice.id}`
        : '';
      const people = [noa, practice.user, ...(caller ? [caller] : [])];
      const before = await writtenFor(...people);
      expectRefusal(await api(caller, 'GET', `/${id}/earlier-alert${query}`), status, who);
      for (const enabled of [true, false]) {
        const res = await api(caller, 'POST', `/${id}/earlier-alert${query}`, {
          json: { enabled },
        });
        expectRefusal(res, status, who);
      }
      expect(await writtenFor(...people)).toEqual(before);
    });

    it('patient A, the owner: 200 for both', async () => {
      const practice = await openPractice();
      const noa = await patient();
      const id = await booked(practice, noa, D(5), '10:00');
      expect((await api(noa, 'GET', `/${id}/earlier-alert`)).status).toBe(200);
      expect((await api(noa, 'POST', `/${id}/earlier-alert`, { json: { enabled: true } })).status)
        .toBe(200);
    });
  });

  describe('refuses bad input and writes nothing', () => {
    const cases: Array<
      [
        string,
        (ctx: { id: string; practice: Practice; noa: TestUser }) => Outcome | Promise<Outcome>,
      ]
    > = [
      ['no body', () => ({ options: {}, status: 400 })],
      [
        'a body that is not JSON',
        () => ({
          options: { body: '{"enabled":', headers: { 'content-type': 'application/json' } },
          status: 400,
        }),
      ],
      [
        'plain text',
        () => ({
          options: { body: 'true', headers: { 'content-type': 'text/plain' } },
          status: 415,
        }),
      ],
      ['no enabled', () => ({ options: { json: {} }, status: 400 })],
      ['enabled as text', () => ({ options: { json: { enabled: 'yes' } }, status: 400 })],
      ['enabled as a number', () => ({ options: { json: { enabled: 1 } }, status: 400 })],
      ['enabled null', () => ({ options: { json: { enabled: null } }, status: 400 })],
      ['a list', () => ({ options: { json: [true] }, status: 400 })],
      [
        'a cancelled appointment',
        async ({ id }) => {
          await db`update public.appointments set status = 'cancelled_by_patient' where id = ${id}`;
          return { options: { json: { enabled: true } }, status: 400 };
        },
      ],
      [
        'an appointment that is over',
        async ({ practice, noa }) => {
          const [{ id }] = await db`
            insert into public.appointments (patient_id, practitioner_id, appointment_date,
              start_time, end_time, status)
            values (${noa.id}, ${practice.id}, ${D(-3)}, '10:00', '10:30', 'confirmed')
            returning id`;
          return { id, options: { json: { enabled: true } }, status: 400 };
        },
      ],
      [
        'an unknown appointment',
        () => ({
          id: crypto.randomUUID(),
          options: { json: { enabled: true } },
          status: 404,
        }),
      ],
      ...MALFORMED_IDS.slice(0, 3).map((bad): typeof cases[number] => [
        `the malformed id ${bad}`,
        () => ({ id: bad, options: { json: { enabled: true } }, status: 400 }),
      ]),
    ];

    it.each(cases)('%s', async (_what, arrange) => {
      const practice = await openPractice();
      const noa = await patient();
      const own = await booked(practice, noa, D(5), '10:00');
      const c = await arrange({ id: own, practice, noa });
      const before = await writtenFor(noa, practice.user);
      const res = await api(
        noa,
        'POST',
        `/${encodeURIComponent(c.id ?? own)}/earlier-alert`,
        c.options,
      );
      expectRefusal(res, c.status);
      expect(await writtenFor(noa, practice.user)).toEqual(before);
    });
  });
});

describe('the earlier-slot notification', () => {
  /** A practice with one freed appointment at `freedDay` 10:00 and alerts on later ones. */
  async function scene() {
    const practice = await openPractice({ firstName: 'Dov', lastName: 'Levi' });
    const leaving = await patient('Lea');
    const freed = await booked(practice, leaving, D(3), '10:00');
    const hebrew = await patient('Hana', 'he');
    const russian = await patient('Rita', 'ru');
    const silent = await patient('Sam');
    const earlier = await patient('Eli');
    const later1 = await booked(practice, hebrew, D(10), '09:00');
    const later2 = await booked(practice, russian, D(12), '09:00');
    await booked(practice, silent, D(11), '09:00');
    const before = await booked(practice, earlier, D(2), '09:00');
    await alertOn(hebrew, later1);
    await alertOn(russian, later2);
    await alertOn(earlier, before);
    return { practice, leaving, freed, hebrew, russian, silent, earlier, later1, later2 };
  }

  it('tells every patient with an alert on a later appointment, once, in their language', async () => {
    const s = await scene();
    expect((await api(s.leaving, 'PATCH', `/${s.freed}/cancel`)).status).toBe(204);
    const he = await earlierSlotNotifications(s.hebrew.id);
    const ru = await earlierSlotNotifications(s.russian.id);
    expect(he).toEqual([{
      title: 'התפנה תור מוקדם יותר',
      body: expect.stringContaining('Dov Levi'),
      data: { appointment_id: s.later1, practitioner_id: s.practice.id, freed_date: D(3) },
    }]);
    expect(ru).toEqual([{
      title: 'Освободилось более раннее время',
      body: expect.stringContaining('Dov Levi'),
      data: { appointment_id: s.later2, practitioner_id: s.practice.id, freed_date: D(3) },
    }]);
    // Nobody without an alert, nobody whose appointment comes before the freed slot.
    expect(await earlierSlotNotifications(s.silent.id)).toEqual([]);
    expect(await earlierSlotNotifications(s.earlier.id)).toEqual([]);
    expect(await earlierSlotNotifications(s.leaving.id)).toEqual([]);
    // The notification centre lists it as the app reads it.
    const listed = await call(
      (await import('../functions/notifications/app.ts')).app,
      'GET',
      '/notifications',
      { token: s.hebrew.token },
    );
    expect(listed.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'earlier_slot_available' })]),
    );
  });

  it('at most once per alert and freed day, again for another day', async () => {
    const s = await scene();
    const other = await booked(s.practice, await patient('Ora'), D(3), '11:00');
    const third = await booked(s.practice, await patient('Tal'), D(4), '11:00');
    expect((await api(s.leaving, 'PATCH', `/${s.freed}/cancel`)).status).toBe(204);
    await db`update public.appointments set status = 'cancelled_by_practitioner' where id = ${other}`;
    expect(await earlierSlotNotifications(s.hebrew.id)).toHaveLength(1);
    await db`update public.appointments set status = 'cancelled_by_practitioner' where id = ${third}`;
    const he = await earlierSlotNotifications(s.hebrew.id);
    expect(he.map((n) => n.data.freed_date)).toEqual([D(3), D(4)]);
  });

  it('tells them when an appointment is moved away, the mover excluded', async () => {
    const s = await scene();
    await alertOn(s.leaving, s.freed);
    const res = await api(s.leaving, 'PATCH', `/${s.freed}/reschedule`, {
      json: slotAt(D(20), '10:00'),
    });
    expect(res.status).toBe(200);
    expect(await earlierSlotNotifications(s.hebrew.id)).toHaveLength(1);
    expect(await earlierSlotNotifications(s.leaving.id)).toEqual([]);
  });

  it('tells nobody when the freed slot is taken again in the same transaction', async () => {
    const s = await scene();
    const taker = await patient('Tom');
    await db.begin(async (tx) => {
      await tx`update public.appointments set status = 'cancelled_by_practitioner'
        where id = ${s.freed}`;
      await tx`insert into public.appointments (patient_id, practitioner_id, appointment_date,
        start_time, end_time) values (${taker.id}, ${s.practice.id}, ${D(3)}, '10:00', '10:30')`;
    });
    expect(await earlierSlotNotifications(s.hebrew.id)).toEqual([]);
    expect(await earlierSlotNotifications(s.russian.id)).toEqual([]);
  });

  it('tells nobody for a time the practitioner does not offer, nor for a rolled-back cancellation', async () => {
    const s = await scene();
    // A visit the practice entered at 07:00, outside its hours.
    const crm = await call(crmApp, 'POST', '/crm/appointments', {
      token: s.practice.user.token,
      json: {
        patient: { first_name: 'Walk', last_name: 'In', phone: '050-1234567' },
        reason_id: null,
        appointment_date: D(3),
        start_time: '07:00',
        end_time: '07:30',
        status: 'confirmed',
      },
    });
    expect(crm.status).toBe(201);
    const cancel = await call(crmApp, 'PATCH', `/crm/appointments/${crm.body.id}/cancel`, {
      token: s.practice.user.token,
    });
    expect(cancel.status).toBe(204);
    await db.begin(async (tx) => {
      await tx`update public.appointments set status = 'cancelled_by_practitioner'
        where id = ${s.freed}`;
      throw new Error('rolled back');
    }).catch((e) => expect(e.message).toBe('rolled back'));
    expect(await earlierSlotNotifications(s.hebrew.id)).toEqual([]);
  });

  it('is written in the transaction of the cancellation', async () => {
    const s = await scene();
    const [seen] = await db.begin(async (tx) => {
      await tx`update public.appointments set status = 'cancelled_by_practitioner'
        where id = ${s.freed}`;
      // The trigger is deferred to the commit: nothing yet inside the transaction.
      const inside = await tx`select count(*)::int as n from public.notifications
        where user_id = ${s.hebrew.id} and type = 'earlier_slot_available'`;
      return inside;
    });
    expect(seen.n).toBe(0);
    expect(await earlierSlotNotifications(s.hebrew.id)).toHaveLength(1);
  });
});
