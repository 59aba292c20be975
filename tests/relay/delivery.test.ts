import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app as appointments } from '../../functions/appointments/app.ts';
import { app as conversations } from '../../functions/conversations/app.ts';
import { app as crm } from '../../functions/crm/app.ts';
import type { RunningRelayProcess } from '../../dev/relay/start.ts';
import { db } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { lastEventId } from '../helpers/lifecycle.ts';
import { israelDate, openPractice, type Practice } from '../helpers/practice.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import {
  asStored,
  type Client,
  connect,
  pause,
  type Payload,
  startTestRelay,
  storedEvents,
} from './helpers.ts';

let relay: RunningRelayProcess;
const clients: Client[] = [];

beforeAll(async () => {
  relay = await startTestRelay();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await relay?.stop();
});

async function socketOf(user: TestUser, extra: Record<string, unknown> = {}): Promise<Client> {
  const client = await connect(relay.url, { token: user.token, ...extra });
  clients.push(client);
  return client;
}

const outboxEvents = (c: Client) => asStored(c.received);

/** A booking of the patient through the API, in a week at `start`. */
async function bookThroughApi(patient: TestUser, practice: Practice, start: string) {
  const res = await call(appointments, 'POST', '/appointments', {
    token: patient.token,
    json: {
      practitioner_id: practice.id,
      relative_id: null,
      reason_id: null,
      appointment_date: israelDate(7),
      start_time: start,
      end_time: `${start.slice(0, 3)}30`,
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** A message sent through the conversations API. */
async function sendMessage(conversationId: string, sender: TestUser, content: string) {
  const res = await call(conversations, 'POST', `/conversations/${conversationId}/messages`, {
    token: sender.token,
    json: { content, message_type: 'text' },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('events reach their recipients, with the exact payload, after the call that causes them', () => {
  let practice: Practice;
  let patient: TestUser;
  let stranger: TestUser;
  let doctor: Client;
  let doctorCrm: Client;
  let pat: Client;
  let other: Client;
  let start: number;
  let appointmentId: string;

  beforeAll(async () => {
    practice = await openPractice({ firstName: 'Dana', lastName: 'Levi' });
    patient = await createUser({ firstName: 'Noa', lastName: 'Cohen' });
    stranger = await createUser({ firstName: 'Eli', lastName: 'Third' });
    // The practitioner twice (phone and CRM), the patient, and a third user who must hear nothing.
    [doctor, doctorCrm, pat, other] = await Promise.all([
      socketOf(practice.user),
      socketOf(practice.user),
      socketOf(patient),
      socketOf(stranger),
    ]);
    start = await lastEventId();
  });

  it('a booking: appointment:updated to both sides, notification:new to the practitioner', async () => {
    appointmentId = await bookThroughApi(patient, practice, '10:00');
    const forDoctor = await storedEvents(practice.id, start);
    const forPatient = await storedEvents(patient.id, start);
    expect(forDoctor.map((e) => e.event)).toEqual(['appointment:updated', 'notification:new']);
    expect(forPatient.map((e) => e.event)).toEqual(['appointment:updated']);
    await doctor.until((r) => asStored(r).length >= 2);
    await doctorCrm.until((r) => asStored(r).length >= 2);
    await pat.until((r) => asStored(r).length >= 1);
    const expectedForDoctor = forDoctor.map(({ event, payload }) => ({ event, payload }));
    expect(outboxEvents(doctor)).toEqual(expectedForDoctor);
    expect(outboxEvents(doctorCrm)).toEqual(expectedForDoctor);
    expect(outboxEvents(pat)).toEqual(forPatient.map(({ event, payload }) => ({ event, payload })));

    const [updated, notification] = doctor.of('appointment:updated').concat(
      doctor.of('notification:new'),
    );
    expect(updated).toMatchObject({
      id: appointmentId,
      status: 'pending',
      practitioner_id: practice.id,
      patient_id: patient.id,
      appointment_date: israelDate(7),
      event_id: Number(forDoctor[0].id),
    });
    expect(notification).toMatchObject({
      user_id: practice.id,
      type: 'appointment_request',
      data: { appointment_id: appointmentId, patient_id: patient.id },
      is_read: false,
      event_id: Number(forDoctor[1].id),
    });
    expect(typeof notification.title).toBe('string');
    expect(typeof notification.body).toBe('string');
  });

  it('a confirmation from the CRM: appointment:updated to both, notification:new to the patient', async () => {
    const before = await lastEventId();
    const res = await call(crm, 'PATCH', `/crm/appointments/${appointmentId}/confirm`, {
      token: practice.user.token,
    });
    expect(res.status).toBe(204);
    const forPatient = await storedEvents(patient.id, before);
    expect(forPatient.map((e) => e.event)).toEqual(['appointment:updated', 'notification:new']);
    await pat.until((r) => asStored(r).length >= 3);
    expect(outboxEvents(pat).slice(1)).toEqual(
      forPatient.map(({ event, payload }) => ({ event, payload })),
    );
    expect(pat.of('appointment:updated')[1]).toMatchObject({
      id: appointmentId,
      status: 'confirmed',
    });
    expect(pat.of('notification:new')[0]).toMatchObject({
      user_id: patient.id,
      type: 'appointment_confirmed',
      data: { appointment_id: appointmentId },
    });
    await doctor.until((r) => asStored(r).length >= 3);
    expect(doctor.of('appointment:updated')[1]).toMatchObject({ status: 'confirmed' });
  });

  it('a message through the API: message:new to both parties, with conversation_id', async () => {
    const [{ id: conversationId }] = await db<{ id: string }[]>`
      select id from public.conversations
      where patient_id = ${patient.id} and practitioner_id = ${practice.id}`;
    const before = await lastEventId();
    const messageId = await sendMessage(conversationId, patient, 'Bonjour docteur');
    const forDoctor = (await storedEvents(practice.id, before)).filter((e) =>
      e.event === 'message:new'
    );
    expect(forDoctor).toHaveLength(1);
    await doctor.until((r) => r.some((e) => e.event === 'message:new'));
    await pat.until((r) => r.some((e) => e.event === 'message:new'));
    const [forCrm] = doctor.of('message:new');
    expect(forCrm).toEqual(forDoctor[0].payload);
    expect(forCrm).toMatchObject({
      id: messageId,
      conversation_id: conversationId,
      sender_id: patient.id,
      content: 'Bonjour docteur',
      message_type: 'text',
      event_id: Number(forDoctor[0].id),
    });
    expect(pat.of('message:new')[0]).toMatchObject({
      id: messageId,
      conversation_id: conversationId,
    });
    // The practitioner's notification of it (new_message), as its own event.
    await doctor.until((r) => r.filter((e) => e.event === 'notification:new').length >= 2);
    expect(doctor.of('notification:new')[1]).toMatchObject({
      user_id: practice.id,
      type: 'new_message',
      data: { conversation_id: conversationId, sender_id: patient.id },
    });
  });

  it('never reaches a third user, and each socket gets each event once, in id order', async () => {
    await pause(300);
    expect(outboxEvents(other)).toEqual([]);
    for (const c of [doctor, doctorCrm, pat]) {
      const ids = outboxEvents(c).map((e) => e.payload.event_id as number);
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    }
    const mine = new Set([practice.id, patient.id]);
    for (const c of [doctor, doctorCrm, pat]) {
      for (const e of outboxEvents(c)) {
        const [{ user_id }] = await db<{ user_id: string }[]>`
          select user_id from private.events where id = ${e.payload.event_id as number}`;
        expect(mine.has(user_id)).toBe(true);
      }
    }
    // The practitioner's two sockets got the same events.
    expect(outboxEvents(doctorCrm)).toEqual(outboxEvents(doctor));
    expect(outboxEvents(pat).every((e) => (e.payload as Payload).event_id > start)).toBe(true);
  });
});

describe('the log', () => {
  it('is one JSON object per line, a line per connection, and never a payload or a token', async () => {
    const patient = await createUser();
    const client = await socketOf(patient);
    client.close();
    await pause(200);
    const lines = relay.output().split('\n').filter(Boolean);
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries.find((e) => e.event === 'relay_started')).toMatchObject({ level: 'info' });
    expect(entries).toContainEqual(
      expect.objectContaining({ event: 'socket_connected', user_id: patient.id }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ event: 'socket_disconnected', user_id: patient.id }),
    );
    const text = relay.output();
    expect(text).not.toContain('Bonjour docteur');
    expect(text).not.toContain(patient.token);
    expect(text).not.toMatch(/appointment_request|"title"|"payload"/);
  });
});
