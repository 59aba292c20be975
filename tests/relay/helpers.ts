import { inject } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { jwksOf } from '../../dev/lib/keys.ts';
import { freePort } from '../../dev/lib/free-port.ts';
import { type RunningRelayProcess, startRelayProcess } from '../../dev/relay/start.ts';
import { TEST_SUPABASE_URL } from '../setup.ts';
import { db } from '../helpers/db.ts';

const CLUSTER = `test-${crypto.randomUUID()}`;

/** The environment of a relay on the test database (push off, its own position name). */
export function relayEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: inject('databaseUrl'),
    SUPABASE_DB_URL: '',
    SUPABASE_URL: TEST_SUPABASE_URL,
    SUPABASE_JWKS: JSON.stringify(jwksOf(inject('keys'))),
    SUPABASE_SERVICE_ROLE_KEY: '',
    LOCAL_STORAGE_DIR: '',
    ONESIGNAL_APP_ID: '',
    ONESIGNAL_REST_API_KEY: '',
    LOG_LEVEL: 'info',
    RELAY_ID: `test-${crypto.randomUUID()}`,
    // The relays of one test file form a cluster of their own.
    RELAY_ADAPTER_CHANNEL: CLUSTER,
    ...overrides,
  };
}

/** A relay process of its own (realtime-relay/main.ts), its log kept. */
export async function startTestRelay(
  overrides: Record<string, string> = {},
  port?: number,
): Promise<RunningRelayProcess> {
  return await startRelayProcess({
    port: port ?? await freePort(),
    env: relayEnv(overrides),
    output: 'pipe',
  });
}

// deno-lint-ignore no-explicit-any -- payloads are compared whole with what the database holds
export type Payload = Record<string, any>;

export interface Received {
  event: string;
  payload: Payload;
}

export interface Client {
  socket: Socket;
  /** Every event received, in order. */
  received: Received[];
  /** The events of one name, in order. */
  of(event: string): Payload[];
  /** Resolves once `check` holds for what was received (it is checked on every event). */
  until(check: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export type Auth = { token?: string; last_event_id?: number | string } | Record<string, unknown>;

/**
 * A socket.io-client socket as the CRM opens it (`auth`, websocket only, default path), which
 * resolves once connected and rejects with the `connect_error`.
 */
export function connect(
  url: string,
  auth: Auth | ((cb: (data: object) => void) => void),
  options: { reconnection?: boolean } = {},
): Promise<Client> {
  const socket = io(url, {
    auth,
    transports: ['websocket'],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  socket.onAny((event: string, payload: Payload) => {
    received.push({ event, payload });
    for (const w of waiters) w();
  });
  const client: Client = {
    socket,
    received,
    of: (event) => received.filter((r) => r.event === event).map((r) => r.payload),
    until(check, timeoutMs = 20_000) {
      if (check(received)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `Not received within ${timeoutMs} ms; got ${
                JSON.stringify(received.map((r) => [r.event, r.payload.event_id ?? r.payload]))
              }`,
            ),
          );
        }, timeoutMs);
        const waiter = () => {
          if (!check(received)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve();
        };
        waiters.add(waiter);
      });
    },
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (e) => {
      if (!socket.active) {
        socket.close();
        reject(e);
      }
    });
  });
}

/** Waits `ms`: for "nothing else arrives" checks. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The events stored for `userId` after `after`, each payload with its event_id, as sent. */
export async function storedEvents(userId: string, after: number) {
  return await db<{ id: string; event: string; payload: Payload }[]>`
    select id::text, event, payload || jsonb_build_object('event_id', id) as payload
    from private.events e where user_id = ${userId} and e.id > ${after} order by e.id`;
}

/** The received events as [event, payload] pairs, to compare with storedEvents. */
export const asStored = (received: Received[]) =>
  received.filter((r) => !r.event.startsWith('presence:')).map((r) => ({
    event: r.event,
    payload: r.payload,
  }));

/** Polls `check` until it holds (for what a relay shows on /healthz). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not true within ${timeoutMs} ms`);
    await pause(50);
  }
}

/** A relay's /healthz. */
export async function health(relay: { url: string }) {
  const res = await fetch(`${relay.url}/healthz`);
  return { status: res.status, body: await res.json() };
}

/**
 * Waits until the relay has read the outbox up to its current end: what was written before
 * is behind it (for a client connecting without last_event_id, or catching up).
 */
export async function readUpToNow(relay: { url: string }) {
  const [{ newest }] = await db<{ newest: string }[]>`
    select coalesce(max(id), 0)::text as newest from private.events`;
  await eventually(async () => (await health(relay)).body.last_event_id >= Number(newest), 30_000);
}
