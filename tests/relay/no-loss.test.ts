import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../dev/lib/free-port.ts';
import { db } from '../helpers/db.ts';
import { lastEventId } from '../helpers/lifecycle.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import {
  type Client,
  connect,
  eventually,
  health,
  pause,
  startTestRelay,
  storedEvents,
} from './helpers.ts';

let sql: postgres.Sql;

beforeAll(() => {
  sql = postgres(inject('databaseUrl'), { max: 4, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
});

const eventIds = (c: Client) => c.received.map((r) => r.payload.event_id as number);

/**
 * Writes `count` events for `user` from `lanes` concurrent loops (so transactions interleave
 * and ids commit out of order), `everyMs` apart in each loop.
 */
async function produce(user: TestUser, count: number, lanes = 3, everyMs = 5) {
  let n = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (n < count) {
      const i = n++;
      await sql`select private.emit_event(${user.id}, 'test:tick', ${sql.json({ i })})`;
      await pause(everyMs);
    }
  }));
}

describe('no event is lost', () => {
  it("when the relay's database connections are terminated while events are written", async () => {
    const relayId = `test-${crypto.randomUUID()}`;
    const relay = await startTestRelay({ RELAY_ID: relayId });
    try {
      const user = await createUser();
      const client = await connect(relay.url, { token: user.token });
      const before = await lastEventId();
      let terminated = 0;
      const producing = produce(user, 300);
      for (let round = 0; round < 3; round++) {
        await pause(300);
        const killed = await db<{ pid: number }[]>`
          select pid from pg_stat_activity where application_name like ${`%:${relayId}`}`;
        await db`select pg_terminate_backend(pid) from pg_stat_activity
          where pid = any (${killed.map((k) => k.pid)}::int[])`;
        terminated += killed.length;
      }
      await producing;
      const stored = (await storedEvents(user.id, before)).map((e) => Number(e.id));
      expect(stored).toHaveLength(300);
      // Its pool, its LISTEN connection and the adapter's were all cut, three times.
      expect(terminated).toBeGreaterThanOrEqual(6);
      await client.until(() => client.received.length >= 300, 20_000);
      await pause(300);
      expect(eventIds(client)).toEqual(stored);
      expect((await health(relay)).body).toMatchObject({ status: 'ok', sockets: 1 });
      client.close();
    } finally {
      await relay.stop();
    }
  });

  it('across a stop and a restart: the client reconnects with last_event_id and gets what it missed', async () => {
    const relayId = `test-${crypto.randomUUID()}`;
    const port = await freePort();
    let relay = await startTestRelay({ RELAY_ID: relayId }, port);
    const user = await createUser();
    const before = await lastEventId();
    let client: Client | undefined;
    try {
      // The client remembers the last event it got and sends it at each (re)connection.
      client = await connect(
        relay.url,
        (cb) => {
          const last = client?.received.at(-1)?.payload.event_id;
          cb({ token: user.token, ...(last ? { last_event_id: last } : {}) });
        },
        { reconnection: true },
      );
      await produce(user, 20, 1, 0);
      await client.until(() => client!.received.length >= 20);
      const reasons: string[] = [];
      client.socket.on('disconnect', (reason) => reasons.push(reason));

      // A graceful stop: the position is saved, the sockets are told to reconnect.
      await relay.stop();
      const [saved] = await db<{ last_event_id: string }[]>`
        select last_event_id::text from private.relay_state where relay_id = ${relayId}`;
      expect(Number(saved.last_event_id)).toBeGreaterThanOrEqual(eventIds(client).at(-1)!);
      expect(reasons).toEqual(['transport close']);
      await produce(user, 30, 2, 0);

      relay = await startTestRelay({ RELAY_ID: relayId }, port);
      // It resumes where it stopped.
      expect((await health(relay)).body.last_event_id).toBeGreaterThanOrEqual(
        Number(saved.last_event_id),
      );
      await client.until(() => client!.received.length >= 50, 20_000);
      await produce(user, 10, 1, 0);
      await client.until(() => client!.received.length >= 60);

      // A crash this time: nothing saved, nobody told; the client still catches up.
      await relay.kill();
      await produce(user, 15, 2, 0);
      relay = await startTestRelay({ RELAY_ID: relayId }, port);
      await client.until(() => client!.received.length >= 75, 20_000);
      await pause(300);
      const stored = (await storedEvents(user.id, before)).map((e) => Number(e.id));
      expect(stored).toHaveLength(75);
      expect(eventIds(client)).toEqual(stored);
    } finally {
      client?.close();
      await relay.stop();
    }
  });

  it('saves its position every few seconds while it runs', async () => {
    const relayId = `test-${crypto.randomUUID()}`;
    const relay = await startTestRelay({ RELAY_ID: relayId });
    try {
      const user = await createUser();
      await produce(user, 3, 1, 0);
      const last = await lastEventId();
      await eventually(async () => {
        const [row] = await db<{ last_event_id: string }[]>`
          select last_event_id::text from private.relay_state where relay_id = ${relayId}`;
        return row !== undefined && Number(row.last_event_id) >= last;
      }, 15_000);
    } finally {
      await relay.stop();
    }
  });
});
