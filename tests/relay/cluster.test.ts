import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRelayProcess } from '../../dev/relay/start.ts';
import { db } from '../helpers/db.ts';
import { openPractice, type Practice } from '../helpers/practice.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import {
  asStored,
  type Client,
  connect,
  eventually,
  health,
  pause,
  startTestRelay,
  storedEvents,
} from './helpers.ts';

let a: RunningRelayProcess;
let b: RunningRelayProcess;
const ids = { a: `test-${crypto.randomUUID()}`, b: `test-${crypto.randomUUID()}` };
const clients: Client[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([
    startTestRelay({ RELAY_ID: ids.a }),
    startTestRelay({ RELAY_ID: ids.b }),
  ]);
  // Each knows the other through the adapter (heartbeats over NOTIFY).
  await eventually(async () => (await health(a)).body.relays === 2, 15_000);
  await eventually(async () => (await health(b)).body.relays === 2, 15_000);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

async function on(relay: RunningRelayProcess, user: TestUser): Promise<Client> {
  const client = await connect(relay.url, { token: user.token });
  clients.push(client);
  return client;
}

const presence = (c: Client) =>
  c.received.filter((r) => r.event.startsWith('presence:')).map((r) => [r.event, r.payload]);

describe('two relays, clients spread across them', () => {
  it('deliver each event once to each socket of its recipient, wherever it is connected', async () => {
    const [u, v, w] = await Promise.all([createUser(), createUser(), createUser()]);
    const [uOnA, uOnB, vOnB, wOnA] = [
      await on(a, u),
      await on(b, u),
      await on(b, v),
      await on(a, w),
    ];
    const [{ before }] = await db<{ before: number }[]>`
      select coalesce(max(id), 0)::int as before from private.events`;
    await db`select private.emit_event(${u.id}, 'test:tick', jsonb_build_object('n', n))
      from generate_series(1, 20) n`;
    await db`select private.emit_event(${v.id}, 'test:tick', jsonb_build_object('n', n))
      from generate_series(1, 5) n`;
    const forU = (await storedEvents(u.id, before)).map(({ event, payload }) => ({
      event,
      payload,
    }));
    const forV = (await storedEvents(v.id, before)).map(({ event, payload }) => ({
      event,
      payload,
    }));
    await uOnA.until((r) => r.length >= 20);
    await uOnB.until((r) => r.length >= 20);
    await vOnB.until((r) => r.length >= 5);
    await pause(300);
    expect(asStored(uOnA.received)).toEqual(forU);
    expect(asStored(uOnB.received)).toEqual(forU);
    expect(asStored(vOnB.received)).toEqual(forV);
    expect(wOnA.received).toEqual([]);
  });
});

describe('presence across relays', () => {
  /** A practitioner and a patient sharing a conversation, and a third user. */
  async function pair(): Promise<{ practice: Practice; patient: TestUser; stranger: TestUser }> {
    const practice = await openPractice();
    const [patient, stranger] = await Promise.all([createUser(), createUser()]);
    await db`insert into public.conversations (patient_id, practitioner_id)
      values (${patient.id}, ${practice.id})`;
    return { practice, patient, stranger };
  }

  it('online when the first socket connects anywhere, offline when the last leaves', async () => {
    const { practice, patient, stranger } = await pair();
    const doctor = await on(a, practice.user);
    const third = await on(a, stranger);
    const first = await on(b, patient);
    await doctor.until((r) => r.some((e) => e.event === 'presence:online'));
    expect(presence(doctor)).toEqual([['presence:online', { user_id: patient.id }]]);

    // A second socket on the other relay, then the first one leaving: still online, no news.
    const second = await on(a, patient);
    await pause(500);
    first.close();
    await pause(500);
    expect(presence(doctor)).toEqual([['presence:online', { user_id: patient.id }]]);

    second.close();
    await doctor.until((r) => r.some((e) => e.event === 'presence:offline'));
    await pause(300);
    expect(presence(doctor)).toEqual([
      ['presence:online', { user_id: patient.id }],
      ['presence:offline', { user_id: patient.id }],
    ]);
    // Nobody else hears of it. The patient may hear that the practitioner is online (when
    // that news went out after the patient's socket joined), never of anyone else.
    expect(third.received).toEqual([]);
    for (const [event, payload] of presence(first).concat(presence(second))) {
      expect([event, payload]).toEqual(['presence:online', { user_id: practice.id }]);
    }
    doctor.close();
    third.close();
  });

  it('tells the patient when the practitioner comes and goes, across relays', async () => {
    const { practice, patient } = await pair();
    const pat = await on(b, patient);
    const doctor = await on(a, practice.user);
    await pat.until((r) => r.some((e) => e.event === 'presence:online'));
    doctor.close();
    await pat.until((r) => r.some((e) => e.event === 'presence:offline'));
    expect(presence(pat)).toEqual([
      ['presence:online', { user_id: practice.id }],
      ['presence:offline', { user_id: practice.id }],
    ]);
    pat.close();
    await pause(300);
  });

  it('says online at least once when two sockets connect at once on two relays', async () => {
    const { practice, patient } = await pair();
    const doctor = await on(a, practice.user);
    const [one, two] = await Promise.all([on(a, patient), on(b, patient)]);
    await doctor.until((r) => r.some((e) => e.event === 'presence:online'));
    await pause(500);
    const online = presence(doctor).filter(([event]) => event === 'presence:online');
    expect(online.length).toBeGreaterThanOrEqual(1);
    expect(online.length).toBeLessThanOrEqual(2);
    one.close();
    two.close();
    await doctor.until((r) => r.some((e) => e.event === 'presence:offline'));
    doctor.close();
    await pause(300);
  });

  it("still crosses relays after their adapter's connections were terminated", async () => {
    const { practice, patient } = await pair();
    const adapterOf = (id: string) => `dokal-relay-adapter:${id}`.slice(0, 63);
    await db`select pg_terminate_backend(pid) from pg_stat_activity
      where application_name in (${adapterOf(ids.a)}, ${adapterOf(ids.b)})`;
    // Each adapter listens again on a new connection.
    for (const id of [ids.a, ids.b]) {
      await eventually(async () => {
        const [{ n }] = await db<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where application_name = ${adapterOf(id)} and query like 'LISTEN%'`;
        return n > 0;
      }, 15_000);
    }
    const doctor = await on(a, practice.user);
    const pat = await on(b, patient);
    await doctor.until((r) => r.some((e) => e.event === 'presence:online'));
    expect(presence(doctor)).toEqual([['presence:online', { user_id: patient.id }]]);
    pat.close();
    doctor.close();
  });
});
