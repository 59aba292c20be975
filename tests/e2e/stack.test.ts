import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import postgres from 'postgres';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../../dev/lib/database.ts';
import { type DevKeys, jwksOf } from '../../dev/lib/keys.ts';
import type { StackInfo } from '../../dev/stack/state.ts';
import { freePort } from '../../dev/lib/free-port.ts';
import { bearer, fetchJson } from './fetch-json.ts';

// `npm run dev` itself, on its own embedded Postgres in a temporary state folder.
let stateDir: string;
let env: NodeJS.ProcessEnv;
let stack: Stack | undefined;

interface Stack {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runScript(script: string, args: string[] = []): Stack {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

const stackFile = () => path.join(stateDir, 'stack.json');
const readStack = (): StackInfo => JSON.parse(readFileSync(stackFile(), 'utf8'));

/** Starts `dev/stack/main.ts` and waits until it has published `stack.json`. */
async function startStack(): Promise<Stack> {
  const started = runScript('dev/stack/main.ts');
  let ended = false;
  void started.exited.then(() => (ended = true));
  await vi.waitFor(
    () => {
      if (ended) throw new Error(`The stack exited while starting:\n${started.output()}`);
      expect(existsSync(stackFile()) && readStack().gatewayPid).toBeTruthy();
    },
    { timeout: 110_000, interval: 200 },
  );
  return started;
}

/** Alive and not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function issueTokenWithCli(email: string, role: string) {
  const cli = runScript('dev/token/main.ts', ['--email', email, '--role', role]);
  const code = await cli.exited;
  return { code, output: cli.output(), token: cli.output().trim().split('\n').at(-1)! };
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'dokal-stack-'));
  env = {
    ...process.env,
    DEV_STATE_DIR: stateDir,
    DEV_PORT: String(await freePort()),
    DEV_DB_PORT: String(await freePort()),
    RELAY_PORT: String(await freePort()),
    // Not the test run's database and storage: the stack starts its own.
    DATABASE_URL: '',
    LOCAL_STORAGE_DIR: '',
    LOG_LEVEL: 'silent',
  };
});

afterAll(async () => {
  if (stack && stack.child.exitCode === null) {
    stack.child.kill('SIGTERM');
    await stack.exited;
  }
  await rm(stateDir, { recursive: true, force: true });
});

describe('npm run dev', () => {
  let info: StackInfo;
  let keys: DevKeys;
  let token: string;

  it(
    'starts Postgres and the gateway and describes them in stack.json',
    { timeout: 120_000 },
    async () => {
      stack = await startStack();
      info = readStack();
      keys = JSON.parse(await readFile(path.join(stateDir, 'keys.json'), 'utf8'));
      const url = `http://127.0.0.1:${env.DEV_PORT}`;
      expect(info).toMatchObject({
        pid: stack.child.pid,
        supabaseUrl: url,
        functionsUrl: `${url}/functions/v1`,
        apiUrl: `${url}/api/v1`,
        docsUrl: `${url}/docs`,
        openapiUrl: `${url}/openapi.json`,
        jwksUrl: `${url}/auth/v1/.well-known/jwks.json`,
        relayUrl: `http://127.0.0.1:${env.RELAY_PORT}`,
        databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${env.DEV_DB_PORT}/postgres`,
        embeddedDatabase: true,
      });
      expect(existsSync(path.join(stateDir, 'postgres', 'PG_VERSION'))).toBe(true);
      expect(stack.output()).toContain(info.docsUrl);
      expect(stack.output()).toContain(info.relayUrl);
      expect((await fetchJson(`${info.relayUrl}/healthz`)).body).toMatchObject({
        status: 'ok',
        relay_id: 'dev-stack',
        sockets: 0,
      });
      expect(stack.output()).toContain('npm run token');

      const jwks = await fetchJson(info.jwksUrl);
      expect(jwks.body).toEqual(jwksOf(keys));
      expect((await fetchJson(`${info.functionsUrl}/settings`)).status).toBe(401);
    },
  );

  it(
    'issues with `npm run token` a token the running stack accepts',
    { timeout: 60_000 },
    async () => {
      const email = `stack-${crypto.randomUUID()}@test.dokal.local`;
      const cli = await issueTokenWithCli(email, 'practitioner');
      expect(cli.code, cli.output).toBe(0);
      token = cli.token;
      const res = await fetchJson(`${info.apiUrl}/profile`, { headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ email, role: 'practitioner' });
    },
  );

  it(
    "forwards the outbox's events to a socket of the relay, as the CRM connects",
    { timeout: 60_000 },
    async () => {
      const socket = io(info.relayUrl, { auth: { token }, transports: ['websocket'] });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        const received = new Promise((resolve) => socket.once('notification:new', resolve));
        const sql = postgres(info.databaseUrl, { max: 1, onnotice: () => {} });
        try {
          const userId = decodeJwt(token).sub!;
          await sql`select private.notify(${userId}, 'new_message', '{"sender":"Dana"}')`;
        } finally {
          await sql.end();
        }
        expect(await received).toMatchObject({ type: 'new_message', is_read: false });
      } finally {
        socket.close();
      }
    },
  );

  it(
    'refuses a second start while one runs, and leaves the first alone',
    { timeout: 60_000 },
    async () => {
      const second = runScript('dev/stack/main.ts');
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain('already running');
      expect(second.output()).toContain(String(info.pid));
      expect(readStack()).toEqual(info);
      expect((await fetchJson(`${info.functionsUrl}/settings`, { headers: bearer(token) })).status)
        .toBe(200);
    },
  );

  it('stops everything on SIGTERM', { timeout: 60_000 }, async () => {
    const postgresPid = Number(
      readFileSync(path.join(stateDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    expect(isRunning(postgresPid)).toBe(true);
    stack!.child.kill('SIGTERM');
    await stack!.exited;
    await vi.waitFor(() => {
      for (const pid of [info.pid, info.gatewayPid, info.relayPid, postgresPid]) {
        expect(isRunning(pid), `pid ${pid}`).toBe(false);
      }
    }, { timeout: 20_000 });
    expect(existsSync(stackFile())).toBe(false);

    const cli = await issueTokenWithCli('nobody@test.dokal.local', 'patient');
    expect(cli.code).toBe(1);
    expect(cli.output).toContain('No Dokal stack is running');
  });

  it('keeps the data and the signing key across a restart', { timeout: 120_000 }, async () => {
    stack = await startStack();
    expect(JSON.parse(await readFile(path.join(stateDir, 'keys.json'), 'utf8'))).toEqual(keys);
    expect(stack.output()).toContain('up to date');
    const res = await fetchJson(`${readStack().apiUrl}/profile`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('practitioner');
  });
});
