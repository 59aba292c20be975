import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../dev/lib/database.ts';
import {
  assertAppliedMigrationsUnchanged,
  MigrationChangedError,
} from '../dev/lib/migration-drift.ts';
import { db } from './helpers/db.ts';

const MIGRATIONS = path.join(ROOT, 'supabase/migrations');

describe('local databases and edited migrations', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dokal-migrations-'));
    await cp(MIGRATIONS, dir, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps a fingerprint of every migration the test database applied', async () => {
    const [{ missing }] = await db`
      select count(*)::int as missing from supabase_migrations.schema_migrations m
      where not exists (
        select from local_tooling.migration_fingerprints f where f.version = m.version)`;
    expect(missing).toBe(0);
    await expect(assertAppliedMigrationsUnchanged(db, dir)).resolves.toBeUndefined();
  });

  it('refuses a database that applied a migration file edited since, naming the file', async () => {
    const edited = '20261124020000_availability.sql';
    await appendFile(path.join(dir, edited), '\n-- an edit after the fact\n');
    const refusal = assertAppliedMigrationsUnchanged(db, dir);
    await expect(refusal).rejects.toBeInstanceOf(MigrationChangedError);
    await expect(refusal).rejects.toThrow(`${edited} changed after this database applied it`);
  });

  it('lets a new migration through: applying it is what `migration up` is for', async () => {
    await writeFile(path.join(dir, '29991231000000_later.sql'), 'select 1;\n');
    await expect(assertAppliedMigrationsUnchanged(db, dir)).resolves.toBeUndefined();
  });
});
