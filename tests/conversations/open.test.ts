import { describe, expect, it } from 'vitest';
import { db, snapshot } from '../helpers/db.ts';
import {
  admin,
  api,
  appointmentBetween,
  eventsOf,
  notificationsOf,
  patient,
  practice,
  writtenFor,
} from './helpers.ts';

const conversationsOf = async (patientId: string, practitionerId: string) =>
  await db<{ id: string; appointment_id: string | null }[]>`
    select id, appointment_id from public.conversations
    where patient_id = ${patientId} and practitioner_id = ${practitionerId}`;

describe('POST /conversations', () => {
  it("opens a patient's conversation with a practitioner (201), then answers it again (200)", async () => {
    const dr = await practice('Yossi', 'Levi');
    const noa = await patient('Noa', 'Cohen');
    const first = await api(noa, 'POST', '', { json: { practitioner_id: dr.id } });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(String),
      patient_id: noa.id,
      practitioner_id: dr.id,
      last_message_at: null,
      practitioners: {
        id: dr.id,
        profiles: { first_name: 'Yossi', last_name: 'Levi', avatar_url: null },
      },
      profiles: { first_name: 'Noa', last_name: 'Cohen', avatar_url: null },
      last_message: null,
      unread_count: 0,
      appointments: null,
    });
    const again = await api(noa, 'POST', '', {
      json: { practitioner_id: dr.id.toUpperCase(), patient_id: null, content: '' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await conversationsOf(noa.id, dr.id)).toHaveLength(1);
    expect(await notificationsOf(dr.id)).toEqual([]);
  });

  it('sends the first message with it, to a new conversation and to an existing one', async () => {
    const dr = await practice();
    const noa = await patient();
    const opened = await api(noa, 'POST', '', {
      json: { practitioner_id: dr.id, content: ' I have a question. ' },
    });
    expect(opened.status).toBe(201);
    expect(opened.body.last_message).toEqual({
      id: expect.any(String),
      content: 'I have a question.',
      created_at: opened.body.last_message_at,
      message_type: 'text',
      sender_id: noa.id,
    });
    expect(opened.body.unread_count).toBe(0);
    const again = await api(noa, 'POST', '', {
      json: { practitioner_id: dr.id, content: 'Still there?' },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(opened.body.id);
    expect(again.body.last_message.content).toBe('Still there?');
    expect((await notificationsOf(dr.id)).map((n) => n.data)).toEqual([
      { conversation_id: opened.body.id, sender_id: noa.id },
      { conversation_id: opened.body.id, sender_id: noa.id },
    ]);
    expect((await eventsOf(noa.id, 'message:new')).length).toBe(2);
    const asPractitioner = (await api(dr.user, 'GET', '')).body[0];
    expect(asPractitioner.unread_count).toBe(2);
  });

  it('lets a practitioner open one only with a patient who has had an appointment, about the latest', async () => {
    const dr = await practice();
    const noa = await patient();
    const stranger = await patient('Dan', 'Other');
    await appointmentBetween(dr, noa.id, { days: -10, status: 'completed' });
    const { appointmentId: latest } = await appointmentBetween(dr, noa.id, { days: 5 });
    // The booking opened it; opened again after it was removed, it is about the latest booking.
    await db`delete from public.conversations where patient_id = ${noa.id}`;

    const opened = await api(dr.user, 'POST', '', { json: { patient_id: noa.id } });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      patient_id: noa.id,
      practitioner_id: dr.id,
      profiles: { first_name: 'Noa', last_name: 'Cohen' },
      appointments: { id: latest, status: 'confirmed' },
    });
    expect((await api(dr.user, 'POST', '', { json: { patient_id: noa.id } })).status).toBe(200);
    expect(
      (await api(dr.user, 'POST', `?practitioner_id=${dr.id}`, { json: { patient_id: noa.id } }))
        .status,
    ).toBe(200);

    const before = await snapshot(writtenFor(dr, stranger));
    const refused = await api(dr.user, 'POST', '', {
      json: { patient_id: stranger.id, content: 'Hello' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({
      code: 'validation_error',
      message: 'You can only write to a patient who has had an appointment with this practice.',
      details: {
        fieldErrors: {
          patient_id: [
            'You can only write to a patient who has had an appointment with this practice.',
          ],
        },
      },
    });
    expect(await snapshot(writtenFor(dr, stranger))).toEqual(before);
  });

  it('counts an appointment of any status, a cancelled one too', async () => {
    const dr = await practice();
    const noa = await patient();
    await appointmentBetween(dr, noa.id, { days: 5, status: 'cancelled_by_patient' });
    await db`delete from public.conversations where patient_id = ${noa.id}`;
    expect((await api(dr.user, 'POST', '', { json: { patient_id: noa.id } })).status).toBe(201);
  });

  it('lets an admin open one for a practice they name, recording them as the actor', async () => {
    const dr = await practice();
    const noa = await patient();
    const ada = await admin();
    await appointmentBetween(dr, noa.id);
    await db`delete from public.conversations where patient_id = ${noa.id}`;

    const unnamed = await api(ada, 'POST', '', { json: { patient_id: noa.id } });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error.details.fieldErrors).toHaveProperty('practitioner_id');
    const unknown = await api(ada, 'POST', `?practitioner_id=${crypto.randomUUID()}`, {
      json: { patient_id: noa.id },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('We could not find this practitioner.');

    const opened = await api(ada, 'POST', `?practitioner_id=${dr.id}`, {
      json: { patient_id: noa.id, content: 'The practice will call you.' },
    });
    expect(opened.status).toBe(201);
    expect(opened.body.last_message).toMatchObject({
      content: 'The practice will call you.',
      sender_id: dr.id,
    });
    const audit = await db`select action, entity, details from public.audit_log
      where actor_id = ${ada.id} order by id`;
    expect(audit).toEqual([
      {
        action: 'conversation.create',
        entity: 'conversations',
        details: { practitioner_id: dr.id, conversation_id: opened.body.id },
      },
      {
        action: 'message.create',
        entity: 'messages',
        details: { practitioner_id: dr.id, conversation_id: opened.body.id },
      },
    ]);
    expect((await notificationsOf(noa.id)).at(-1)).toMatchObject({
      type: 'new_message',
      body: 'Yossi Levi vous a envoyé un message.',
    });
  });

  it('refuses a patient account writing to a patient, an inactive practitioner and oneself', async () => {
    const dr = await practice();
    const noa = await patient();
    const dan = await patient('Dan');
    const before = await snapshot(writtenFor(dr, noa, dan));

    const asPatient = await api(noa, 'POST', '', { json: { patient_id: dan.id } });
    expect(asPatient.status).toBe(403);
    expect(asPatient.body.error.code).toBe('forbidden');

    await db`update public.practitioners set is_active = false where id = ${dr.id}`;
    const inactive = await api(noa, 'POST', '', { json: { practitioner_id: dr.id } });
    expect(inactive.status).toBe(400);
    expect(inactive.body.error.details.fieldErrors.practitioner_id).toEqual([
      'We could not find this practitioner.',
    ]);

    const self = await api(dr.user, 'POST', '', { json: { practitioner_id: dr.id } });
    expect(self.status).toBe(400);
    expect(self.body.error.message).toBe('You cannot start a conversation with yourself.');

    const nobody = await api(noa, 'POST', '', { json: { practitioner_id: dan.id } });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error.details.fieldErrors).toHaveProperty('practitioner_id');
    expect(await snapshot(writtenFor(dr, noa, dan))).toEqual(before);
  });

  it('still answers an existing conversation once the practitioner is inactive', async () => {
    const dr = await practice();
    const noa = await patient();
    const first = await api(noa, 'POST', '', { json: { practitioner_id: dr.id } });
    await db`update public.practitioners set is_active = false where id = ${dr.id}`;
    const again = await api(noa, 'POST', '', { json: { practitioner_id: dr.id } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('opens one conversation when many requests race for it', async () => {
    const dr = await practice();
    const noa = await patient();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => api(noa, 'POST', '', { json: { practitioner_id: dr.id } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await conversationsOf(noa.id, dr.id)).toHaveLength(1);
  });
});
