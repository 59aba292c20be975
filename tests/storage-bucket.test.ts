import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { db } from './helpers/db.ts';

const MIGRATION = path.resolve(
  import.meta.dirname,
  '../supabase/migrations/20261124001000_avatars_bucket.sql',
);

/** Thrown to roll the transaction back, carrying what was read inside it. */
class RolledBack extends Error {
  constructor(readonly rows: unknown) {
    super('rolled back');
  }
}

describe('avatars bucket migration', () => {
  it('makes the avatars bucket public with the contract limits where Storage exists, and can run twice', async () => {
    const migration = await readFile(MIGRATION, 'utf8');
    const buckets = await db
      .begin(async (tx) => {
        // The local database has no Storage: give it the columns of Supabase's storage.buckets
        // that the migration writes, with a bucket made by hand earlier, private and unlimited.
        await tx`create schema if not exists storage`;
        await tx`create table if not exists storage.buckets (
          id text primary key, name text not null, public boolean default false,
          file_size_limit bigint, allowed_mime_types text[])`;
        await tx`insert into storage.buckets (id, name, public) values ('avatars', 'avatars', false)
                 on conflict (id) do update set public = false, file_size_limit = null, allowed_mime_types = null`;
        await tx.unsafe(migration);
        await tx.unsafe(migration);
        const rows =
          await tx`select id, name, public, file_size_limit::int as file_size_limit, allowed_mime_types
                              from storage.buckets where id = 'avatars'`;
        // Leaves the shared test database as it was.
        throw new RolledBack(rows);
      })
      .catch((e) => {
        if (!(e instanceof RolledBack)) throw e;
        return e.rows;
      });
    expect(buckets).toEqual([
      {
        id: 'avatars',
        name: 'avatars',
        public: true,
        file_size_limit: 5 * 1024 * 1024,
        allowed_mime_types: ['image/jpeg', 'image/png', 'image/webp'],
      },
    ]);
  });
});
