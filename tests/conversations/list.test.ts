import { describe, expect, it } from 'vitest';
import { db } from '../helpers/db.ts';
import { israelDate } from '../helpers/practice.ts';
import {
  api,
  appointmentBetween,
  conversationBetween,
  insertMessages,
  patient,
  practice,
} from './helpers.ts';

const ITEM_KEYS = [
  'id',
  'patient_id',
  'practitioner_id',
  'last_message_at',
  'practitioners',
  'profiles',
  'last_message',
  'unread_count',
  'appointments',
];

describe('GET /conversations', () => {
  it('lists the conversation on both sides with exactly the fields of the contract', async () => {
    const dr = await practice('Yossi', 'Levi');
    const noa = await patient('Noa', 'Cohen');
    await db`update public.profiles set avatar_url = 'https://cdn.example/yossi.png'
      where id = ${dr.id}`;
    await db`update public.profiles set avatar_url = 'https://cdn.example/noa.png'
      where id = ${noa.id}`;
    const [reason] = await db`
      insert into public.appointment_reasons (practitioner_id, label) values (${dr.id}, 'Follow-up')
      returning id`;
    const { appointmentId, conversationId } = await appointmentBetween(dr, noa.id, {
      days: 4,
      reasonId: reason.id,
    });
    const [, , last] = await insertMessages(conversationId, [
      { sender: noa.id, content: 'Hello doctor', at: '2026-03-01T09:00:00Z' },
      { sender: noa.id, content: 'Are you there?', at: '2026-03-01T09:01:00Z' },
      { sender: dr.id, content: 'Yes, tell me.', at: '2026-03-01T09:05:30.25Z' },
    ]);

    const common = {
      id: conversationId,
      patient_id: noa.id,
      practitioner_id: dr.id,
      last_message_at: '2026-03-01T09:05:30.250000Z',
      practitioners: {
        id: dr.id,
        profiles: {
          first_name: 'Yossi',
          last_name: 'Levi',
          avatar_url: 'https://cdn.example/yossi.png',
        },
      },
      profiles: {
        first_name: 'Noa',
        last_name: 'Cohen',
        avatar_url: 'https://cdn.example/noa.png',
      },
      last_message: {
        id: last.id,
        content: 'Yes, tell me.',
        created_at: '2026-03-01T09:05:30.250000Z',
        message_type: 'text',
        sender_id: dr.id,
      },
      appointments: {
        id: appointmentId,
        status: 'confirmed',
        appointment_date: israelDate(4),
        reason: 'Follow-up',
      },
    };

    const asPatient = await api(noa, 'GET', '');
    expect(asPatient.status).toBe(200);
    expect(asPatient.body).toEqual([{ ...common, unread_count: 1 }]);
    expect(Object.keys(asPatient.body[0])).toEqual(ITEM_KEYS);

    const asPractitioner = await api(dr.user, 'GET', '?_t=1700000000');
    expect(asPractitioner.status).toBe(200);
    expect(asPractitioner.body).toEqual([{ ...common, unread_count: 2 }]);
    expect(Object.keys(asPractitioner.body[0])).toEqual(ITEM_KEYS);
  });

  it('shows a conversation without messages or appointment with nulls and 0', async () => {
    const dr = await practice();
    const noa = await patient();
    const id = await conversationBetween(noa.id, dr.id);
    const res = await api(noa, 'GET', '');
    expect(res.body).toEqual([expect.objectContaining({
      id,
      last_message_at: null,
      last_message: null,
      unread_count: 0,
      appointments: null,
      profiles: { first_name: 'Noa', last_name: 'Cohen', avatar_url: null },
    })]);
  });

  it('counts unread messages per conversation, on each side, across several conversations', async () => {
    const dr = await practice();
    const other = await practice('Dana', 'Mizrahi');
    const [a, b, c] = [await patient('A'), await patient('B'), await patient('C')];
    const ab = await conversationBetween(a.id, dr.id);
    const bb = await conversationBetween(b.id, dr.id);
    const cb = await conversationBetween(c.id, dr.id);
    const ao = await conversationBetween(a.id, other.id);
    await insertMessages(ab, [
      { sender: a.id, at: '2020-03-01T08:00:00Z' },
      { sender: a.id, at: '2020-03-01T08:01:00Z', read: true },
      { sender: a.id, at: '2020-03-01T08:02:00Z' },
      { sender: dr.id, at: '2020-03-01T08:03:00Z' },
    ]);
    await insertMessages(bb, [
      { sender: dr.id, at: '2020-03-01T10:00:00Z' },
      { sender: b.id, at: '2020-03-01T10:01:00Z', read: true },
    ]);
    await insertMessages(ao, [
      { sender: other.id, at: '2020-03-01T07:00:00Z' },
      { sender: other.id, at: '2020-03-01T07:01:00Z' },
      { sender: other.id, at: '2020-03-01T07:02:00Z' },
      { sender: a.id, at: '2020-03-01T07:03:00Z' },
    ]);

    const counts = async (user: { token: string }) =>
      (await api(user as never, 'GET', '')).body.map((
        item: { id: string; unread_count: number },
      ) => [item.id, item.unread_count]);

    // Most recent activity first; a conversation without messages by when it was opened.
    expect(await counts(dr.user)).toEqual([[cb, 0], [bb, 0], [ab, 2]]);
    expect(await counts(a)).toEqual([[ab, 1], [ao, 3]]);
    expect(await counts(b)).toEqual([[bb, 1]]);
    expect(await counts(other.user)).toEqual([[ao, 1]]);
    expect(await counts(c)).toEqual([[cb, 0]]);
  });

  it("lists a practitioner's conversations as practitioner and as patient, and only theirs", async () => {
    const dr = await practice('Yossi', 'Levi');
    const colleague = await practice('Dana', 'Mizrahi');
    const noa = await patient();
    const asPractitioner = await conversationBetween(noa.id, dr.id);
    const asPatient = await conversationBetween(dr.id, colleague.id);
    await conversationBetween(noa.id, colleague.id);
    const ids = (await api(dr.user, 'GET', '')).body.map((i: { id: string }) => i.id);
    expect(ids.sort()).toEqual([asPractitioner, asPatient].sort());
    const mine = (await api(dr.user, 'GET', `?practitioner_id=${dr.id}`)).body;
    expect(mine.map((i: { id: string }) => i.id)).toEqual([asPractitioner]);
    const theirs = (await api(dr.user, 'GET', '')).body.find((i: { id: string }) =>
      i.id === asPatient
    );
    expect(theirs.profiles).toEqual({ first_name: 'Yossi', last_name: 'Levi', avatar_url: null });
    expect(theirs.practitioners.profiles.first_name).toBe('Dana');
  });

  it('answers an empty list to someone without conversations', async () => {
    const nobody = await patient();
    const res = await api(nobody, 'GET', '');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    // An empty parameter is one not given (client-compat).
    expect((await api(nobody, 'GET', '?practitioner_id=')).body).toEqual([]);
  });
});
