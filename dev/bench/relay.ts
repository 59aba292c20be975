import { type ChildProcess, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import { ROOT } from '../lib/database.ts';
import { freePort } from '../lib/free-port.ts';
import { createSigningKeys, jwksOf, mintAccessToken } from '../lib/keys.ts';
import { type RunningRelayProcess, startRelayProcess } from '../relay/start.ts';
import { openBenchDatabase } from './environment.ts';

/**
 * `npm run bench -- --group relay`: the realtime relay under 2,000 connected sockets (1,000
 * users with two each, as a phone and a CRM tab) while events are committed at 200 per second
 * for 30 seconds, each to one user. Measured from the benchmark process: commit-to-client
 * latency (the commit's acknowledgement to the socket's receipt, both on this process's clock),
 * events lost and received twice, and the relay's memory per socket (its RSS and heap growth
 * from no socket to all connected, from /healthz). The same load, in the same run, against a
 * bare Socket.io server that emits the same events from memory (dev/bench/relay-bare.ts): what
 * Socket.io itself costs on this machine, and the ratio.
 */

const USERS = Number(process.env.BENCH_RELAY_USERS || 1000);
const SOCKETS_PER_USER = 2;
const RATE = Number(process.env.BENCH_RELAY_RATE || 200);
const SECONDS = Number(process.env.BENCH_RELAY_SECONDS || 30);
const TARGET_P99_MS = 100;
/** How long after the last event the stragglers are waited for. */
const TAIL_MS = 10_000;
const ISSUER_BASE = 'http://bench.relay.local';

type Log = (line: string) => void;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Memory {
  rss: number;
  heap_used: number;
}

export interface RelayBenchResult {
  name: string;
  sockets: number;
  events: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  /** A few of the deliveries that never came, as `socket:seq`. */
  lostSample: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rssPerSocketBytes: number;
  heapPerSocketBytes: number;
  connectSeconds: number;
}

/** The bench's users, made once: auth users (their profiles follow), ids in a stable order. */
async function benchRelayUsers(sql: postgres.Sql, count: number): Promise<string[]> {
  await sql`
    insert into auth.users (email, raw_user_meta_data)
    select 'bench-relay-' || i || '@bench.dokal.local', '{"first_name":"Bench","last_name":"Relay"}'
    from generate_series(1, ${count}) i
    on conflict (email) do nothing`;
  const rows = await sql<{ id: string }[]>`
    select id from auth.users
    where email like 'bench-relay-%@bench.dokal.local'
      and split_part(split_part(email, '@', 1), '-', 3)::int <= ${count}
    order by split_part(split_part(email, '@', 1), '-', 3)::int`;
  return rows.map((r) => r.id);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Opens `auths.length` websocket clients, 100 at a time; each records (seq, receipt time). */
async function connectAll(
  url: string,
  auths: object[],
  onEvent: (socket: number, seq: number, payload: Record<string, number>) => void,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let from = 0; from < auths.length; from += 100) {
    const batch = auths.slice(from, from + 100).map((auth, k) =>
      new Promise<Socket>((resolve, reject) => {
        const index = from + k;
        const socket = io(url, {
          auth,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          timeout: 60_000,
        });
        socket.on(
          'bench:tick',
          (payload: Record<string, number>) => onEvent(index, payload.seq, payload),
        );
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', (e) => reject(new Error(`socket ${index}: ${e.message}`)));
      })
    );
    sockets.push(...await Promise.all(batch));
  }
  return sockets;
}

interface Subject {
  name: string;
  url: string;
  memory(): Promise<Memory>;
  auths: object[];
  /** Starts the events; `sentAt(seq)` is then the time each was committed (or emitted). */
  produce(): Promise<void>;
  /** The time event `seq` counts from, or undefined when the payload carries it. */
  sentAt(seq: number, payload: Record<string, number>): number | undefined;
}

async function measure(subject: Subject, users: string[], log: Log): Promise<RelayBenchResult> {
  const events = RATE * SECONDS;
  const expected = events * SOCKETS_PER_USER;
  const seen = new Map<string, number>();
  const latencies: number[] = [];
  const pendingLatencies: Array<[number, number]> = [];
  let received = 0;
  const before = await subject.memory();
  const started = Date.now();
  const sockets = await connectAll(subject.url, subject.auths, (socket, seq, payload) => {
    const at = nowUs();
    received++;
    const key = `${socket}:${seq}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const sent = subject.sentAt(seq, payload);
    if (sent !== undefined) latencies.push((at - sent) / 1000);
    else pendingLatencies.push([seq, at]);
  });
  const connectSeconds = (Date.now() - started) / 1000;
  await pause(2000);
  const after = await subject.memory();
  log(
    `  ${subject.name}: ${sockets.length} sockets connected in ${connectSeconds.toFixed(1)} s; ` +
      `${events} events at ${RATE}/s for ${SECONDS} s...`,
  );
  await subject.produce();
  const deadline = Date.now() + TAIL_MS;
  while (received < expected && Date.now() < deadline) await pause(50);
  if (received >= expected) await pause(500);
  for (const s of sockets) s.close();
  // Receipts that came before their commit was acknowledged (possible by a hair).
  for (const [seq, at] of pendingLatencies) {
    const sent = subject.sentAt(seq, {});
    if (sent !== undefined) latencies.push((at - sent) / 1000);
  }
  // Each event is expected once on each socket of its user.
  let lost = 0;
  const lostSample: string[] = [];
  for (let seq = 0; seq < events; seq++) {
    const user = seq % users.length;
    for (let k = 0; k < SOCKETS_PER_USER; k++) {
      const key = `${user * SOCKETS_PER_USER + k}:${seq}`;
      if (seen.has(key)) continue;
      lost++;
      if (lostSample.length < 10) lostSample.push(key);
    }
  }
  const duplicates = [...seen.values()].reduce((sum, n) => sum + (n - 1), 0);
  latencies.sort((a, b) => a - b);
  return {
    name: subject.name,
    sockets: sockets.length,
    events,
    expected,
    received,
    lost,
    duplicates,
    lostSample,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
    rssPerSocketBytes: (after.rss - before.rss) / sockets.length,
    heapPerSocketBytes: (after.heap_used - before.heap_used) / sockets.length,
    connectSeconds,
  };
}

/** `count` events at `rate` per second from the benchmark, event i to users[i % n], committed one by one. */
function produceInDatabase(sql: postgres.Sql, users: string[], committedAt: number[]) {
  const count = RATE * SECONDS;
  const intervalUs = 1_000_000 / RATE;
  return new Promise<void>((resolve, reject) => {
    const start = nowUs();
    let i = 0;
    let done = 0;
    const tick = () => {
      const due = Math.floor((nowUs() - start) / intervalUs);
      for (; i <= due && i < count; i++) {
        const seq = i;
        sql`select private.emit_event(${users[seq % users.length]}, 'bench:tick',
              jsonb_build_object('seq', ${seq}::int))`
          .then(() => {
            committedAt[seq] = nowUs();
            if (++done === count) resolve();
          }, reject);
      }
      if (i < count) setTimeout(tick, Math.max(0, (start + i * intervalUs - nowUs()) / 1000));
    };
    tick();
  });
}

function startBare(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [
    '--import',
    'tsx',
    'dev/bench/relay-bare.ts',
    String(port),
  ], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`The bare Socket.io server exited (${code}).`)));
  });
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

export function formatRelayResults(results: RelayBenchResult[]): string {
  const header = ['', 'p50', 'p99', 'max', 'lost', 'duplicates', 'memory/socket (RSS)', '(heap)'];
  const rows = results.map((r) => [
    r.name,
    ms(r.p50Ms),
    ms(r.p99Ms),
    ms(r.maxMs),
    String(r.lost),
    String(r.duplicates),
    kB(r.rssPerSocketBytes),
    kB(r.heapPerSocketBytes),
  ]);
  const [relay, bare] = results;
  if (relay && bare) {
    const x = (a: number, b: number) => `${(a / b).toFixed(2)} x`;
    rows.push([
      'relay / bare',
      x(relay.p50Ms, bare.p50Ms),
      x(relay.p99Ms, bare.p99Ms),
      x(relay.maxMs, bare.maxMs),
      '',
      '',
      x(relay.rssPerSocketBytes, bare.rssPerSocketBytes),
      x(relay.heapPerSocketBytes, bare.heapPerSocketBytes),
    ]);
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export async function runRelayBench(log: Log): Promise<void> {
  const startedAt = new Date();
  const database = await openBenchDatabase(log);
  log(`Database: ${database.origin}.`);
  const sql = postgres(database.url, { max: 4, onnotice: () => {} });
  let relay: RunningRelayProcess | undefined;
  let bare: ChildProcess | undefined;
  const relayId = `bench-${startedAt.getTime()}`;
  try {
    const users = await benchRelayUsers(sql, USERS);
    const keys = await createSigningKeys();
    const relayPort = await freePort();
    const supabaseUrl = ISSUER_BASE;
    const tokens = await Promise.all(users.map((sub, i) =>
      mintAccessToken(keys, {
        sub,
        email: `bench-relay-${i + 1}@bench.dokal.local`,
        issuer: `${supabaseUrl}/auth/v1`,
        expiresInSeconds: 3600,
      })
    ));
    log(
      `Starting the relay and a bare Socket.io server (${USERS} users, ${SOCKETS_PER_USER} sockets each).`,
    );
    relay = await startRelayProcess({
      port: relayPort,
      output: 'pipe',
      env: {
        DATABASE_URL: database.url,
        SUPABASE_DB_URL: '',
        SUPABASE_URL: supabaseUrl,
        SUPABASE_JWKS: JSON.stringify(jwksOf(keys)),
        SUPABASE_SERVICE_ROLE_KEY: '',
        ONESIGNAL_APP_ID: '',
        ONESIGNAL_REST_API_KEY: '',
        // A line per connection: the benchmark measures the relay, not the terminal.
        LOG_LEVEL: 'error',
        RELAY_ID: relayId,
        RELAY_ADAPTER_CHANNEL: relayId,
      },
    });
    const barePort = await freePort();
    bare = await startBare(barePort);
    const bareUrl = `http://127.0.0.1:${barePort}`;

    const committedAt: number[] = [];
    const perSocket = <T>(make: (user: number) => T) =>
      users.flatMap((_, u) => Array.from({ length: SOCKETS_PER_USER }, () => make(u)));
    const relayUrl = relay.url;
    const subjects: Subject[] = [
      {
        name: 'relay (outbox, commit -> client)',
        url: relayUrl,
        memory: async () => (await (await fetch(`${relayUrl}/healthz`)).json()).memory,
        auths: perSocket((u) => ({ token: tokens[u] })),
        produce: () => produceInDatabase(sql, users, committedAt),
        sentAt: (seq) => committedAt[seq],
      },
      {
        name: 'bare Socket.io (memory, emit -> client)',
        url: bareUrl,
        memory: async () => await (await fetch(`${bareUrl}/memory`)).json(),
        auths: perSocket((u) => ({ user_id: users[u] })),
        produce: async () => {
          await fetch(`${bareUrl}/run`, {
            method: 'POST',
            body: JSON.stringify({ users, count: RATE * SECONDS, rate: RATE }),
          });
          await pause(SECONDS * 1000);
        },
        sentAt: (_seq, payload) => payload.sent_us,
      },
    ];
    const results: RelayBenchResult[] = [];
    for (const subject of subjects) results.push(await measure(subject, users, log));

    log(
      `\nRelay: ${USERS * SOCKETS_PER_USER} sockets (${USERS} users x ${SOCKETS_PER_USER}), ` +
        `${RATE} events/s for ${SECONDS} s (${RATE * SECONDS} events, ` +
        `${RATE * SECONDS * SOCKETS_PER_USER} deliveries expected), ${cpus().length} CPUs\n`,
    );
    log(formatRelayResults(results));
    const [measured] = results;
    const met = measured.p99Ms < TARGET_P99_MS && measured.lost === 0 && measured.duplicates === 0;
    log(
      `\n${met ? 'met    ' : 'NOT met'}  relay: p99 ${
        ms(measured.p99Ms)
      } (target < ${TARGET_P99_MS} ms), ` +
        `${measured.lost} lost, ${measured.duplicates} duplicates (both must be 0)`,
    );
    const file = path.join(
      ROOT,
      'bench',
      'results',
      `${startedAt.toISOString().replace(/[:.]/g, '-')}.relay.json`,
    );
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      `${
        JSON.stringify(
          {
            startedAt,
            users: USERS,
            socketsPerUser: SOCKETS_PER_USER,
            rate: RATE,
            seconds: SECONDS,
            results,
          },
          null,
          2,
        )
      }\n`,
    );
    log(`\nResults written to ${path.relative(ROOT, file)}.`);
  } finally {
    await relay?.stop();
    bare?.kill('SIGTERM');
    await sql`delete from private.relay_state where relay_id = ${relayId}`.catch(() => {});
    await sql.end();
    await database.stop();
  }
}
