import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { prepareDatabase } from '../lib/database.ts';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.ts';
import { createHealthKeys, type HealthKeyVariables } from '../lib/health-keys.ts';
import { createSigningKeys, type DevKeys, jwksOf } from '../lib/keys.ts';
import { runningStack, stateDir } from '../stack/state.ts';
import { type RunningGateway, startGateway } from '../gateway/start.ts';
import { freePort } from '../lib/free-port.ts';

/** The benchmark's own database, kept between runs so the generated data is made once. */
export const BENCH_DATABASE = 'dokal_bench';

export interface BenchDatabase {
  url: string;
  /** Where it came from, for the report. */
  origin: string;
  stop(): Promise<void>;
}

export interface BenchGateway {
  url: string;
  keys: DevKeys;
  /** This run's health keys: the bench data seals its teudat zehut numbers with them. */
  healthKeys: HealthKeyVariables;
  /** The SERVICE_SECRET of its functions (the reminders benchmark calls them with it). */
  serviceSecret: string;
  stop(): Promise<void>;
}

export const benchStateDir = () => path.join(stateDir(), 'bench');

/** The database `name` on the server of `serverUrl`, created when missing. */
async function databaseOnServer(serverUrl: string, name: string): Promise<string> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ exists }] =
      await sql`select exists (select from pg_database where datname = ${name}) as exists`;
    if (!exists) await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The database to load: BENCH_DATABASE_URL when set; else a `dokal_bench` database on the
 * server of the running dev stack (its own data stays untouched by the 10,000 generated
 * practitioners); else an embedded PostgreSQL of the benchmark's own under `.dev/bench/`.
 * Each is brought to the current schema.
 */
export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  let database: BenchDatabase;
  const given = process.env.BENCH_DATABASE_URL;
  const stack = given ? undefined : await runningStack();
  if (given) {
    database = { url: given, origin: 'BENCH_DATABASE_URL', stop: async () => {} };
  } else if (stack?.databaseUrl) {
    const url = await databaseOnServer(stack.databaseUrl, BENCH_DATABASE);
    database = {
      url,
      origin: `database ${BENCH_DATABASE} on the running dev stack's server`,
      stop: async () => {},
    };
  } else {
    const dataDir = path.join(benchStateDir(), 'postgres');
    log(`Starting PostgreSQL (${dataDir}).`);
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      persistent: true,
    });
    database = {
      url: embedded.url,
      origin: `embedded PostgreSQL in ${dataDir}`,
      stop: embedded.stop,
    };
  }
  try {
    await prepareDatabase(database.url);
  } catch (e) {
    await database.stop();
    throw e;
  }
  return database;
}

/** The Deno gateway with every function plus the benchmark's app, its own signing key, and a rate limit load cannot reach. */
export async function startBenchGateway(databaseUrl: string): Promise<BenchGateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const keys = await createSigningKeys();
  const healthKeys = createHealthKeys('bench');
  const serviceSecret = randomBytes(32).toString('base64url');
  const storageDir = path.join(benchStateDir(), 'storage');
  await mkdir(storageDir, { recursive: true });
  const gateway: RunningGateway = await startGateway({
    port,
    output: 'pipe',
    extraApps: { bench: 'dev/bench/floor/app.ts' },
    // The wire counter, and the inspector for the CPU profiler.
    extraPermissions: { read: ['dev/lib/round-trips.ts'], sys: ['inspector'] },
    env: {
      DATABASE_URL: databaseUrl,
      SUPABASE_DB_URL: '',
      SUPABASE_URL: url,
      SUPABASE_JWKS: JSON.stringify(jwksOf(keys)),
      LOCAL_STORAGE_DIR: storageDir,
      SERVICE_SECRET: serviceSecret,
      RATE_LIMIT_PER_MINUTE: '1000000000',
      // The load's client addresses stand for those an outer proxy appends (see scenarios.ts).
      TRUSTED_PROXY_HOPS: '2',
      // The request log is one line per request: the benchmark measures the API, not the terminal.
      LOG_LEVEL: 'error',
      ...healthKeys,
    },
  });
  return { url, keys, healthKeys, serviceSecret, stop: gateway.stop };
}
