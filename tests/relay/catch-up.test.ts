import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRelayProcess } from '../../dev/relay/start.ts';
import { db } from '../helpers/db.ts';
import { lastEventId } from '../helpers/lifecycle.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import {
  asStored,
  type Auth,
  type Client,
  connect,
  pause,
  readUpToNow,
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

async function open(auth: Auth): Promise<Client> {
  const client = await connect(relay.url, auth);
  clients.push(client);
  return client;
}

/** `count` events for `user`, written in one statement; returns their ids. */
async function emit(user: TestUser, count: number, label = 'tick'): Promise<number[]> {
  const rows = await db<{ id: string }[]>`
    select private.emit_event(${user.id}, 'test:tick', jsonb_build_object('n', n, 'label', ${label}::text))
    from generate_series(1, ${count}) n`;
  expect(rows).toHaveLength(count);
  const stored = await db<{ id: string }[]>`
    select id::text from private.events
    where user_id = ${user.id} and payload ->> 'label' = ${label} order by events.id`;
  return stored.map((r) => Number(r.id));
}

const ids = (c: Client) => asStored(c.received).map((e) => e.payload.event_id as number);

describe('catching up with last_event_id', () => {
  it('sends what was missed after that id, in order, then the live events, none twice', async () => {
    const user = await createUser();
    const before = await lastEventId();
    const missed = await emit(user, 5, 'missed');
    const client = await open({ token: user.token, last_event_id: before });
    await client.until((r) => r.length >= 5);
    const live = await emit(user, 3, 'live');
    await client.until((r) => r.length >= 8);
    await pause(200);
    expect(ids(client)).toEqual([...missed, ...live]);
    expect(asStored(client.received)).toEqual(
      (await storedEvents(user.id, before)).map(({ event, payload }) => ({ event, payload })),
    );
  });

  it('merges the catch-up with events written while it runs: each once, in order', async () => {
    const user = await createUser();
    const before = await lastEventId();
    await emit(user, 50, 'early');
    // Events keep coming while the client connects and catches up.
    let writing = true;
    const writer = (async () => {
      let n = 0;
      while (writing && n < 200) {
        await db`select private.emit_event(${user.id}, 'test:tick', ${db.json({ n: n++ })})`;
      }
    })();
    await pause(20);
    const client = await open({ token: user.token, last_event_id: before });
    await pause(300);
    writing = false;
    await writer;
    const stored = await storedEvents(user.id, before);
    await client.until((r) => r.length >= stored.length);
    await pause(200);
    expect(ids(client)).toEqual(stored.map((e) => Number(e.id)));
  });

  it('accepts the id as digits', async () => {
    const user = await createUser();
    const before = await lastEventId();
    const missed = await emit(user, 2);
    const client = await open({ token: user.token, last_event_id: String(before) });
    await client.until((r) => r.length >= 2);
    expect(ids(client)).toEqual(missed);
  });

  it('without last_event_id (the CRM), sends only what comes after the connection', async () => {
    const user = await createUser();
    await emit(user, 3, 'earlier');
    await readUpToNow(relay);
    const client = await open({ token: user.token });
    const live = await emit(user, 2, 'later');
    await client.until((r) => r.length >= 2);
    await pause(200);
    expect(ids(client)).toEqual(live);
  });

  it('reads an unusable last_event_id as none', async () => {
    const user = await createUser();
    await emit(user, 2, 'earlier');
    await readUpToNow(relay);
    for (const last_event_id of [-1, 1.5, 'abc', '12a', { id: 1 }]) {
      const client = await open({ token: user.token, last_event_id });
      await pause(100);
      expect(client.received).toEqual([]);
      client.close();
    }
  });

  it('sends at most the newest 500', async () => {
    const user = await createUser();
    const before = await lastEventId();
    const written = await emit(user, 600, 'many');
    await readUpToNow(relay);
    const client = await open({ token: user.token, last_event_id: before });
    await client.until((r) => r.length >= 500);
    await pause(300);
    expect(ids(client)).toEqual(written.slice(100));
  });

  it('sends nothing older than 24 hours', async () => {
    const user = await createUser();
    const before = await lastEventId();
    await db`insert into private.events (user_id, event, payload, created_at)
      values (${user.id}, 'test:tick', '{"age":"old"}', now() - interval '25 hours')`;
    const recent = await emit(user, 2, 'recent');
    // Through the catch-up (a relay that has not read them yet would send them live).
    await readUpToNow(relay);
    const client = await open({ token: user.token, last_event_id: before });
    await client.until((r) => r.length >= 2);
    await pause(200);
    expect(ids(client)).toEqual(recent);
  });

  it('sends nothing again to a client that says it has more than this relay read', async () => {
    const user = await createUser();
    const written = await emit(user, 3, 'seen');
    // A client that got these from another relay: nothing of them again, the next ones live.
    const client = await open({ token: user.token, last_event_id: written.at(-1)! });
    const live = await emit(user, 2, 'next');
    await client.until((r) => r.length >= 2);
    await pause(200);
    expect(ids(client)).toEqual(live);
  });

  it('reads an id beyond the outbox as its end: the next events still arrive', async () => {
    const user = await createUser();
    const client = await open({ token: user.token, last_event_id: 999_999_999_999 });
    const live = await emit(user, 2, 'after');
    await client.until((r) => r.length >= 2);
    expect(ids(client)).toEqual(live);
  });
});
