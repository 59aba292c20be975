import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { prepareDatabase } from '../../dev/lib/database.ts';
import { type RunningDatabase, startEmbeddedPostgres } from '../../dev/lib/embedded-postgres.ts';
import { freePort } from '../../dev/lib/free-port.ts';
import { jwksOf, mintAccessToken } from '../../dev/lib/keys.ts';
import { type RunningGateway, startGateway } from '../../dev/gateway/start.ts';
import { ensureUser } from '../../dev/lib/users.ts';
import { call } from '../helpers/http.ts';
import { TEST_SUPABASE_URL } from '../setup.ts';
import { fetchJson } from '../e2e/fetch-json.ts';

// The API under database faults, on a PostgreSQL of this file's own that it can stop and start:
// through the real Deno gateway (the dev stack's process) and through the in-process app.

const CONCURRENCY = 10;
const STATEMENT_TIMEOUT_MS = 3000;
const RECOVERY_MS = 10_000;

interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any -- bodies are checked field by field, success or error
  body: any;
  retryAfter: string | null;
}

type Target = (token: string) => Promise<Answer>;

let scratch: string;
let dataDir: string;
let port: number;
let database: RunningDatabase;
let admin: postgres.Sql;
let gateway: RunningGateway;
let gatewayEnded = false;
let stopping = false;

const startDatabase = async () => {
  database = await startEmbeddedPostgres({ dataDir, port, persistent: true });
};

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'dokal-faults-'));
  dataDir = path.join(scratch, 'pg');
  port = await freePort();
  await startDatabase();
  await prepareDatabase(database.url);
  admin = postgres(database.url, { max: 1, onnotice: () => {} });

  const gatewayPort = await freePort();
  gateway = await startGateway({
    port: gatewayPort,
    output: 'pipe',
    env: {
      DATABASE_URL: database.url,
      SUPABASE_URL: `http://127.0.0.1:${gatewayPort}`,
      SUPABASE_JWKS: JSON.stringify(jwksOf(inject('keys'))),
      LOCAL_STORAGE_DIR: path.join(scratch, 'storage'),
      RATE_LIMIT_PER_MINUTE: '1000000',
      DB_POOL_MAX: '10',
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      LOG_LEVEL: 'silent',
    },
  });
  void gateway.exited.then((code) => {
    gatewayEnded = true;
    // Why it ended: the failing assertions only see that it stopped answering.
    if (!stopping) console.error(`The gateway exited (code ${code}):\n${gateway.output()}`);
  });

  // This worker's apps read their configuration once, on first use, after this.
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    // An unexpected error (a 500) then logs its name, code and frames, for the failure to show.
    LOG_LEVEL: 'error',
  });
});

afterAll(async () => {
  stopping = true;
  await gateway?.stop();
  const { closeDb } = await import('../../shared/db/client.ts');
  await closeDb();
  await admin?.end({ timeout: 1 });
  await database?.stop();
  await rm(scratch, { recursive: true, force: true });
});

const answer = (status: number, body: Answer['body'], headers: Headers): Answer => ({
  status,
  body,
  retryAfter: headers.get('retry-after'),
});

function gatewayTarget(): { target: Target; issuer: string } {
  return {
    issuer: `${gateway.url}/auth/v1`,
    target: async (token) => {
      const res = await fetchJson(`${gateway.url}/functions/v1/profile`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return answer(res.status, res.body, res.headers);
    },
  };
}

async function inProcessTarget(): Promise<{ target: Target; issuer: string }> {
  const { app } = await import('../../functions/profile/app.ts');
  return {
    issuer: `${TEST_SUPABASE_URL}/auth/v1`,
    target: async (token) => {
      const res = await call(app, 'GET', '/profile', { token });
      return answer(res.status, res.body, res.headers);
    },
  };
}

/** Every answer must be a success or the contract's 503; anything else is kept for the failure. */
function expectSuccessOrUnavailable(answers: Answer[]) {
  const wrong = answers.filter((a) =>
    !(a.status >= 200 && a.status < 300) &&
    !(a.status === 503 && a.body?.error?.code === 'service_unavailable' && a.retryAfter)
  );
  expect(wrong.slice(0, 5)).toEqual([]);
}

/** A request still unanswered well past the statement timeout counts as hung (status 0). */
const HUNG_AFTER_MS = 3 * STATEMENT_TIMEOUT_MS;

function answerInTime(target: Target, token: string): Promise<Answer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<Answer>((resolve) => {
    timer = setTimeout(() => resolve({ status: 0, body: 'hung', retryAfter: null }), HUNG_AFTER_MS);
  });
  return Promise.race([target(token), hung]).finally(() => clearTimeout(timer));
}

/** `CONCURRENCY` request loops until `stop` is called; resolves with every answer. */
function load(target: Target, token: string) {
  let running = true;
  const answers: Answer[] = [];
  const loops = Array.from({ length: CONCURRENCY }, async () => {
    while (running) answers.push(await answerInTime(target, token));
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectRecovery(target: Target, token: string) {
  await vi.waitFor(async () => expect((await target(token)).status).toBe(200), {
    timeout: RECOVERY_MS,
    interval: 100,
  });
}

const terminateApiConnections = () =>
  admin`select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'dokal-api' and pid <> pg_backend_pid()`;

describe.each([
  ['the Deno gateway', gatewayTarget],
  ['the in-process app', inProcessTarget],
])('database faults under load, through %s', (_, makeTarget) => {
  let target: Target;
  let token: string;

  beforeAll(async () => {
    const made = await makeTarget();
    target = made.target;
    const email = `faults-${crypto.randomUUID()}@test.dokal.local`;
    const sub = await ensureUser(admin, { email });
    token = await mintAccessToken(inject('keys'), { sub, email, issuer: made.issuer });
    expect((await target(token)).status).toBe(200);
  });

  it(
    'survives every API connection being terminated, several times',
    { timeout: 60_000 },
    async () => {
      const running = load(target, token);
      for (let round = 0; round < 3; round++) {
        await pause(300);
        await terminateApiConnections();
        await expectRecovery(target, token);
      }
      const answers = await running.stop();
      expectSuccessOrUnavailable(answers);
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(CONCURRENCY);
      expect(gatewayEnded, 'the gateway process is still running').toBe(false);
    },
  );

  it(
    'answers 503 while the server is down and recovers when it is back',
    { timeout: 90_000 },
    async () => {
      const running = load(target, token);
      await pause(300);
      await database.stop();
      // Connections are refused now: a request answers without waiting for a timeout.
      const started = performance.now();
      const down = await target(token);
      expect(performance.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + 1000);
      expect(down).toMatchObject({ status: 503, retryAfter: expect.any(String) });
      expect(down.body.error).toEqual({
        code: 'service_unavailable',
        message: expect.any(String),
        details: {},
      });
      await pause(500);
      await startDatabase();
      await expectRecovery(target, token);
      expectSuccessOrUnavailable(await running.stop());
      expect(gatewayEnded, 'the gateway process is still running').toBe(false);
    },
  );
});

describe('a database that accepts connections but never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let unreachable: RunningGateway;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    const silentPort = await freePort();
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
    const gatewayPort = await freePort();
    unreachable = await startGateway({
      port: gatewayPort,
      output: 'pipe',
      env: {
        DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${silentPort}/postgres`,
        SUPABASE_URL: `http://127.0.0.1:${gatewayPort}`,
        SUPABASE_JWKS: JSON.stringify(jwksOf(inject('keys'))),
        LOCAL_STORAGE_DIR: path.join(scratch, 'storage'),
        DB_POOL_MAX: String(CONCURRENCY),
        DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        LOG_LEVEL: 'silent',
      },
    });
  });

  afterAll(async () => {
    await unreachable?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('answers 503 within the statement timeout while the pool is reconnecting, however many wait', async () => {
    const token = await mintAccessToken(inject('keys'), {
      sub: crypto.randomUUID(),
      email: 'nobody@test.dokal.local',
      issuer: `${unreachable.url}/auth/v1`,
    });
    const started = performance.now();
    // Three times the pool: the requests beyond it wait for a connection, never past the timeout.
    const answers = await Promise.all(
      Array.from(
        { length: 3 * CONCURRENCY },
        () =>
          fetchJson(`${unreachable.url}/functions/v1/profile`, {
            headers: { authorization: `Bearer ${token}` },
          }),
      ),
    );
    // Generous: each request's first statement waits one connect timeout (half the statement's).
    expect(performance.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + 1000);
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(res.body.error.code).toBe('service_unavailable');
    }
  });
});
