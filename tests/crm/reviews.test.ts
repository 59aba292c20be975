import { describe, expect, it } from 'vitest';
import { db } from '../helpers/db.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { admin, crm, patient, practitioner } from './helpers.ts';

let day = 0;

/** A completed appointment between the two, reviewed at `createdAt`. */
async function review(
  doc: TestUser,
  author: TestUser,
  fields: { rating: number; comment: string | null; createdAt: string },
) {
  day += 1;
  const [appointment] = await db`
    insert into public.appointments (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
    values (${author.id}, ${doc.id}, date '2026-01-01' + ${day}::int, '09:00', '09:30', 'completed')
    returning id`;
  const [row] = await db`
    insert into public.reviews (appointment_id, practitioner_id, patient_id, rating, comment, created_at)
    values (${appointment.id}, ${doc.id}, ${author.id}, ${fields.rating}, ${fields.comment}, ${fields.createdAt})
    returning id`;
  return { id: row.id as string, appointmentId: appointment.id as string };
}

describe('crm reviews', () => {
  it("lists the practitioner's reviews, newest first, with each author's names and picture", async () => {
    const doc = await practitioner();
    const other = await practitioner();
    const noa = await patient();
    const eli = await createUser({ role: 'patient', firstName: 'Eli', lastName: 'Mizrahi' });
    await db`update public.profiles set avatar_url = 'https://cdn.example/avatars/eli.png' where id = ${eli.id}`;
    const older = await review(doc, noa, {
      rating: 4,
      comment: 'Very kind.',
      createdAt: '2026-02-01T10:00:00Z',
    });
    const newer = await review(doc, eli, {
      rating: 5,
      comment: null,
      createdAt: '2026-03-05T08:30:15.5Z',
    });
    await review(other, noa, {
      rating: 1,
      comment: 'Not for this list.',
      createdAt: '2026-03-06T00:00:00Z',
    });
    await db`update public.reviews set practitioner_reply = 'Thank you!' where id = ${older.id}`;

    const res = await crm(doc, 'GET', '/reviews');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        id: newer.id,
        appointment_id: newer.appointmentId,
        patient_id: eli.id,
        rating: 5,
        comment: null,
        practitioner_reply: null,
        created_at: '2026-03-05T08:30:15.500000Z',
        profiles: {
          first_name: 'Eli',
          last_name: 'Mizrahi',
          avatar_url: 'https://cdn.example/avatars/eli.png',
        },
      },
      {
        id: older.id,
        appointment_id: older.appointmentId,
        patient_id: noa.id,
        rating: 4,
        comment: 'Very kind.',
        practitioner_reply: 'Thank you!',
        created_at: '2026-02-01T10:00:00.000000Z',
        profiles: { first_name: 'Noa', last_name: 'Cohen', avatar_url: null },
      },
    ]);
  });

  it('answers an empty list to a practitioner without reviews, and lets an admin read any', async () => {
    const doc = await practitioner();
    expect((await crm(doc, 'GET', '/reviews')).body).toEqual([]);
    const reviewed = await practitioner();
    const author = await patient();
    const { id } = await review(reviewed, author, {
      rating: 3,
      comment: 'Fine.',
      createdAt: '2026-01-10T09:00:00Z',
    });
    const boss = await admin();
    const res = await crm(boss, 'GET', `/reviews?practitioner_id=${reviewed.id}`);
    expect(res.status).toBe(200);
    expect(res.body.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it("never opens the authors' other profile fields through the view", async () => {
    const doc = await practitioner();
    const author = await patient();
    await review(doc, author, { rating: 5, comment: 'Great.', createdAt: '2026-01-11T09:00:00Z' });
    const [row] = await db.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${
        JSON.stringify({ sub: doc.id, role: 'authenticated' })
      }, true)`;
      return tx`select (select count(*)::int from public.profiles where id = ${author.id}) as profiles_visible,
                       (select count(*)::int from public.received_reviews) as reviews_visible`;
    });
    expect(row).toEqual({ profiles_visible: 0, reviews_visible: 1 });
  });
});
