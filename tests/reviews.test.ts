import { describe, expect, it } from 'vitest';
import { app as crmApp } from '../functions/crm/app.ts';
import { app as practitionersApp } from '../functions/practitioners/app.ts';
import { app } from '../functions/reviews/app.ts';
import { db, snapshot } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { openPractice, type Practice } from './helpers/practice.ts';
import { createUser, type TestUser } from './helpers/users.ts';
import { pastAppointment } from './helpers/past-appointment.ts';
import { badAuthorizations, expectRefusal, MALFORMED_IDS } from './helpers/refusals.ts';

const api = (user: TestUser | undefined, method: string, path: string, options: CallOptions = {}) =>
  call(app, method, `/reviews${path}`, { token: user?.token, ...options });
const crm = (user: TestUser | undefined, method: string, path: string, options: CallOptions = {}) =>
  call(crmApp, method, `/crm/reviews${path}`, { token: user?.token, ...options });

const patient = (firstName = 'Noa', lastName = 'Cohen') => createUser({ firstName, lastName });

/** Everything posting or answering a review may write. */
const WRITTEN = [
  'public.reviews',
  'public.notifications',
  'private.events',
  'public.practitioner_review_stats',
  'public.audit_log',
];

let day = 0;

/** A completed appointment of the patient with the practice, a different day each time. */
function visited(user: TestUser, practice: Practice, status = 'completed') {
  day += 1;
  return pastAppointment(user, practice.id, { daysAgo: day, status });
}

const body = (appointmentId: string, practice: Practice, extra: Record<string, unknown> = {}) => ({
  appointment_id: appointmentId,
  practitioner_id: practice.id,
  rating: 5,
  comment: 'Excellent praticien, je recommande',
  ...extra,
});

async function statsOf(practitionerId: string) {
  const [row] = await db`
    select review_count, rating_total, average_rating from public.practitioner_review_stats
    where practitioner_id = ${practitionerId}`;
  return row ?? null;
}

async function reviewed(user: TestUser, practice: Practice, rating = 5) {
  const res = await api(user, 'POST', '', {
    json: body(await visited(user, practice), practice, { rating }),
  });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

describe('POST /reviews', () => {
  it('answers the whole row with my names, tells the practitioner and moves the rating at once', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const appointment = await visited(noa, practice);
    const res = await api(noa, 'POST', '', { json: body(appointment, practice) });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      appointment_id: appointment,
      practitioner_id: practice.id,
      patient_id: noa.id,
      rating: 5,
      comment: 'Excellent praticien, je recommande',
      practitioner_reply: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      profiles: { first_name: 'Noa', last_name: 'Cohen' },
    });
    expect(Object.keys(res.body)).toEqual([
      'id',
      'appointment_id',
      'practitioner_id',
      'patient_id',
      'rating',
      'comment',
      'practitioner_reply',
      'created_at',
      'profiles',
    ]);
    expect(await statsOf(practice.id)).toEqual({
      review_count: 1,
      rating_total: 5,
      average_rating: 5,
    });
    const profile = await call(practitionersApp, 'GET', `/practitioners/${practice.id}`);
    expect(profile.body).toMatchObject({ average_rating: 5, review_count: 1 });

    const notifications = await db`
      select type::text, title, body, data from public.notifications
      where user_id = ${practice.id} and type = 'review_received'`;
    expect(notifications).toEqual([{
      type: 'review_received',
      title: 'Nouvel avis',
      body: 'Noa Cohen a laissé un avis (5/5).',
      data: { appointment_id: appointment, review_id: res.body.id, rating: 5 },
    }]);
    const events = await db`
      select event from private.events
      where user_id = ${practice.id} and payload ->> 'type' = 'review_received'`;
    expect(events).toEqual([{ event: 'notification:new' }]);
  });

  it("writes the notification in the practitioner's language", async () => {
    const cases: Array<[string, string, string]> = [
      ['he', 'חוות דעת חדשה', 'Dana Levi השאיר/ה חוות דעת (4/5).'],
      ['en', 'New review', 'Dana Levi left a review (4/5).'],
      ['ru', 'Новый отзыв', 'Dana Levi оставил(а) отзыв (4/5).'],
      ['es', 'Nueva opinión', 'Dana Levi ha dejado una opinión (4/5).'],
    ];
    for (const [locale, title, text] of cases) {
      const practice = await openPractice();
      await db`insert into public.user_settings (user_id, locale) values (${practice.id}, ${locale})`;
      await reviewed(await patient('Dana', 'Levi'), practice, 4);
      const [n] = await db`
        select title, body from public.notifications
        where user_id = ${practice.id} and type = 'review_received'`;
      expect(n, locale).toEqual({ title, body: text });
    }
  });

  it('names the relative the appointment was for, and takes a missed appointment and no comment', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const [relative] = await db`
      insert into public.relatives (user_id, first_name, last_name, relation)
      values (${noa.id}, 'Sarah', 'Cohen', 'child') returning id`;
    day += 1;
    const appointment = await pastAppointment(noa, practice.id, {
      daysAgo: day,
      status: 'no_show',
      relativeId: relative.id,
    });
    const res = await api(noa, 'POST', '', {
      json: { appointment_id: appointment, practitioner_id: practice.id, rating: 2, comment: '  ' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ rating: 2, comment: null, patient_id: noa.id });
    const [n] = await db`
      select body from public.notifications
      where user_id = ${practice.id} and type = 'review_received'`;
    expect(n.body).toBe('Sarah Cohen a laissé un avis (2/5).');
  });

  it('tells nobody of reviews the platform loads itself, but counts them', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const appointment = await visited(noa, practice);
    await db`insert into public.reviews (appointment_id, practitioner_id, patient_id, rating)
             values (${appointment}, ${practice.id}, ${noa.id}, 3)`;
    const [{ n }] = await db`
      select count(*)::int as n from public.notifications
      where user_id = ${practice.id} and type = 'review_received'`;
    expect(n).toBe(0);
    expect(await statsOf(practice.id)).toMatchObject({ review_count: 1, rating_total: 3 });
  });

  it('averages the ratings of several reviews', async () => {
    const practice = await openPractice();
    await reviewed(await patient(), practice, 4);
    await reviewed(await patient(), practice, 5);
    await reviewed(await patient(), practice, 2);
    expect(await statsOf(practice.id)).toEqual({
      review_count: 3,
      rating_total: 11,
      average_rating: 3.67,
    });
  });

  it('refuses what the rules forbid, saying why, writing nothing', async () => {
    const practice = await openPractice();
    const other = await openPractice();
    const noa = await patient();
    const stranger = await patient('Dan', 'Mizrahi');
    const mine = await visited(noa, practice);
    const theirs = await visited(stranger, practice);
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [
        "someone else's appointment",
        body(theirs, practice),
        404,
        'We could not find this appointment.',
      ],
      [
        'an appointment that does not exist',
        body(crypto.randomUUID(), practice),
        404,
        'We could not find this appointment.',
      ],
      [
        'another practitioner',
        body(mine, other),
        400,
        'This appointment was with another practitioner.',
      ],
    ];
    for (
      const status of ['pending', 'confirmed', 'cancelled_by_patient', 'cancelled_by_practitioner']
    ) {
      cases.push([
        `a ${status} appointment`,
        body(await visited(noa, practice, status), practice),
        409,
        'You can review an appointment once it has taken place.',
      ]);
    }
    const before = await snapshot(WRITTEN);
    for (const [name, json, status, message] of cases) {
      const res = await api(noa, 'POST', '', { json });
      expectRefusal(res, status, name);
      expect(res.body.error.message, name).toBe(message);
    }
    const wrongDoctor = await api(noa, 'POST', '', { json: body(mine, other) });
    expect(wrongDoctor.body.error.details.fieldErrors).toEqual({
      practitioner_id: ['This appointment was with another practitioner.'],
    });
    expect(await snapshot(WRITTEN)).toEqual(before);
    expect(await statsOf(practice.id)).toBeNull();
  });

  it('takes one review per appointment: a second is 409, also when both arrive at once', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const appointment = await visited(noa, practice);
    expect((await api(noa, 'POST', '', { json: body(appointment, practice) })).status).toBe(201);
    const before = await snapshot(WRITTEN);
    const again = await api(noa, 'POST', '', { json: body(appointment, practice, { rating: 1 }) });
    expectRefusal(again, 409);
    expect(again.body.error.message).toBe('You have already reviewed this appointment.');
    expect(await snapshot(WRITTEN)).toEqual(before);

    const next = await visited(noa, practice);
    const both = await Promise.all(
      [1, 2, 3, 4].map((rating) =>
        api(noa, 'POST', '', { json: body(next, practice, { rating }) })
      ),
    );
    expect(both.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await statsOf(practice.id)).toMatchObject({ review_count: 2 });
    const [{ n }] = await db`
      select count(*)::int as n from public.notifications
      where user_id = ${practice.id} and type = 'review_received'`;
    expect(n).toBe(2);
  });
});

describe('PATCH /reviews/:id/reply and PATCH /crm/reviews/:id/reply', () => {
  async function replyOf(id: string) {
    const [row] = await db`select practitioner_reply from public.reviews where id = ${id}`;
    return row.practitioner_reply as string | null;
  }

  it('lets the practitioner reply from the app or the CRM: one implementation, one audit', async () => {
    const practice = await openPractice();
    const review = await reviewed(await patient(), practice, 4);
    const stats = await statsOf(practice.id);

    const app_ = await api(practice.user, 'PATCH', `/${review.id}/reply`, {
      json: { practitioner_reply: '  Merci pour votre retour !  ' },
    });
    expect(app_.status).toBe(204);
    expect(await replyOf(review.id)).toBe('Merci pour votre retour !');
    const crm_ = await crm(practice.user, 'PATCH', `/${review.id}/reply`, {
      json: { practitioner_reply: 'Thank you!' },
    });
    expect(crm_.status).toBe(204);
    expect(await replyOf(review.id)).toBe('Thank you!');
    expect(await statsOf(practice.id)).toEqual(stats);

    const audit = await db`
      select actor_id, action, entity, entity_id, details from public.audit_log
      where entity_id = ${review.id} order by id`;
    const row = {
      actor_id: practice.id,
      action: 'review.update',
      entity: 'reviews',
      entity_id: review.id,
      details: { practitioner_id: practice.id, fields: ['practitioner_reply'] },
    };
    expect(audit).toEqual([row, row]);
    // The CRM's list shows it.
    const list = await crm(practice.user, 'GET', '');
    expect(list.body[0]).toMatchObject({ id: review.id, practitioner_reply: 'Thank you!' });
  });

  it('lets an admin reply for a practitioner through the CRM only, recorded as the actor', async () => {
    const practice = await openPractice();
    const review = await reviewed(await patient(), practice);
    const boss = await createUser({ role: 'admin' });
    const res = await crm(boss, 'PATCH', `/${review.id}/reply?practitioner_id=${practice.id}`, {
      json: { practitioner_reply: 'On behalf of the clinic, thank you.' },
    });
    expect(res.status).toBe(204);
    expect(await replyOf(review.id)).toBe('On behalf of the clinic, thank you.');
    const [audit] = await db`
      select actor_id, details from public.audit_log where entity_id = ${review.id}`;
    expect(audit).toEqual({
      actor_id: boss.id,
      details: { practitioner_id: practice.id, fields: ['practitioner_reply'] },
    });
  });
});

describe('reviews: who may do what', () => {
  it('matches the authorization matrix over every review endpoint', async () => {
    const practice = await openPractice();
    const colleague = await openPractice();
    const author = await patient();
    const stranger = await patient('Dan', 'Mizrahi');
    const boss = await createUser({ role: 'admin' });
    const review = await reviewed(author, practice);
    const reply = { practitioner_reply: 'Thanks' };
    const asAdmin = `?practitioner_id=${practice.id}`;

    // [who, POST /reviews (someone else's appointment), PATCH /reviews/:id/reply,
    //  PATCH /crm/reviews/:id/reply]
    const matrix: Array<[string, TestUser | undefined, number, number, number]> = [
      ['no token', undefined, 401, 401, 401],
      ['the author', author, 404, 403, 403],
      ['another patient', stranger, 404, 403, 403],
      ['another practitioner', colleague.user, 404, 404, 404],
      ['an admin', boss, 404, 403, 400],
      ["the review's practitioner", practice.user, 404, 204, 204],
    ];
    // An appointment of nobody in the matrix: for all of them, someone else's.
    const otherAppointment = await visited(await patient('Eli', 'Peretz'), practice);
    for (const [who, user, post, patch, patchCrm] of matrix) {
      const before = await snapshot(WRITTEN);
      const created = await api(user, 'POST', '', { json: body(otherAppointment, practice) });
      expect(created.status, `${who}: POST`).toBe(post);
      const replied = await api(user, 'PATCH', `/${review.id}/reply`, { json: reply });
      expect(replied.status, `${who}: PATCH /reviews`).toBe(patch);
      const viaCrm = await crm(user, 'PATCH', `/${review.id}/reply`, { json: reply });
      expect(viaCrm.status, `${who}: PATCH /crm/reviews`).toBe(patchCrm);
      if (patch !== 204) expect(await snapshot(WRITTEN), who).toEqual(before);
    }
    expect((await crm(boss, 'PATCH', `/${review.id}/reply${asAdmin}`, { json: reply })).status)
      .toBe(204);
    // The CRM refuses a practitioner naming another practitioner.
    expect(
      (await crm(colleague.user, 'PATCH', `/${review.id}/reply${asAdmin}`, { json: reply })).status,
    ).toBe(403);
    // Anyone who had the appointment may review it, whatever their role.
    for (const role of ['practitioner', 'admin'] as const) {
      const user = await createUser({ role, firstName: 'Eli', lastName: 'Katz' });
      await reviewed(user, practice);
    }
  });
});

describe('reviews: bad input', () => {
  it('refuses every malformed review with 400 in the contract shape, writing nothing', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const appointment = await visited(noa, practice);
    const good = body(appointment, practice);
    const bodies: Array<[string, unknown]> = [
      ['no appointment', { ...good, appointment_id: undefined }],
      ['a malformed appointment id', { ...good, appointment_id: 'abc' }],
      ['no practitioner', { ...good, practitioner_id: undefined }],
      ['a practitioner id as a number', { ...good, practitioner_id: 42 }],
      ['no rating', { ...good, rating: undefined }],
      ['a rating of 0', { ...good, rating: 0 }],
      ['a rating of 6', { ...good, rating: 6 }],
      ['half a star', { ...good, rating: 4.5 }],
      ['a rating as text', { ...good, rating: '5' }],
      ['a comment too long', { ...good, comment: 'x'.repeat(2001) }],
      ['a comment as a number', { ...good, comment: 5 }],
      ['an array', [good]],
      ['null', null],
    ];
    const before = await snapshot(WRITTEN);
    for (const [name, json] of bodies) {
      const res = await api(noa, 'POST', '', { json });
      expectRefusal(res, 400, name);
    }
    expectRefusal(
      await api(noa, 'POST', '', {
        body: '{"rating":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    expectRefusal(
      await api(noa, 'POST', '', { body: 'rating=5', headers: { 'content-type': 'text/plain' } }),
      415,
    );
    for (const headers of await badAuthorizations()) {
      expectRefusal(await api(undefined, 'POST', '', { headers, json: good }), 401);
    }
    expect(await snapshot(WRITTEN)).toEqual(before);
    // The longest comment is taken.
    const longest = await api(noa, 'POST', '', { json: { ...good, comment: 'x'.repeat(2000) } });
    expect(longest.status).toBe(201);
  });

  it('refuses every malformed reply, on both routes, writing nothing', async () => {
    const practice = await openPractice();
    const review = await reviewed(await patient(), practice);
    const replies: Array<[string, unknown]> = [
      ['no reply', {}],
      ['an empty reply', { practitioner_reply: '' }],
      ['a blank reply', { practitioner_reply: '   \n ' }],
      ['a reply too long', { practitioner_reply: 'x'.repeat(2001) }],
      ['a reply too long once trimmed', { practitioner_reply: ` ${'x'.repeat(2001)} ` }],
      ['null', { practitioner_reply: null }],
      ['a number', { practitioner_reply: 42 }],
      ['a list', { practitioner_reply: ['Thanks'] }],
      ['an object', { practitioner_reply: { text: 'Thanks' } }],
      ['an array body', [{ practitioner_reply: 'Thanks' }]],
      ['a string body', 'Thanks'],
    ];
    const before = await snapshot(WRITTEN);
    for (const [name, json] of replies) {
      const res = await api(practice.user, 'PATCH', `/${review.id}/reply`, { json });
      expectRefusal(res, 400, `app: ${name}`);
      expectRefusal(
        await crm(practice.user, 'PATCH', `/${review.id}/reply`, { json }),
        400,
        `crm: ${name}`,
      );
      if (name === 'a blank reply') {
        expect(res.body.error.details.fieldErrors).toEqual({
          practitioner_reply: ['Write a reply of 1 to 2000 characters.'],
        });
      }
    }
    const good = { practitioner_reply: 'Thanks' };
    for (const id of MALFORMED_IDS) {
      expectRefusal(await api(practice.user, 'PATCH', `/${id}/reply`, { json: good }), 400, id);
      expectRefusal(await crm(practice.user, 'PATCH', `/${id}/reply`, { json: good }), 400, id);
    }
    expectRefusal(
      await api(practice.user, 'PATCH', `/${crypto.randomUUID()}/reply`, { json: good }),
      404,
    );
    expectRefusal(
      await crm(practice.user, 'PATCH', `/${crypto.randomUUID()}/reply`, { json: good }),
      404,
    );
    const text = { body: 'Thanks', headers: { 'content-type': 'text/plain' } };
    expectRefusal(await api(practice.user, 'PATCH', `/${review.id}/reply`, text), 415);
    expectRefusal(await crm(practice.user, 'PATCH', `/${review.id}/reply`, text), 415);
    expect(await snapshot(WRITTEN)).toEqual(before);
    const [row] = await db`select practitioner_reply from public.reviews where id = ${review.id}`;
    expect(row.practitioner_reply).toBeNull();
    const longest = { practitioner_reply: 'x'.repeat(2000) };
    expect((await api(practice.user, 'PATCH', `/${review.id}/reply`, { json: longest })).status)
      .toBe(204);
  });
});
