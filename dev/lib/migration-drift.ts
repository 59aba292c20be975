import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type postgres from 'postgres';

/**
 * The CLI records which migration versions a database applied, not what they said. A migration
 * file edited after a local database applied it would leave that database on the old schema
 * without a word, and the stack, the tests or the benchmark would fail in ways far from the
 * cause. So local tooling keeps a fingerprint of each applied file and refuses a changed one.
 */

export class MigrationChangedError extends Error {}

interface MigrationFile {
  version: string;
  file: string;
  sha256: string;
}

async function migrationFiles(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d+_.+\.sql$/.test(n)).sort();
  return Promise.all(names.map(async (file) => ({
    version: file.slice(0, file.indexOf('_')),
    file,
    sha256: createHash('sha256').update(await readFile(path.join(dir, file))).digest('hex'),
  })));
}

async function ensureFingerprintTable(sql: postgres.Sql): Promise<void> {
  await sql`create schema if not exists local_tooling`;
  await sql`create table if not exists local_tooling.migration_fingerprints (
    version text primary key,
    sha256 text not null
  )`;
}

/** Throws MigrationChangedError when a file differs from the one this database applied. */
export async function assertAppliedMigrationsUnchanged(
  sql: postgres.Sql,
  dir: string,
): Promise<void> {
  await ensureFingerprintTable(sql);
  const applied = new Map(
    (await sql<{ version: string; sha256: string }[]>`
      select version, sha256 from local_tooling.migration_fingerprints`).map((
      r,
    ) => [r.version, r.sha256]),
  );
  const changed = (await migrationFiles(dir)).filter((m) =>
    applied.has(m.version) && applied.get(m.version) !== m.sha256
  );
  if (changed.length > 0) {
    throw new MigrationChangedError(
      `${changed.map((m) => m.file).join(', ')} changed after this database applied ` +
        `${changed.length === 1 ? 'it' : 'them'}. Recreate the local database (delete its data ` +
        'directory, such as .dev/postgres or .dev/bench/postgres) and start again.',
    );
  }
}

/** Records the files of every migration the database has now applied. */
export async function recordAppliedMigrations(sql: postgres.Sql, dir: string): Promise<void> {
  await ensureFingerprintTable(sql);
  const versions = await sql<{ version: string }[]>`
    select version from supabase_migrations.schema_migrations`;
  const applied = new Set(versions.map((v) => v.version));
  const rows = (await migrationFiles(dir))
    .filter((m) => applied.has(m.version))
    .map(({ version, sha256 }) => ({ version, sha256 }));
  if (rows.length === 0) return;
  await sql`
    insert into local_tooling.migration_fingerprints ${sql(rows)}
    on conflict (version) do nothing`;
}
