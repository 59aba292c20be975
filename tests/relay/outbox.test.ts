import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningRelayProcess } from '../../dev/relay/start.ts';
import { GapTracker, type OutboxEvent } from '../../realtime-relay/outbox.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { type Client, connect, pause, startTestRelay } from './helpers.ts';

const row = (id: number): OutboxEvent => ({
  id,
  userId: 'u',
  event: 'test:tick',
  payload: { event_id: id },
  createdAtMs: 0,
});
const rows = (...ids: number[]) => ids.map(row);
const ids = (events: OutboxEvent[]) => events.map((e) => e.id);
/** The outbox's writers at the time of the call. */
const writing = (...vxids: string[]) => () => Promise.resolve(new Set(vxids));

describe('the gap rule', () => {
  it('delivers consecutive ids at once', async () => {
    const g = new GapTracker();
    const r = await g.take(4, rows(5, 6, 7), writing('3/7'));
    expect(ids(r.events)).toEqual([5, 6, 7]);
    expect(r.holding).toBe(false);
  });

  it('holds at a gap while a writer of that time runs, then delivers in order', async () => {
    const g = new GapTracker();
    const first = await g.take(4, rows(5, 7, 8), writing('3/7', '4/12'));
    expect(ids(first.events)).toEqual([5]);
    expect(first.holding).toBe(true);
    expect(g.waiting).toEqual({ through: 8, writers: ['3/7', '4/12'] });
    // 4/12 still writes: still held, whatever the read shows beyond the gap.
    await g.check(writing('4/12', '5/1'));
    const second = await g.take(5, rows(7, 8, 9), writing('4/12', '5/1'));
    expect(ids(second.events)).toEqual([]);
    expect(second.holding).toBe(true);
    // Both ended (5/1 came later and does not count): the next read decides, 6 committed.
    await g.check(writing('5/1'));
    const third = await g.take(5, rows(6, 7, 8, 9), writing('5/1'));
    expect(ids(third.events)).toEqual([6, 7, 8, 9]);
    expect(third.holding).toBe(false);
  });

  it('skips a missing id once its writers ended without it (rolled back)', async () => {
    const g = new GapTracker();
    await g.take(4, rows(5, 7), writing('3/7'));
    await g.check(writing());
    const r = await g.take(5, rows(7, 8), writing());
    expect(ids(r.events)).toEqual([7, 8]);
  });

  it('decides a gap nobody writes into at the next read, not at the one that saw it', async () => {
    const g = new GapTracker();
    // Nobody writes now, but a writer may have committed between the read and the lock check.
    const first = await g.take(4, rows(6), writing());
    expect(ids(first.events)).toEqual([]);
    expect(first.holding).toBe(true);
    await g.check(writing('9/9'));
    const next = await g.take(4, rows(5, 6, 7), writing('9/9'));
    expect(ids(next.events)).toEqual([5, 6, 7]);
  });

  it('holds a new gap above the settled ones again', async () => {
    const g = new GapTracker();
    await g.take(4, rows(6), writing('3/7'));
    await g.check(writing());
    const r = await g.take(4, rows(6, 9), writing('6/2'));
    expect(ids(r.events)).toEqual([6]);
    expect(r.holding).toBe(true);
    expect(g.waiting).toEqual({ through: 9, writers: ['6/2'] });
  });
});

describe('the relay and transactions in flight', () => {
  let relay: RunningRelayProcess;
  let sql: postgres.Sql;
  let user: TestUser;
  let client: Client;
  const received = () => client.received.map((r) => r.payload.event_id as number);

  beforeAll(async () => {
    relay = await startTestRelay();
    sql = postgres(inject('databaseUrl'), { max: 6, onnotice: () => {} });
    user = await createUser();
    client = await connect(relay.url, { token: user.token });
  });

  afterAll(async () => {
    client?.close();
    await sql?.end();
    await relay?.stop();
  });

  const emit = async (tx: postgres.Sql | postgres.TransactionSql, label: string) => {
    await tx`select private.emit_event(${user.id}, 'test:tick', jsonb_build_object('label', ${label}::text))`;
    const [{ id }] = await tx<{ id: string }[]>`
      select max(id)::text as id from private.events
      where user_id = ${user.id} and payload ->> 'label' = ${label}`;
    return Number(id);
  };

  /** Runs `work` in a transaction that stays open until `release` is called. */
  function openTransaction<T>(work: (tx: postgres.TransactionSql) => Promise<T>) {
    let release!: (commit: boolean) => void;
    const decided = new Promise<boolean>((resolve) => (release = resolve));
    let value!: (v: T) => void;
    const ready = new Promise<T>((resolve) => (value = resolve));
    const done = sql.begin(async (tx) => {
      value(await work(tx));
      if (!(await decided)) throw new Error('rollback');
    }).catch((e) => {
      if ((e as Error).message !== 'rollback') throw e;
    });
    return { ready, release, done };
  }

  it('holds a later event while an earlier one is uncommitted, then sends both in order', async () => {
    const slow = openTransaction((tx) => emit(tx, 'slow'));
    const early = await slow.ready;
    const late = await emit(sql, 'fast');
    expect(late).toBeGreaterThan(early);
    await pause(400);
    expect(received()).not.toContain(late);
    slow.release(true);
    await slow.done;
    await client.until(() => received().includes(late));
    expect(received().slice(-2)).toEqual([early, late]);
  });

  it('holds a later event while an earlier one has its id but no transaction id yet', async () => {
    // A transaction whose first write is the event takes the id before it gets a transaction id
    // (here a trigger stands still in between): no snapshot lists it as running.
    await sql`create function private.test_pause_before_insert() returns trigger
      language plpgsql as $$
      begin perform pg_sleep((new.payload ->> 'pause_seconds')::float); return new; end $$`;
    await sql`create trigger test_pause_before_insert before insert on private.events
      for each row when (new.payload ? 'pause_seconds')
      execute function private.test_pause_before_insert()`;
    try {
      // The sequence logs ahead, so some ids come with a transaction id: try until one does not.
      for (let attempt = 1;; attempt++) {
        const label = `paused-${attempt}`;
        const slow = sql`insert into private.events (user_id, event, payload, written_by)
          values (${user.id}, 'test:tick', ${sql.json({ pause_seconds: 1, label })}, '0')`;
        void slow.catch(() => {});
        await pause(300);
        const [paused] = await sql<{ xid: string | null }[]>`
          select backend_xid::text as xid from pg_stat_activity
          where query like 'insert into private.events%written_by%' and state = 'active'`;
        expect(paused).toBeDefined();
        if (paused.xid !== null && attempt < 10) {
          await slow;
          continue;
        }
        expect(paused.xid).toBeNull();
        const late = await emit(sql, `after-${label}`);
        await slow;
        await client.until(() => received().includes(late), 5000);
        const [{ id }] = await sql<{ id: string }[]>`
          select id::text from private.events
          where user_id = ${user.id} and payload ->> 'label' = ${label}`;
        expect(Number(id)).toBeLessThan(late);
        expect(received().slice(-2)).toEqual([Number(id), late]);
        return;
      }
    } finally {
      await sql`drop trigger test_pause_before_insert on private.events`;
      await sql`drop function private.test_pause_before_insert()`;
    }
  });

  it('does not wait for an event whose transaction rolled back', async () => {
    const doomed = openTransaction((tx) => emit(tx, 'doomed'));
    const lost = await doomed.ready;
    const kept = await emit(sql, 'kept');
    doomed.release(false);
    await doomed.done;
    await client.until(() => received().includes(kept), 2000);
    expect(received()).not.toContain(lost);
  });

  it('is not held back by an unrelated transaction that stays open', async () => {
    // A transaction with an id (it wrote, or asked for one) that never touches the outbox.
    const unrelated = openTransaction((tx) => tx`select pg_current_xact_id()`);
    await unrelated.ready;
    const doomed = openTransaction((tx) => emit(tx, 'doomed-2'));
    await doomed.ready;
    const kept = await emit(sql, 'kept-2');
    doomed.release(false);
    await doomed.done;
    const started = Date.now();
    await client.until(() => received().includes(kept), 3000);
    expect(Date.now() - started).toBeLessThan(1500);
    unrelated.release(true);
    await unrelated.done;
  });
});
