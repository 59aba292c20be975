import type postgres from 'postgres';

/**
 * Reading the events outbox (private.events) in id order from the last id processed.
 *
 * Ids are taken when a row is inserted, not when its transaction commits, so a reader can see
 * id n+1 while n is still in flight. Skipping n then would lose it; waiting for every gap would
 * stall on the ids of rolled-back transactions, which never come. So a gap is held only while a
 * transaction that could have taken its id is still running:
 *
 * - ids come from one sequence in increasing order, so every id below a visible one was taken
 *   before the snapshot that sees it; the transaction of a missing one had either ended then
 *   (the row is visible, or never will be) or was in the snapshot's in-progress list;
 * - of those, only the ones writing to private.events at that moment (they hold its
 *   RowExclusiveLock until they end) can hold a missing id: an unrelated long transaction does
 *   not hold delivery back;
 * - once every one of them has ended, as a later snapshot shows, the rows below are final: what
 *   that snapshot does not show was rolled back.
 *
 * So the relay never advances past an id still in flight, and never waits on one that is gone.
 */

export interface OutboxEvent {
  id: number;
  userId: string;
  event: string;
  /** The stored payload with its `event_id`. */
  payload: Record<string, unknown>;
  createdAtMs: number;
}

/** A pg_snapshot: transactions below xmin have ended; xip were running; xmax and above had not started. */
export interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  xip: Set<bigint>;
}

/** Parses the text form of a pg_snapshot, `xmin:xmax:xip,xip,...`. */
export function parseSnapshot(text: string): Snapshot {
  const [xmin, xmax, list] = text.split(':');
  return {
    xmin: BigInt(xmin),
    xmax: BigInt(xmax),
    xip: new Set(list ? list.split(',').map((x) => BigInt(x)) : []),
  };
}

/** True when transaction `xid` had ended (committed or rolled back) when `snapshot` was taken. */
export const endedIn = (xid: bigint, snapshot: Snapshot): boolean =>
  xid < snapshot.xmin || (xid < snapshot.xmax && !snapshot.xip.has(xid));

/** A gap the reader waits on: every id up to `through` is final once all of `writers` ended. */
interface Held {
  through: number;
  writers: bigint[];
}

export interface ReadResult {
  /** Events now deliverable, in id order. */
  events: OutboxEvent[];
  /** The reader stopped at a gap whose writers may still commit. */
  holding: boolean;
}

/**
 * The gap rule, without the database: given what one read returned (`rows`, ids above `cursor`
 * in order) under `snapshot`, which rows can be delivered now.
 */
export class GapTracker {
  private held: Held | undefined;
  /** Every id up to this one is final (visible now or never). */
  private settledThrough = 0;

  /** The gap being waited on, if any. */
  get waiting(): Readonly<Held> | undefined {
    return this.held;
  }

  /**
   * `writersOf` narrows a snapshot's in-progress transactions to those that may hold a missing
   * id; it is called only when a new gap appears, and its answer may come from after the
   * snapshot (see the file's comment).
   */
  async take(
    cursor: number,
    rows: OutboxEvent[],
    snapshot: Snapshot,
    writersOf: (inProgress: bigint[]) => Promise<bigint[]>,
  ): Promise<ReadResult> {
    if (this.held && this.held.writers.every((x) => endedIn(x, snapshot))) {
      this.settledThrough = Math.max(this.settledThrough, this.held.through);
      this.held = undefined;
    }
    const events: OutboxEvent[] = [];
    let last = cursor;
    for (const row of rows) {
      if (row.id === last + 1 || row.id - 1 <= this.settledThrough) {
        events.push(row);
        last = row.id;
        continue;
      }
      if (this.held) return { events, holding: true };
      // A new gap below `row`: every id under the last visible one was taken before `snapshot`.
      const through = rows[rows.length - 1].id;
      const writers = snapshot.xip.size === 0 ? [] : await writersOf([...snapshot.xip]);
      if (snapshot.xip.size === 0) {
        // Nothing was running: the missing ids are final in this very snapshot.
        this.settledThrough = Math.max(this.settledThrough, through);
        events.push(row);
        last = row.id;
        continue;
      }
      // Decided by a later snapshot, even with no writer left: one may have committed between
      // this snapshot and the lock check.
      this.held = { through, writers };
      return { events, holding: true };
    }
    return { events, holding: this.held !== undefined };
  }
}

type Sql = postgres.Sql;

interface Row {
  snapshot: string;
  id: string | null;
  user_id: string;
  event: string;
  payload: Record<string, unknown>;
  created_ms: number;
}

/** Ids above `after` in order, at most `limit`, with the statement's own snapshot. */
export async function readAfter(sql: Sql, after: number, limit: number) {
  const rows = await sql<Row[]>`
    select s.snapshot, e.id::text as id, e.user_id, e.event, e.payload, e.created_ms
    from (select pg_current_snapshot()::text as snapshot) s
    left join lateral (
      select id, user_id, event, payload || jsonb_build_object('event_id', id) as payload,
             (extract(epoch from created_at) * 1000)::float8 as created_ms
      from private.events
      where id > ${after}
      order by id
      limit ${limit}
    ) e on true
    order by e.id`;
  return {
    snapshot: parseSnapshot(rows[0].snapshot),
    events: rows.filter((r) => r.id !== null).map((r): OutboxEvent => ({
      id: Number(r.id),
      userId: r.user_id,
      event: r.event,
      payload: r.payload,
      createdAtMs: r.created_ms,
    })),
  };
}

/**
 * Of `inProgress` (a snapshot's running transactions), those writing to private.events now:
 * they hold its RowExclusiveLock, and their own transaction id lock names them. pg_locks shows
 * 32-bit ids; the snapshot's are 64-bit.
 */
export async function eventWriters(sql: Sql, inProgress: bigint[]): Promise<bigint[]> {
  const [{ writers }] = await sql<{ writers: string[] }[]>`
    select coalesce(array_agg(x::text), '{}') as writers
    from unnest(${`{${inProgress.join(',')}}`}::xid8[]) as x
    where (x::text::numeric % 4294967296)::text in (
      select t.transactionid::text
      from pg_locks r
      join pg_locks t on t.virtualtransaction = r.virtualtransaction
        and t.locktype = 'transactionid' and t.mode = 'ExclusiveLock'
      where r.locktype = 'relation' and r.relation = 'private.events'::regclass
        and r.mode = 'RowExclusiveLock'
    )`;
  return writers.map((x) => BigInt(x));
}

export interface OutboxReaderOptions {
  sql: Sql;
  /** The last id already processed: reading starts after it. */
  after: number;
  /** Called in id order, synchronously with the cursor's move. */
  deliver: (events: OutboxEvent[]) => void;
  onError: (error: unknown) => void;
  /** Rows per read. Default 1000. */
  batchSize?: number;
  /** Pause before looking again at a held gap. Default 10 ms. */
  gapRetryMs?: number;
}

/** Where the reader stands, for /healthz. */
export interface OutboxStatus {
  lastEventId: number;
  /** The highest id seen, delivered or not. */
  highestSeen: number;
  /** Age of the oldest event seen but not delivered yet (0 when none). */
  lagMs: number;
  /** The last read failed (the database is away). */
  failing: boolean;
}

/**
 * Reads the outbox whenever poked (a signal, a timer), one read at a time; a poke during a read
 * makes one more read after it. A failed read is retried with a short backoff: a lost
 * connection only delays events.
 */
export class OutboxReader {
  cursor: number;
  private highestSeen: number;
  private oldestPendingMs: number | undefined;
  private failures = 0;
  private readonly gaps = new GapTracker();
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: OutboxReaderOptions) {
    this.cursor = options.after;
    this.highestSeen = options.after;
  }

  status(): OutboxStatus {
    return {
      lastEventId: this.cursor,
      highestSeen: this.highestSeen,
      lagMs: this.oldestPendingMs === undefined
        ? 0
        : Math.max(0, Date.now() - this.oldestPendingMs),
      failing: this.failures > 0,
    };
  }

  /** Something may have been written: read now, or right after the read under way. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once the read under way, if any, has ended; no read starts after. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.running;
  }

  private later(ms: number): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.poke(), ms);
  }

  private async loop(): Promise<void> {
    const { sql, batchSize = 1000, gapRetryMs = 10 } = this.options;
    do {
      this.again = false;
      let read;
      try {
        read = await readAfter(sql, this.cursor, batchSize);
        const result = await this.gaps.take(
          this.cursor,
          read.events,
          read.snapshot,
          (running) => eventWriters(sql, running),
        );
        this.failures = 0;
        if (this.stopped) return;
        const last = read.events.at(-1);
        if (last) this.highestSeen = Math.max(this.highestSeen, last.id);
        if (result.events.length > 0) {
          this.cursor = result.events[result.events.length - 1].id;
          this.options.deliver(result.events);
        }
        const pending = read.events[result.events.length];
        this.oldestPendingMs = pending?.createdAtMs;
        if (result.holding) this.later(gapRetryMs);
        else if (read.events.length === batchSize) this.again = true;
      } catch (e) {
        this.failures++;
        if (this.failures === 1) this.options.onError(e);
        this.later(Math.min(100 * 2 ** (this.failures - 1), 2000));
        return;
      }
    } while (this.again && !this.stopped);
  }
}

/**
 * Where a relay starts reading: where it stopped last time (saved within the last 24 hours,
 * and not beyond the outbox's end), else at the current end.
 */
export async function startingPoint(sql: Sql, relayId: string): Promise<number> {
  const [{ saved, newest }] = await sql<{ saved: string | null; newest: string }[]>`
    select (select last_event_id from private.relay_state
            where relay_id = ${relayId} and saved_at > now() - interval '24 hours')::text as saved,
           (select coalesce(max(id), 0) from private.events)::text as newest`;
  return Math.min(Number(saved ?? newest), Number(newest));
}

/** Saves where a relay stands, so a restart resumes there. */
export async function savePosition(sql: Sql, relayId: string, lastEventId: number): Promise<void> {
  await sql`
    insert into private.relay_state (relay_id, last_event_id) values (${relayId}, ${lastEventId})
    on conflict (relay_id) do update
      set last_event_id = excluded.last_event_id, saved_at = now()`;
}
