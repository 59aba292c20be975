import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningRelayProcess } from '../../dev/relay/start.ts';
import {
  endedIn,
  GapTracker,
  type OutboxEvent,
  parseSnapshot,
} from '../../realtime-relay/outbox.ts';
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
const noWriters = () => Promise.resolve([]);
const allWriters = (running: bigint[]) => Promise.resolve(running);

describe('pg_snapshot', () => {
  it('is parsed from its text form', () => {
    expect(parseSnapshot('10:20:12,15')).toEqual({
      xmin: 10n,
      xmax: 20n,
      xip: new Set([12n, 15n]),
    });
    expect(parseSnapshot('7:7:').xip.size).toBe(0);
  });

  it('tells which transactions had ended', () => {
    const s = parseSnapshot('10:20:12,15');
    expect([9n, 10n, 12n, 13n, 15n, 19n, 20n, 25n].map((x) => endedIn(x, s))).toEqual([
      true,
      true,
      false,
      true,
      false,
      true,
      false,
      false,
    ]);
  });
});

describe('the gap rule', () => {
  it('delivers consecutive ids at once', async () => {
    const g = new GapTracker();
    const r = await g.take(4, rows(5, 6, 7), parseSnapshot('100:100:'), allWriters);
    expect(ids(r.events)).toEqual([5, 6, 7]);
    expect(r.holding).toBe(false);
  });

  it('skips a gap at once when nothing was running (a rolled-back id)', async () => {
    const g = new GapTracker();
    const r = await g.take(4, rows(6, 7), parseSnapshot('100:100:'), allWriters);
    expect(ids(r.events)).toEqual([6, 7]);
  });

  it('holds at a gap while a writer runs, then delivers in order once it committed', async () => {
    const g = new GapTracker();
    const first = await g.take(4, rows(5, 7, 8), parseSnapshot('90:100:95'), allWriters);
    expect(ids(first.events)).toEqual([5]);
    expect(first.holding).toBe(true);
    expect(g.waiting).toEqual({ through: 8, writers: [95n] });
    // Still running: still held.
    const second = await g.take(5, rows(7, 8, 9), parseSnapshot('95:101:95'), allWriters);
    expect(ids(second.events)).toEqual([]);
    // It committed id 6: everything in order.
    const third = await g.take(5, rows(6, 7, 8, 9), parseSnapshot('101:101:'), allWriters);
    expect(ids(third.events)).toEqual([6, 7, 8, 9]);
    expect(third.holding).toBe(false);
  });

  it('skips the gap once its writers ended without it (rolled back)', async () => {
    const g = new GapTracker();
    await g.take(4, rows(5, 7), parseSnapshot('90:100:95'), allWriters);
    const r = await g.take(5, rows(7, 8), parseSnapshot('101:101:'), allWriters);
    expect(ids(r.events)).toEqual([7, 8]);
  });

  it('waits only for transactions writing events, and decides with a later snapshot', async () => {
    const g = new GapTracker();
    // 95 and 96 run, but neither writes events (an unrelated long transaction, say).
    const first = await g.take(4, rows(6), parseSnapshot('95:100:95,96'), noWriters);
    expect(ids(first.events)).toEqual([]);
    expect(first.holding).toBe(true);
    // The next read decides, although 95 and 96 still run.
    const next = await g.take(4, rows(6, 7), parseSnapshot('95:102:95,96'), noWriters);
    expect(ids(next.events)).toEqual([6, 7]);
  });

  it('holds a new gap above the settled ones again', async () => {
    const g = new GapTracker();
    await g.take(4, rows(6), parseSnapshot('95:100:95'), allWriters);
    const r = await g.take(4, rows(6, 9), parseSnapshot('101:103:102'), allWriters);
    expect(ids(r.events)).toEqual([6]);
    expect(r.holding).toBe(true);
    expect(g.waiting).toEqual({ through: 9, writers: [102n] });
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
