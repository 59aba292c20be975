import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import postgres from 'postgres';
import { assertAppliedMigrationsUnchanged, recordAppliedMigrations } from './migration-drift.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const MIGRATIONS_DIR = path.join(ROOT, 'supabase/migrations');
const require = createRequire(import.meta.url);

/**
 * The CLI insists on TLS unless told otherwise; a server on this machine (the embedded one, or
 * a local DATABASE_URL) has none, so loopback URLs without an explicit sslmode get `disable`.
 */
function cliDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (loopback && !parsed.searchParams.has('sslmode')) {
    parsed.searchParams.set('sslmode', 'disable');
  }
  return parsed.toString();
}

function runSupabaseCli(args: string[]): Promise<void> {
  const cli = require.resolve('supabase/dist/supabase.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on(
      'exit',
      (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`supabase ${args[0]} ${args[1]} failed:\n${output}`)),
    );
  });
}

/**
 * Brings a database to the current schema: the local platform bootstrap (roles, `auth`), the
 * migrations through the Supabase CLI, and the seed when the database was new. Refuses a database
 * that applied a migration file since edited (`migration-drift.ts`).
 */
export async function prepareDatabase(url: string): Promise<{ created: boolean }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [{ migrated }] =
      await sql`select to_regclass('supabase_migrations.schema_migrations') is not null as migrated`;
    if (migrated) await assertAppliedMigrationsUnchanged(sql, MIGRATIONS_DIR);
    await sql.unsafe(await readFile(path.join(ROOT, 'supabase/local/bootstrap.sql'), 'utf8'));
    await runSupabaseCli(['migration', 'up', '--db-url', cliDatabaseUrl(url)]);
    await recordAppliedMigrations(sql, MIGRATIONS_DIR);
    if (!migrated) await sql.unsafe(await readFile(path.join(ROOT, 'supabase/seed.sql'), 'utf8'));
    return { created: !migrated };
  } finally {
    await sql.end();
  }
}

/** Creates a database on an existing server (tests use one per run) and returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await sql.end();
  }
}
