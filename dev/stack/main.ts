import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { prepareDatabase, ROOT } from '../lib/database.ts';
import { type RunningDatabase, startEmbeddedPostgres } from '../lib/embedded-postgres.ts';
import { loadOrCreateHealthKeys } from '../lib/health-keys.ts';
import { jwksOf, loadOrCreateKeys } from '../lib/keys.ts';
import { type RunningRelayProcess, startRelayProcess } from '../relay/start.ts';
import { type Maintenance, startMaintenance } from './maintenance.ts';
import { loadOrCreateServiceSecret, serviceSecretFile } from './service-secret.ts';
import {
  claimStack,
  publishStack,
  readStackFile,
  releaseStack,
  type StackInfo,
  stateDir,
  stateFiles,
} from './state.ts';
import { type RunningGateway, startGateway } from '../gateway/start.ts';

const port = z.coerce.number().int().min(1).max(65535);
const settingsSchema = z.object({
  DEV_PORT: port.default(54321),
  DEV_DB_PORT: port.default(54322),
  RELAY_PORT: port.default(54323),
  DATABASE_URL: z.url().optional(),
});

/** `.env` fills in what the shell did not set (the shell wins). */
function loadDotEnv(): void {
  const file = path.join(ROOT, '.env');
  if (!existsSync(file)) return;
  if (typeof process.loadEnvFile !== 'function') {
    throw new Error('Reading .env needs Node 20.12 or newer.');
  }
  process.loadEnvFile(file);
}

function readSettings() {
  const cleaned = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));
  const result = settingsSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${problems.join('\n')}`);
  }
  return result.data;
}

/** `leftover`: the process a killed stack may have left on that port, named in the message. */
function assertPortFree(value: number, variable: string, leftover?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    const hint = leftover
      ? ` If a stack was killed, ${leftover} may still hold it: stop that process.`
      : '';
    server.once(
      'error',
      () =>
        reject(
          new Error(
            `Port ${value} is already in use.${hint} Or choose another port with ${variable}=<port>.`,
          ),
        ),
    );
    server.listen(value, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** The password of a connection string is not printed, except the embedded server's well-known one. */
function printable(url: string, embedded: boolean): string {
  if (embedded) return url;
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function startDatabase(settings: ReturnType<typeof readSettings>, dataDir: string) {
  if (settings.DATABASE_URL) {
    return { url: settings.DATABASE_URL, stop: async () => {}, embedded: false };
  }
  const postmaster = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const leftover = postmaster && `its PostgreSQL (pid ${postmaster.split('\n')[0]})`;
  await assertPortFree(settings.DEV_DB_PORT, 'DEV_DB_PORT', leftover);
  try {
    const db: RunningDatabase = await startEmbeddedPostgres({
      dataDir,
      port: settings.DEV_DB_PORT,
      persistent: true,
    });
    return { ...db, embedded: true };
  } catch (e) {
    throw new Error(`PostgreSQL did not start: ${e instanceof Error ? e.message : e}`);
  }
}

function banner(info: StackInfo): string {
  const embedded = info.embeddedDatabase;
  return [
    '',
    'Dokal local stack is running.',
    `  API (Supabase)   ${info.functionsUrl}/<group>/...`,
    `  API (contract)   ${info.apiUrl}/<group>/...`,
    `  Docs             ${info.docsUrl}`,
    `  OpenAPI          ${info.openapiUrl}`,
    `  JWKS             ${info.jwksUrl}`,
    `  Realtime relay   ${info.relayUrl} (Socket.io, GET /healthz)`,
    `  Database         ${printable(info.databaseUrl, embedded)}${
      embedded ? '' : ' (DATABASE_URL)'
    }`,
    `  Storage          ${info.storageDir}`,
    '  Token            npm run token -- --email you@example.com [--role patient|practitioner|admin]',
    `  Stack facts      ${stateFiles().stack}`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  loadDotEnv();
  const settings = readSettings();
  const files = stateFiles();
  await mkdir(stateDir(), { recursive: true });

  const previous = await readStackFile(files.stack);
  const claim = await claimStack(files.stack);
  if (!claim.claimed) {
    const where = claim.running.supabaseUrl ? ` at ${claim.running.supabaseUrl}` : '';
    console.error(
      `A Dokal stack is already running${where} (pid ${claim.running.pid}, state in ${stateDir()}).\n` +
        'Stop it first (Ctrl-C in its terminal), or set DEV_STATE_DIR, DEV_PORT and DEV_DB_PORT to run another.',
    );
    process.exit(1);
  }

  let database: Awaited<ReturnType<typeof startDatabase>> | undefined;
  let gateway: RunningGateway | undefined;
  let maintenance: Maintenance | undefined;
  let relay: RunningRelayProcess | undefined;
  let stopping = false;
  const aborted = new AbortController();

  const shutdown = async (code: number, reason?: string) => {
    if (stopping) return;
    stopping = true;
    if (reason) console.log(`\nStopping the Dokal stack (${reason}).`);
    releaseStack(files.stack);
    aborted.abort();
    const stopped = gateway?.stop();
    try {
      // The relay and the maintenance connection close first, so stopping the database reports
      // no error.
      await Promise.all([
        stopped,
        (async () => {
          await Promise.all([maintenance?.stop(), relay?.stop()]);
          await database?.stop();
        })(),
      ]);
    } finally {
      process.exit(code);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void shutdown(0, signal));
  }

  try {
    const url = `http://127.0.0.1:${settings.DEV_PORT}`;
    const oldGateway = previous?.gatewayPid
      ? `its gateway (pid ${previous.gatewayPid})`
      : undefined;
    await assertPortFree(settings.DEV_PORT, 'DEV_PORT', oldGateway);
    const oldRelay = previous?.relayPid ? `its relay (pid ${previous.relayPid})` : undefined;
    await assertPortFree(settings.RELAY_PORT, 'RELAY_PORT', oldRelay);
    console.log(
      settings.DATABASE_URL
        ? 'Using the database of DATABASE_URL.'
        : `Starting PostgreSQL (${files.postgres}).`,
    );
    database = await startDatabase(settings, files.postgres);
    const { created } = await prepareDatabase(database.url);
    console.log(
      created
        ? 'Database created: schema and seed applied.'
        : 'Database migrations are up to date.',
    );
    // pg_cron's jobs where the database has none: the cleanups, and the reminders function
    // called at 15:00 and 16:00 UTC with the service secret.
    const serviceSecret = await loadOrCreateServiceSecret();
    maintenance = await startMaintenance(database.url, (message) => console.error(message), {
      reminders: { functionsUrl: `${url}/functions/v1`, serviceSecret },
      onInfo: (message) => console.log(message),
    });

    const keys = await loadOrCreateKeys(files.keys);
    const healthKeys = await loadOrCreateHealthKeys(files.healthKeys);
    const storageDir = path.resolve(ROOT, process.env.LOCAL_STORAGE_DIR || files.storage);
    await mkdir(storageDir, { recursive: true });
    const functionsEnv = {
      RATE_LIMIT_PER_MINUTE: '10000',
      PUBLIC_URL: url,
      // Kept in the state folder; keys set in the shell or .env (a rotation) win.
      ...healthKeys,
      // An empty variable (a blank line copied from .env.example) keeps the stack's default.
      ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v)),
      LOCAL_STORAGE_DIR: storageDir,
      // The functions must trust the tokens `npm run token` mints and use this database,
      // whatever a deployment-oriented `.env` says.
      DATABASE_URL: database.url,
      SUPABASE_DB_URL: '',
      SUPABASE_URL: url,
      SUPABASE_JWKS: JSON.stringify(jwksOf(keys)),
      SERVICE_SECRET: serviceSecret,
    };
    console.log('Starting the Deno gateway.');
    gateway = await startGateway({
      port: settings.DEV_PORT,
      signal: aborted.signal,
      env: functionsEnv,
    });

    // The realtime relay, with the functions' settings (its database, the dev key, OneSignal's
    // settings from .env): it forwards the outbox's events to sockets and delivers pushes.
    console.log('Starting the realtime relay.');
    relay = await startRelayProcess({
      port: settings.RELAY_PORT,
      signal: aborted.signal,
      env: { ...functionsEnv, RELAY_ID: 'dev-stack' },
    });

    const info: StackInfo = {
      pid: process.pid,
      gatewayPid: gateway.pid,
      relayPid: relay.pid,
      relayUrl: relay.url,
      startedAt: new Date().toISOString(),
      supabaseUrl: url,
      functionsUrl: `${url}/functions/v1`,
      apiUrl: `${url}/api/v1`,
      docsUrl: `${url}/docs`,
      openapiUrl: `${url}/openapi.json`,
      jwksUrl: `${url}/auth/v1/.well-known/jwks.json`,
      databaseUrl: database.url,
      embeddedDatabase: database.embedded,
      keysFile: files.keys,
      storageDir,
    };
    await publishStack(files.stack, info);
    console.log(banner(info));
    if (maintenance.running) {
      console.log(
        `Scheduled jobs run here (no pg_cron): reminders at 15:00 and 16:00 UTC, with the ` +
          `service secret of ${
            process.env.SERVICE_SECRET ? 'SERVICE_SECRET' : serviceSecretFile()
          }.\n`,
      );
    }

    const { name, code } = await Promise.race([
      gateway.exited.then((code) => ({ name: 'The gateway', code })),
      relay.exited.then((code) => ({ name: 'The realtime relay', code })),
    ]);
    if (!stopping) {
      console.error(`${name} stopped (exit code ${code}); stopping the stack.`);
      await shutdown(code === 0 ? 1 : (code ?? 1));
    }
  } catch (e) {
    // Once stopping, a step cut short by the shutdown is no failure to report.
    if (stopping) return;
    console.error(e instanceof Error ? e.message : e);
    await shutdown(1);
  }
}

await main().catch((e) => {
  // Before the stack holds anything (bad environment, unreadable .env): nothing to stop.
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
