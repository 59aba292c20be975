import postgres from 'postgres';
import { config } from '../config.ts';

export type Sql = postgres.Sql;
/**
 * What a unit of work runs its statements on: one connection inside a transaction (a reserved
 * connection of `asUser`, or `sql.begin`'s).
 */
export type Tx = postgres.ISql;
/** A piece of SQL to embed in a bigger statement, built with `tx\`...\``. */
export type Fragment = postgres.PendingQuery<postgres.Row[]>;
/** The driver's options, with its `socket` option (a connected socket per connection), untyped there. */
export type DriverOptions = postgres.Options<Record<string, postgres.PostgresType>> & {
  socket?: (target: { host: string[]; port: number[]; path?: string | false }) => unknown;
};

/** Dates stay `YYYY-MM-DD` strings: a JS Date would shift them to a UTC midnight timestamp. */
export const textDates = {
  date: { to: 1082, from: [1082], serialize: (d: string) => d, parse: (d: string) => d },
};

let pool: Sql | undefined;
let addedOptions: DriverOptions = {};

/**
 * Driver options laid over the pool's own, before its first connection. The functions never
 * call it: the benchmark's gateway does, to count statements and socket writes without
 * deployed code carrying that instrumentation.
 */
export function addDriverOptions(options: DriverOptions): void {
  if (pool) throw new Error('The database pool is already open: add driver options before it.');
  addedOptions = { ...addedOptions, ...options };
}

/**
 * Seconds one attempt to connect may take. Half the statement timeout: a query that finds every
 * pool connection reconnecting waits for one attempt to fail, then makes its own, so a request
 * to an unreachable database still answers 503 within about one statement timeout.
 */
const connectTimeoutSeconds = (statementTimeoutMs: number) =>
  Math.min(5, statementTimeoutMs / 2000);

/**
 * Seconds before a connection that failed tries again. The driver's default grows to 20 s with
 * the failures of the whole pool and only resets on a success, so after an outage the pool would
 * wait that long after the database is back; queries queued behind the connection wait it too.
 */
const reconnectDelaySeconds = (failures: number) => Math.min(0.1 * failures, 1);

function connect(): Sql {
  const c = config();
  return postgres(c.databaseUrl, {
    max: c.dbPoolMax,
    // Supabase's transaction pooler (port 6543) refuses prepared statements.
    prepare: c.dbPrepare,
    idle_timeout: 30,
    connect_timeout: connectTimeoutSeconds(c.dbStatementTimeoutMs),
    backoff: reconnectDelaySeconds,
    connection: { statement_timeout: c.dbStatementTimeoutMs, application_name: 'dokal-api' },
    onnotice: () => {},
    transform: { undefined: null },
    types: textDates,
    ...addedOptions,
  });
}

/**
 * The privileged connection: the database role of the connection string, which RLS does not
 * restrict. Only for work no single user owns (auth lookups, rate limits, webhooks, fan-out);
 * every request made on behalf of a user goes through `asUser` instead.
 */
export function systemDb(): Sql {
  pool ??= connect();
  return pool;
}

/**
 * Waits for `waiting` (a statement of the privileged path, or a connection being reserved) at
 * most the statement timeout, then gives up with a lost-connection error (answered 503). While
 * the database is away, requests beyond the pool's size queue behind one reconnection attempt
 * after another and would otherwise wait several timeouts. What arrives late is handed to
 * `onLate` (a reserved connection goes back to the pool) or dropped.
 */
export async function withinStatementTimeout<T>(
  waiting: Promise<T>,
  onLate: (value: T) => void = () => {},
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(
        Object.assign(new Error('No database connection in time.'), { code: 'CONNECT_TIMEOUT' }),
      );
    }, config().dbStatementTimeoutMs);
  });
  waiting.then((value) => expired && onLate(value), () => {});
  try {
    return await Promise.race([waiting, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The single row of a statement that always returns one (a function call of the gate), with
 * the columns asked for. When the server drops a connection mid-statement, the driver has been
 * seen (tests/faults, rarely) to settle such a statement with no row, or with the row of another
 * statement of that connection; that is the connection lost, answered 503, never read as data.
 */
export function gateRow<T extends object>(rows: readonly T[], columns: ReadonlyArray<keyof T>): T {
  const [row] = rows;
  if (rows.length !== 1 || columns.some((column) => row[column] === undefined)) {
    throw Object.assign(new Error('The database answered another statement.'), {
      code: 'CONNECTION_CLOSED',
    });
  }
  return row;
}

export async function closeDb(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.end({ timeout: 5 });
}
