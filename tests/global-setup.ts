import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDatabase, dropDatabase, prepareDatabase } from '../dev/lib/database.ts';
import { type RunningDatabase, startEmbeddedPostgres } from '../dev/lib/embedded-postgres.ts';
import { createSigningKeys, type DevKeys } from '../dev/lib/keys.ts';
import { freePort } from '../dev/lib/free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    keys: DevKeys;
    storageDir: string;
  }
}

/**
 * One fresh database per test run: on the server named by DATABASE_URL when set (dropped at the
 * end), otherwise on a throwaway embedded PostgreSQL.
 */
export default async function setup(project: TestProject) {
  const scratch = await mkdtemp(path.join(tmpdir(), 'dokal-test-'));
  let database: RunningDatabase | undefined;
  let url: string;
  let cleanup: () => Promise<void>;
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `dokal_test_${Date.now()}_${process.pid}`;
    url = await createDatabase(serverUrl, name);
    cleanup = () => dropDatabase(serverUrl, name);
  } else {
    database = await startEmbeddedPostgres({
      dataDir: path.join(scratch, 'pg'),
      port: await freePort(),
      persistent: false,
    });
    url = database.url;
    cleanup = () => database!.stop();
  }
  await prepareDatabase(url);
  project.provide('databaseUrl', url);
  project.provide('keys', await createSigningKeys());
  project.provide('storageDir', path.join(scratch, 'storage'));
  return async () => {
    await cleanup();
    await rm(scratch, { recursive: true, force: true });
  };
}
