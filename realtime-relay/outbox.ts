import type postgres from 'postgres';

/**
 * Reading the events outbox (private.events) in id order from the last id processed.
 *
 * Ids are taken when a row is inserted, not when its transaction commits, so a reader can see
 * id n+1 while n is still in flight. Skipping n then would lose it; waiting for every gap would
 * stall on the ids of rolled-back transactions, which never come. So a gap is held only while a
 * transaction that could have taken one of its ids is still running:
 *
 * - ids come from one sequence, handed out in increasing order (the identity's cache of 1), so
 *   every id below a visible one was taken before the read that sees it;
 * - a transaction that inserts into private.events holds its RowExclusiveLock from the start of
 *   the statement (before the id is taken) to its end: those still running that hold it when
 *   the gap is seen are the only ones that can still commit a missing id (an unrelated long
 *   transaction does not hold delivery back);
 * - once none of them holds it any more, a read started after that shows every missing id that
 *   committed; what it does not show was rolled back, and is skipped.
 *
 * The snapshot's in-progress list (pg_current_snapshot, the rows' written_by) does not suffice:
 * a transaction whose first write is the event takes the id before it has a transaction id, so
 * a snapshot taken in between lists nothing that could hold it. The lock is held already.
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

/** A gap the reader waits on: every id up to `through` is final once none of `writers` runs. */
interface Held {
  through: number;
  /** The transactions (virtual ids) writing to the outbox when the gap was seen. */
  writers: string[];
}

export interface ReadResult {
  /** Events now deliverable, in id order. */
  events: OutboxEvent[];
  /** The reader stopped at a gap whose writers may still commit. */
  holding: boolean;
}

/** The transactions writing to the outbox right now (a set of virtual transaction ids). */
export type Writers = () => Promise<Set<string>>;

/**
 * The gap rule, apart from the database: `check` before each read, `take` with what the read
 * returned (ids above `cursor`, in order).
 */
export class GapTracker {
  private held: Held | undefined;
  /** Every id up to this one is final: visible to the reads that follow, or never. */
  private settledThrough = 0;

  /** The gap being waited on, if any. */
  get waiting(): Readonly<Held> | undefined {
    return this.held;
  }

  /**
   * Before a read: once none of the held gap's writers runs, every id up to its `through` is
   * final for the read that follows.
   */
  async check(writers: Writers): Promise<void> {
    if (!this.held) return;
    const running = await writers();
    if (this.held.writers.some((w) => running.has(w))) return;
    this.settledThrough = Math.max(this.settledThrough, this.held.through);
    this.held = undefined;
  }

  /** Which of `rows` can be delivered now; a new gap records who may still fill it. */
  async take(cursor: number, rows: OutboxEvent[], writers: Writers): Promise<ReadResult> {
    const events: OutboxEvent[] = [];
    let last = cursor;
    for (const row of rows) {
      if (row.id === last + 1 || row.id - 1 <= this.settledThrough) {
        events.push(row);
        last = row.id;
        continue;
      }
      if (!this.held) {
        // Every id under the last one read was taken before this read; whoever may still
        // commit one of them writes to the outbox now. Decided by a later read, even when
        // nobody does: one may have committed between this read and the lock check.
        this.held = { through: rows[rows.length - 1].id, writers: [...await writers()] };
      }
      return { events, holding: true };
    }
    return { events, holding: this.held !== undefined };
  }
}

type Sql = postgres.Sql;

interface Row {
  id: string;
  user_id: string;
  event: string;
  payload: Record<string, unknown>;
  created_ms: number;
}

/** Ids above `after` in order, at most `limit`. */
export async function readAfter(sql: Sql, after: number, limit: number): Promise<OutboxEvent[]> {
  const rows = await sql<Row[]>`
    select e.id::text as id, e.user_id, e.event,
           e.payload || jsonb_build_object('event_id', e.id) as payload,
           (extract(epoch from e.created_at) * 1000)::float8 as created_ms
    from private.events e
    where e.id > ${after}
    order by e.id
    limit ${limit}`;
  return rows.map((r): OutboxEvent => ({
    id: Number(r.id),
    userId: r.user_id,
    event: r.event,
    payload: r.payload,
    createdAtMs: r.created_ms,
  }));
}

/**
 * The transactions writing to private.events now: the holders of its RowExclusiveLock in this
 * database (pg_locks lists fast-path locks too), by virtual transaction id, which every
 * transaction has from its start.
 */
export async function outboxWriters(sql: Sql): Promise<Set<string>> {
  const [{ writers }] = await sql<{ writers: string[] }[]>`
    select coalesce(array_agg(distinct virtualtransaction), '{}') as writers
    from pg_locks
    where locktype = 'relation'
      and database = (select oid from pg_database where datname = current_database())
      and relation = 'private.events'::regclass
      and mode = 'RowExclusiveLock'`;
  return new Set(writers);
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
      try {
        const writers = () => outboxWriters(sql);
        await this.gaps.check(writers);
        const rows = await readAfter(sql, this.cursor, batchSize);
        const result = await this.gaps.take(this.cursor, rows, writers);
        this.failures = 0;
        if (this.stopped) return;
        const last = rows.at(-1);
        if (last) this.highestSeen = Math.max(this.highestSeen, last.id);
        if (result.events.length > 0) {
          this.cursor = result.events[result.events.length - 1].id;
          this.options.deliver(result.events);
        }
        const pending = rows[result.events.length];
        this.oldestPendingMs = pending?.createdAtMs;
        if (result.holding) this.later(gapRetryMs);
        else if (rows.length === batchSize) this.again = true;
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
