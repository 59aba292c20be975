import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../dev/lib/database.ts';
import { denoBinary } from '../../dev/lib/deno-script.ts';
import { freePort } from '../../dev/lib/free-port.ts';

const FIXTURE = 'tests/faults/fixtures/backend-dies.mjs';

function run(
  command: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: inject('databaseUrl'),
        DENO_NO_UPDATE_CHECK: '1',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Unpatched, a late query may also never settle: that fails here rather than at the test's timeout.
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The test database behind a port this test opens and closes (closed, connections are refused),
 * whose answers it can hold back and whose connections it can cut, as a network or a server
 * that goes away would.
 */
function databaseProxy() {
  const target = new URL(inject('databaseUrl'));
  const sockets = new Set<Socket>();
  let holding = false;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.on('data', (chunk) => holding || client.write(chunk));
  });
  const port = freePort();
  return {
    url: port.then((p) => Object.assign(new URL(target), { port: String(p) }).toString()),
    open: async () => {
      const p = await port;
      await new Promise<void>((resolve) => server.listen(p, '127.0.0.1', resolve));
    },
    holdAnswers: () => void (holding = true),
    cutConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const runtimes: Array<[string, () => Promise<Awaited<ReturnType<typeof run>>>]> = [
  ['Node', () => run(process.execPath, [FIXTURE])],
  [
    'Deno',
    () =>
      run(denoBinary(), [
        'run',
        '--config=deno.json',
        '--no-lock',
        '--allow-net',
        '--allow-env',
        '--allow-read',
        FIXTURE,
      ]),
  ],
];

describe('postgres.js after the server closed a connection (porsager/postgres#1208)', () => {
  it('is patched in node_modules, where Node and Deno both load it', () => {
    for (const dir of ['src', 'cjs/src', 'cf/src']) {
      for (const file of ['connection.js', 'index.js']) {
        const code = readFileSync(path.join(ROOT, 'node_modules/postgres', dir, file), 'utf8');
        expect(code, `${dir}/${file}`).toContain('dokal: patched by dev/patch-postgres.mjs');
      }
    }
  });

  it.each(runtimes)(
    '%s: late queries reject with a connection error and the process lives on',
    async (_, start) => {
      const { code, stdout, stderr } = await start();
      expect(stderr).not.toMatch(/reading 'write'|evaluating 'socket\.write'/);
      expect(code, `exit code; output:\n${stdout}${stderr}`).toBe(0);
      const settled = JSON.parse(stdout.trim().split('\n').at(-1)!);
      for (const late of ['first', 'second', 'begin']) {
        expect(['CONNECTION_CLOSED', 'ECONNRESET', 'EPIPE'], late).toContain(settled[late]);
      }
      expect(settled.after).toBe('ok');
    },
  );

  it(
    'gives the pool back the connection a failed reserve() was waiting for',
    { timeout: 20_000 },
    async () => {
      const proxy = databaseProxy();
      const sql = postgres(await proxy.url, { max: 1, onnotice: () => {}, backoff: () => 0.05 });
      try {
        await expect(sql.reserve()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
        await proxy.open();
        // Unpatched, the pool's one connection goes to the reserve that already failed: these hang.
        const reserved = await sql.reserve();
        expect(await reserved`select 1 as one`).toEqual([{ one: 1 }]);
        reserved.release();
        expect(await sql`select 2 as two`).toEqual([{ two: 2 }]);
      } finally {
        await sql.end({ timeout: 1 });
        await proxy.close();
      }
    },
  );

  it(
    'fails the statements waiting on a reserved connection the server closes',
    { timeout: 20_000 },
    async () => {
      const proxy = databaseProxy();
      await proxy.open();
      const sql = postgres(await proxy.url, { max: 1, onnotice: () => {} });
      try {
        const reserved = await sql.reserve();
        await reserved`select 1`;
        proxy.holdAnswers();
        // A statement with a parameter, new to the connection, is described before it runs: the
        // connection is busy until the answer comes, and the next statement waits behind it.
        const described = reserved`select ${'first'}::text as t`.execute();
        const waiting = reserved`select 2`.execute();
        await new Promise((resolve) => setTimeout(resolve, 100));
        proxy.cutConnections();
        const lost = { code: expect.stringMatching(/^(CONNECTION_CLOSED|ECONNRESET)$/) };
        await expect(described).rejects.toMatchObject(lost);
        // Unpatched, this one never settles.
        await expect(waiting).rejects.toMatchObject(lost);
      } finally {
        await sql.end({ timeout: 1 });
        await proxy.close();
      }
    },
  );
});
