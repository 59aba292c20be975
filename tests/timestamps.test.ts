import { describe, expect, it } from 'vitest';
import { app as crm } from '../functions/crm/app.ts';
import { app as practitioners } from '../functions/practitioners/app.ts';
import { app as profile } from '../functions/profile/app.ts';
import { app as relatives } from '../functions/relatives/app.ts';
import { addDriverOptions, systemDb } from '../shared/db/client.ts';
import { db } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { createUser } from './helpers/users.ts';

// Every connection of the apps' pool opens in a zone with a fractional offset (UTC+05:45), the
// way a database or role configured with another time zone would. This file's modules are its
// own, so no other test file sees the option.
const SESSION_ZONE = 'Asia/Kathmandu';
addDriverOptions({ connection: { TimeZone: SESSION_ZONE } });

/** The one format of every timestamp the API sends. */
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('timestamps in responses', () => {
  it('run in a session whose time zone is not UTC', async () => {
    const [{ zone }] = await systemDb()`select current_setting('TimeZone') as zone`;
    expect(zone).toBe(SESSION_ZONE);
  });

  it('leave the profile in UTC with a Z', async () => {
    const user = await createUser();
    const res = await call(profile, 'GET', '/profile', { token: user.token });
    const [row] =
      await db`select created_at, updated_at from public.profiles where id = ${user.id}`;
    expect(res.body.created_at).toMatch(UTC_TIMESTAMP);
    expect(res.body.updated_at).toMatch(UTC_TIMESTAMP);
    expect(new Date(res.body.created_at)).toEqual(row.created_at);
    const changed = await call(profile, 'PATCH', '/profile', {
      token: user.token,
      json: { city: 'Haifa' },
    });
    expect(changed.body.updated_at).toMatch(UTC_TIMESTAMP);
  });

  it('leave relatives in UTC with a Z', async () => {
    const user = await createUser();
    const json = { first_name: 'Maya', last_name: 'Levi', relation: 'child' };
    const created = await call(relatives, 'POST', '/relatives', { token: user.token, json });
    expect(created.body.created_at).toMatch(UTC_TIMESTAMP);
    const list = await call(relatives, 'GET', '/relatives', { token: user.token });
    expect(list.body[0].created_at).toBe(created.body.created_at);
  });

  it('leave reviews, public and received, in UTC with a Z', async () => {
    const doc = await createUser({ role: 'practitioner', firstName: 'Dana', lastName: 'Levi' });
    const author = await createUser({ role: 'patient', firstName: 'Noa', lastName: 'Cohen' });
    const [appointment] = await db`
      insert into public.appointments (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
      values (${author.id}, ${doc.id}, '2026-01-02', '09:00', '09:30', 'completed') returning id`;
    await db`
      insert into public.reviews (appointment_id, practitioner_id, patient_id, rating, created_at)
      values (${appointment.id}, ${doc.id}, ${author.id}, 5, '2026-01-02T23:30:15.25+05:45')`;
    const expected = '2026-01-02T17:45:15.250000Z';
    const received = await call(crm, 'GET', '/crm/reviews', { token: doc.token });
    expect(received.body[0].created_at).toBe(expected);
    const shown = await call(practitioners, 'GET', `/practitioners/${doc.id}`);
    expect(shown.body.reviews[0].created_at).toBe(expected);
    const page = await call(practitioners, 'GET', `/practitioners/${doc.id}/reviews`);
    expect(page.body.reviews[0].created_at).toBe(expected);
  });
});
