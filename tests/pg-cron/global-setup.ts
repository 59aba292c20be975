import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { prepareDatabase, ROOT } from '../../dev/lib/database.ts';
import { createSigningKeys } from '../../dev/lib/keys.ts';

/** The server to test on: it must preload pg_cron (`.ci/run` makes the machine's do so). */
export const serverUrl = () =>
  process.env.PG_CRON_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * pg_cron works in one database, `cron.database_name`: that database is made afresh with
 * pg_cron, the stand-ins for Supabase's Vault and pg_net, and then the migrations, which
 * schedule the jobs as they do on Supabase. It is kept afterwards, without jobs, so pg_cron's
 * launcher keeps a database to watch.
 */
export default async function setup(project: TestProject) {
  const server = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  let name: string;
  try {
    const [{ preload, database }] = await server<{ preload: string; database: string | null }[]>`
      select current_setting('shared_preload_libraries') as preload,
             current_setting('cron.database_name', true) as database`;
    if (!preload.split(',').map((s) => s.trim()).includes('pg_cron') || !database) {
      throw new Error(
        `${new URL(serverUrl()).host} does not preload pg_cron (shared_preload_libraries = ` +
          `'${preload}'). Set PG_CRON_DATABASE_URL to a server that does, or see .ci/pg-cron.`,
      );
    }
    name = database;
    await server.unsafe(`drop database if exists "${name}" with (force)`);
    await server.unsafe(`create database "${name}"`);
  } finally {
    await server.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`create extension pg_cron`;
    await sql.unsafe(
      await readFile(path.join(ROOT, 'tests/pg-cron/fixtures/supabase-stand-ins.sql'), 'utf8'),
    );
  } finally {
    await sql.end();
  }
  await prepareDatabase(databaseUrl);

  const scratch = await mkdtemp(path.join(tmpdir(), 'dokal-pg-cron-'));
  project.provide('databaseUrl', databaseUrl);
  project.provide('keys', await createSigningKeys());
  project.provide('storageDir', path.join(scratch, 'storage'));
  return async () => {
    const end = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await end`select cron.unschedule(jobid) from cron.job`;
    } finally {
      await end.end();
    }
    await rm(scratch, { recursive: true, force: true });
  };
}
