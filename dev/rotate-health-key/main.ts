import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { ConfigError, parseHealthKeys } from '../../shared/config.ts';
import { ROOT } from '../lib/database.ts';
import { type HealthKeyVariables, loadOrCreateHealthKeys } from '../lib/health-keys.ts';
import { runningStack, stateFiles } from '../stack/state.ts';
import { formatRotation, rotateHealthKeys } from './rotate.ts';

const USAGE = `Usage: npm run rotate-health-key -- [--batch-size <n>]
Re-encrypts every stored teudat zehut to the current key: the first of HEALTH_ENCRYPTION_KEYS.
Reads HEALTH_ENCRYPTION_KEYS, HEALTH_HMAC_KEY and SUPABASE_DB_URL or DATABASE_URL from the
environment (and .env); without them, those of the running dev stack (npm run dev).
Ctrl-C stops after the batch under way; run it again to carry on.`;

/** `.env` fills in what the shell did not set (the shell wins), as for `npm run dev`. */
function loadDotEnv(): void {
  const file = path.join(ROOT, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

async function databaseUrl(): Promise<string> {
  const given = process.env.SUPABASE_DB_URL || process.env.DATABASE_URL;
  if (given) return given;
  const stack = await runningStack();
  if (stack?.databaseUrl) return stack.databaseUrl;
  throw new ConfigError('Set SUPABASE_DB_URL or DATABASE_URL, or start the dev stack.');
}

/** The keys of the environment, else the ones the dev stack keeps. */
async function keyVariables(): Promise<Partial<HealthKeyVariables>> {
  const { HEALTH_ENCRYPTION_KEYS, HEALTH_HMAC_KEY } = process.env;
  if (HEALTH_ENCRYPTION_KEYS || HEALTH_HMAC_KEY) return { HEALTH_ENCRYPTION_KEYS, HEALTH_HMAC_KEY };
  const file = stateFiles().healthKeys;
  return existsSync(file) ? await loadOrCreateHealthKeys(file) : {};
}

const printable = (url: string) => {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string' } }, strict: true });
  const batchSize = Number(values['batch-size'] ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new ConfigError(`--batch-size: use a whole number from 1 to 10000.\n${USAGE}`);
  }
  loadDotEnv();
  const keys = parseHealthKeys(await keyVariables());
  const url = await databaseUrl();
  const current = keys.encryption.currentKeyId;
  console.log(`Database: ${printable(url)}. Current key: ${current}.`);
  const stop = new AbortController();
  process.once('SIGINT', () => {
    console.log('\nStopping after this batch.');
    stop.abort();
  });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const result = await rotateHealthKeys(sql, keys, {
      batchSize,
      signal: stop.signal,
      onFailure: ({ table, id, reason }) =>
        console.error(`${table} ${id}: does not open (${reason}); left as it is.`),
    });
    console.log(formatRotation(current, result));
    const failed = result.tables.some((t) => t.failed > 0);
    process.exitCode = result.interrupted ? 130 : failed ? 1 : 0;
  } finally {
    await sql.end();
  }
}

try {
  await main();
} catch (e) {
  console.error(e instanceof ConfigError || e instanceof TypeError ? e.message : e);
  process.exitCode = 2;
}
