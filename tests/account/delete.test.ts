import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { app as account } from '../../functions/account/app.ts';
import { app as crm } from '../../functions/crm/app.ts';
import { app as health } from '../../functions/health/app.ts';
import { app as notifications } from '../../functions/notifications/app.ts';
import { app as profile } from '../../functions/profile/app.ts';
import { app as relatives } from '../../functions/relatives/app.ts';
import { app as settings } from '../../functions/settings/app.ts';
import { db } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { jpeg, png } from '../helpers/images.ts';
import {
  arrange,
  book,
  daysFromToday,
  notificationsAbout,
  patient,
  practitioner,
  signedIn,
} from '../helpers/lifecycle.ts';
import { badAuthorizations, expectRefusal } from '../helpers/refusals.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

const storageDir = inject('storageDir');

/** Every file under the user's folder of pictures, relative to it. */
async function picturesOf(userId: string): Promise<string[]> {
  try {
    const entries = await readdir(path.join(storageDir, 'avatars', userId), { recursive: true });
    return entries.filter((e) => /\.(png|jpg|webp)$/.test(e)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

const deleteAccount = (user: TestUser | undefined, headers: Record<string, string> = {}) =>
  call(account, 'DELETE', '/account', { token: user?.token, headers });

function form(bytes: Uint8Array<ArrayBuffer>) {
  const body = new FormData();
  body.append('avatar', new Blob([bytes], { type: 'application/octet-stream' }), 'photo.jpg');
  return body;
}

/** A time zone where it is now between 01:00 and 22:00, with today's date and time there. */
function middayZone(): { zone: string; date: string; minutes: number } {
  for (const zone of ['UTC', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Tokyo']) {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).formatToParts(new Date()).map((p) => [p.type, p.value]),
    );
    const minutes = Number(parts.hour) * 60 + Number(parts.minute);
    if (minutes >= 60 && minutes <= 22 * 60) {
      return { zone, date: `${parts.year}-${parts.month}-${parts.day}`, minutes };
    }
  }
  throw new Error('no zone at midday');
}

const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * A patient with everything the app lets them keep: pictures, a relative with an ID number and
 * a picture, health records, settings, a device, a card, a payment, a review, a conversation,
 * and appointments with two practices: history, bookings ahead, one under way and one the
 * practice never closed.
 */
async function fullAccount() {
  const user = await patient('Dana', 'Levi');
  const doc = await practitioner({ firstName: 'Avi', lastName: 'Katz' });
  const now = middayZone();
  const other = await practitioner({ timeZone: now.zone, hours: null });

  expect(
    (await call(profile, 'POST', '/profile/avatar', { token: user.token, body: form(png()) }))
      .status,
  ).toBe(200);
  const relative = await call(relatives, 'POST', '/relatives', {
    token: user.token,
    json: { first_name: 'Noa', last_name: 'Levi', relation: 'child', teudat_zehut: '039337423' },
  });
  const relativeId: string = relative.body.id;
  expect(
    (await call(relatives, 'POST', `/relatives/${relativeId}/avatar`, {
      token: user.token,
      body: form(jpeg()),
    })).status,
  ).toBe(200);
  expect(
    (await call(health, 'PUT', '/health/profile', {
      token: user.token,
      json: { teudat_zehut: '123456782', blood_type: 'A+' },
    })).status,
  ).toBe(200);
  expect(
    (await call(health, 'POST', '/health/conditions', {
      token: user.token,
      json: { name: 'Asthma' },
    })).status,
  ).toBe(201);
  expect(
    (await call(settings, 'PATCH', '/settings', { token: user.token, json: { locale: 'he' } }))
      .status,
  ).toBe(200);
  expect(
    (await call(notifications, 'POST', '/notifications/push-tokens', {
      token: user.token,
      json: { token: `device-${crypto.randomUUID()}`, platform: 'ios' },
    })).status,
  ).toBeLessThan(300);
  await signedIn(user, (tx) => tx`select app.add_payment_method('Visa', '4242', 12, 2040)`);

  const past = await arrange({
    patientId: user.id,
    practitionerId: doc.id,
    date: daysFromToday(-10),
    start: '09:00',
    end: '09:30',
    status: 'completed',
  });
  await db`insert into public.reviews (appointment_id, practitioner_id, patient_id, rating, comment)
    values (${past}, ${doc.id}, ${user.id}, 5, 'Very kind')`;
  await db`insert into public.payment_transactions (user_id, appointment_id, amount_agorot, description)
    values (${user.id}, ${past}, 15000, 'Consultation')`;
  const ahead = await book(user, {
    practitioner_id: doc.id,
    appointment_date: daysFromToday(5),
    start_time: '09:00',
    end_time: '09:30',
  });
  const aheadForRelative = await book(user, {
    practitioner_id: doc.id,
    appointment_date: daysFromToday(6),
    start_time: '10:00',
    end_time: '10:30',
    relative_id: relativeId,
  });
  await db`update public.appointments set status = 'confirmed' where id = ${aheadForRelative}`;
  const [conversation] = await db`select id from public.conversations
    where patient_id = ${user.id} and practitioner_id = ${doc.id}`;
  await db`insert into public.messages (conversation_id, sender_id, content)
    values (${conversation.id}, ${user.id}, 'Hello doctor')`;
  const neverClosed = await arrange({
    patientId: user.id,
    practitionerId: other.id,
    date: daysFromToday(-3),
    start: '11:00',
    end: '11:30',
    status: 'confirmed',
  });
  const underWay = await arrange({
    patientId: user.id,
    relativeId,
    practitionerId: other.id,
    date: now.date,
    start: clock(now.minutes - 10),
    end: clock(now.minutes + 20),
    status: 'confirmed',
  });
  return { user, doc, other, relativeId, past, ahead, aheadForRelative, neverClosed, underWay };
}

/** How many rows of each kind concern `userId`: all zero once the account is deleted. */
async function personalRows(userId: string) {
  const [row] = await db`
    select
      (select count(*)::int from auth.users where id = ${userId}) as auth_users,
      (select count(*)::int from public.profiles where id = ${userId}) as profiles,
      (select count(*)::int from public.relatives where user_id = ${userId}) as relatives,
      (select count(*)::int from public.user_settings where user_id = ${userId}) as settings,
      (select count(*)::int from public.health_profiles where user_id = ${userId}) as health_profiles,
      (select count(*)::int from public.health_conditions where user_id = ${userId})
        as health_conditions,
      (select count(*)::int from public.push_tokens where user_id = ${userId}) as push_tokens,
      (select count(*)::int from public.payment_methods where user_id = ${userId}) as payment_methods,
      (select count(*)::int from public.payment_transactions where user_id = ${userId}) as payments,
      (select count(*)::int from public.notifications where user_id = ${userId}) as notifications,
      (select count(*)::int from public.reviews where patient_id = ${userId}) as reviews,
      (select count(*)::int from public.conversations where patient_id = ${userId}) as conversations,
      (select count(*)::int from public.messages where sender_id = ${userId}) as messages,
      (select count(*)::int from public.appointments where patient_id = ${userId}) as appointments,
      (select count(*)::int from private.events where user_id = ${userId}) as events`;
  return { ...row };
}

/** Everything that concerns a user, as text: a refused deletion leaves it as it was. */
async function everythingOf(userId: string) {
  const [row] = await db`
    select (select p::text from public.profiles p where p.id = ${userId}) as profile,
           (select count(*)::int from auth.users where id = ${userId}) as auth_user,
           (select pr::text from public.practitioners pr where pr.id = ${userId}) as practitioner,
           (select coalesce(string_agg(a::text, '|' order by a.id), '') from public.appointments a
            where a.patient_id = ${userId} or a.practitioner_id = ${userId}) as appointments,
           (select count(*)::int from public.notifications where user_id = ${userId})
             as notifications,
           (select count(*)::int from private.events where user_id = ${userId}) as events`;
  return { ...row };
}

const appointment = async (id: string) =>
  (await db`select patient_id, relative_id, patient_deleted_at, status::text
    from public.appointments where id = ${id}`)[0];

describe('DELETE /account', () => {
  it('deletes the account and the personal data, keeps the practices\' history as "deleted patient"', async () => {
    const a = await fullAccount();
    expect(await picturesOf(a.user.id)).toHaveLength(2);
    const before = await personalRows(a.user.id);
    expect(Object.values(before).every((n) => n > 0)).toBe(true);

    const res = await deleteAccount(a.user);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();

    expect(Object.values(await personalRows(a.user.id)).every((n) => n === 0)).toBe(true);
    expect(await picturesOf(a.user.id)).toEqual([]);
    const [{ n: sealed }] = await db`select count(*)::int as n from public.relatives
      where id = ${a.relativeId}`;
    expect(sealed).toBe(0);

    // The appointments ahead were cancelled by the patient, then detached like the rest.
    for (const id of [a.ahead, a.aheadForRelative]) {
      expect(await appointment(id)).toEqual({
        patient_id: null,
        relative_id: null,
        patient_deleted_at: expect.any(Date),
        status: 'cancelled_by_patient',
      });
    }
    // History, one under way and one never closed stay as they were, for the practice.
    expect(await appointment(a.past)).toMatchObject({ patient_id: null, status: 'completed' });
    expect(await appointment(a.neverClosed)).toMatchObject({
      patient_id: null,
      status: 'confirmed',
    });
    expect(await appointment(a.underWay)).toMatchObject({
      patient_id: null,
      relative_id: null,
      status: 'confirmed',
    });
  });

  it("tells the practitioner of each cancellation, by the patient's name, as any cancellation", async () => {
    const a = await fullAccount();
    await deleteAccount(a.user);
    for (const id of [a.ahead, a.aheadForRelative]) {
      const told = await notificationsAbout(id);
      expect(told).toEqual([
        expect.objectContaining({ user_id: a.doc.id, type: 'appointment_request' }),
        expect.objectContaining({
          user_id: a.doc.id,
          type: 'appointment_cancelled',
          data: { appointment_id: id, patient_id: a.user.id },
        }),
      ]);
      expect(told[1].body).toMatch(id === a.ahead ? /Dana Levi/ : /Noa Levi/);
      const [pushed] = await db`select count(*)::int as n from private.push_deliveries
        where notification_id = ${told[1].id}`;
      expect(pushed.n).toBe(1);
      const events = await db`select user_id, event from private.events
        where payload ->> 'id' = ${id} and payload ->> 'status' = 'cancelled_by_patient'`;
      expect(events.map((e) => e.user_id)).toContain(a.doc.id);
    }
  });

  it('shows the practice "deleted patient" in its reader\'s language, and lets it close what is open', async () => {
    const a = await fullAccount();
    await deleteAccount(a.user);
    await db`insert into public.user_settings (user_id, locale) values (${a.doc.id}, 'en')
      on conflict (user_id) do update set locale = 'en'`;
    const list = await call(crm, 'GET', '/crm/appointments?limit=500', { token: a.doc.token });
    expect(list.status).toBe(200);
    const past = list.body.appointments.find((x: { id: string }) => x.id === a.past);
    // The practice keeps its record of the patient, now a draft of its own.
    const [record] = await db`select auth_user_id from public.patient_records
      where id = ${past.patient_record_id}`;
    expect(record).toEqual({ auth_user_id: null });
    expect(past).toMatchObject({
      patient_id: null,
      status: 'completed',
      relatives: null,
      profiles: {
        id: null,
        first_name: 'Deleted patient',
        last_name: null,
        phone: null,
        avatar_url: null,
      },
    });
    // The other practice reads French (no settings: the default).
    const detail = await call(crm, 'GET', `/crm/appointments/${a.neverClosed}`, {
      token: a.other.token,
    });
    expect(detail.body.profiles.first_name).toBe('Patient supprimé');
    // Closing them tells nobody on the patient's side, and fails nothing.
    const closed = await call(crm, 'PATCH', `/crm/appointments/${a.neverClosed}/complete`, {
      token: a.other.token,
      json: {},
    });
    expect(closed.status).toBe(204);
    expect(await appointment(a.neverClosed)).toMatchObject({ status: 'completed' });
    expect((await notificationsAbout(a.neverClosed)).map((n) => n.user_id)).toEqual([a.other.id]);
    const cancelled = await call(crm, 'PATCH', `/crm/appointments/${a.underWay}/cancel`, {
      token: a.other.token,
      json: {},
    });
    expect(cancelled.status).toBe(204);
    expect(await appointment(a.underWay)).toMatchObject({ status: 'cancelled_by_practitioner' });
  });

  it('ends the token at once, and the address can sign up again', async () => {
    const user = await createUser();
    expect((await deleteAccount(user)).status).toBe(204);
    const res = await call(profile, 'GET', '/profile', { token: user.token });
    expectRefusal(res, 401);
    expect(res.body.error.message).toBe('Your account no longer exists.');
    expectRefusal(await deleteAccount(user), 401);
    const [again] = await db`insert into auth.users (email) values (${user.email}) returning id`;
    const [fresh] = await db`select email, role::text from public.profiles where id = ${again.id}`;
    expect(fresh).toEqual({ email: user.email, role: 'patient' });
  });

  it('leaves other patients of the same practice as they were', async () => {
    const a = await fullAccount();
    const neighbour = await patient('Ruth', 'Ben');
    const theirs = await book(neighbour, {
      practitioner_id: a.doc.id,
      appointment_date: daysFromToday(5),
      start_time: '10:00',
      end_time: '10:30',
    });
    const before = await everythingOf(neighbour.id);
    await deleteAccount(a.user);
    expect(await everythingOf(neighbour.id)).toEqual(before);
    expect(await appointment(theirs)).toMatchObject({
      patient_id: neighbour.id,
      status: 'pending',
    });
  });

  it('answers two deletions at once with 204 each', async () => {
    const user = await createUser();
    const answers = await Promise.all([deleteAccount(user), deleteAccount(user)]);
    for (const res of answers) expect([204, 401]).toContain(res.status);
    expect(answers.some((res) => res.status === 204)).toBe(true);
    expect((await personalRows(user.id)).auth_users).toBe(0);
  });

  it('deletes a practitioner whose practice has no appointment, with the practice', async () => {
    const doc = await practitioner();
    expect((await deleteAccount(doc)).status).toBe(204);
    const [{ n }] =
      await db`select count(*)::int as n from public.practitioners where id = ${doc.id}`;
    expect(n).toBe(0);
  });

  it('refuses a practitioner whose practice has appointments (409) and writes nothing', async () => {
    const doc = await practitioner();
    const someone = await patient();
    await arrange({
      patientId: someone.id,
      practitionerId: doc.id,
      date: daysFromToday(-30),
      start: '09:00',
      end: '09:30',
      status: 'completed',
    });
    const before = [await everythingOf(doc.id), await everythingOf(someone.id)];
    const res = await deleteAccount(doc);
    expectRefusal(res, 409);
    expect(res.body.error.message).toMatch(/patients' history/);
    expect([await everythingOf(doc.id), await everythingOf(someone.id)]).toEqual(before);
  });

  it('refuses an admin account (409) and writes nothing', async () => {
    const boss = await createUser({ role: 'admin' });
    const before = await everythingOf(boss.id);
    expectRefusal(await deleteAccount(boss), 409);
    expect(await everythingOf(boss.id)).toEqual(before);
  });

  it('treats a deletion by the platform (the dashboard, the Admin API) the same way', async () => {
    const a = await fullAccount();
    await db`delete from auth.users where id = ${a.user.id}`;
    expect(await appointment(a.ahead)).toMatchObject({
      patient_id: null,
      status: 'cancelled_by_patient',
    });
    expect((await notificationsAbout(a.ahead)).map((n) => n.type)).toEqual([
      'appointment_request',
      'appointment_cancelled',
    ]);
    expect(await appointment(a.past)).toMatchObject({ patient_id: null, status: 'completed' });
  });

  it("keeps an appointment naming its patient unless the patient's account was deleted", async () => {
    const doc = await practitioner();
    const insert = db`insert into public.appointments
        (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
      values (null, ${doc.id}, ${daysFromToday(-2)}, '09:00', '09:30', 'completed')`;
    await expect(insert).rejects.toMatchObject({
      code: '23514',
      constraint_name: 'appointments_names_its_patient',
    });
  });

  it('refuses a request without a valid token (401) and deletes nothing', async () => {
    const a = await fullAccount();
    const before = await everythingOf(a.user.id);
    for (const headers of await badAuthorizations()) {
      expectRefusal(await deleteAccount(undefined, headers), 401, JSON.stringify(headers));
    }
    expect(await everythingOf(a.user.id)).toEqual(before);
    expect(await picturesOf(a.user.id)).toHaveLength(2);
  });
});
