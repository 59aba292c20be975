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
 * Everything a run left: pg_cron (its jobs and their history), then every schema with what is
 * in it (the extensions in `extensions` go with it), and `public` made again as PostgreSQL makes
 * it. Roles are the server's and stay.
 */
async function emptyDatabase(sql: postgres.Sql) {
  await sql`drop extension if exists pg_cron`;
  const schemas = await sql<{ name: string }[]>`
    select nspname as name from pg_namespace
    where nspname !~ '^pg_' and nspname <> 'information_schema'`;
  for (const { name } of schemas) await sql.unsafe(`drop schema "${name}" cascade`);
  await sql`create schema public authorization pg_database_owner`;
  await sql`grant usage on schema public to public`;
}

/**
 * pg_cron works in one database, `cron.database_name`: its content is made afresh with pg_cron,
 * the stand-ins for Supabase's Vault and pg_net, and then the migrations, which schedule the
 * jobs as they do on Supabase. It is kept afterwards, without jobs.
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
    const [{ exists }] =
      await server`select exists (select from pg_database where datname = ${name}) as exists`;
    // Created once: pg_cron's launcher stays connected to it, and dropping it would end the
    // launcher until the server restarts. Its content is made afresh below instead.
    if (!exists) await server.unsafe(`create database "${name}"`);
  } finally {
    await server.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await emptyDatabase(sql);
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
