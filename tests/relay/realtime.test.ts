import { createServer, type Server } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, dropDatabase, prepareDatabase } from '../../dev/lib/database.ts';
import { freePort } from '../../dev/lib/free-port.ts';
import { mintAccessToken } from '../../dev/lib/keys.ts';
import { ensureUser } from '../../dev/lib/users.ts';
import type { RunningRelayProcess } from '../../dev/relay/start.ts';
import { db } from '../helpers/db.ts';
import { connect, eventually, pause, startTestRelay } from './helpers.ts';
import { REALTIME_SCHEMA, RealtimeStandIn } from './realtime-stand-in.ts';

// A database of its own, with a stand-in of the platform's `realtime` schema made before the
// migrations ran (as on Supabase), so the migration's Realtime step runs for real. It also keeps
// this file's push deliveries away from the shared database, where tests/push.test.ts claims
// whatever is due.

const SERVICE_KEY = 'service-role-key-of-the-stand-in-0123456789';
const serverUrl = inject('databaseUrl');
const name = `dokal_relay_rt_${Date.now()}_${process.pid}`;
let url: string;
let sql: postgres.Sql;
let realtime: RealtimeStandIn;

beforeAll(async () => {
  url = await createDatabase(serverUrl, name);
  const setup = postgres(url, { max: 1, onnotice: () => {} });
  await setup.unsafe(REALTIME_SCHEMA);
  await setup.end();
  await prepareDatabase(url);
  sql = postgres(url, { max: 4, onnotice: () => {} });
  realtime = new RealtimeStandIn(SERVICE_KEY, url);
  await realtime.start();
}, 180_000);

afterAll(async () => {
  await realtime?.stop();
  await sql?.end();
  await dropDatabase(serverUrl, name);
});

/** A user of this database, with a token the relay (issuer: the stand-in's URL) accepts. */
async function user(role?: 'practitioner') {
  const email = `rt-${crypto.randomUUID()}@test.dokal.local`;
  const id = await ensureUser(sql, { email, role, firstName: 'Rita', lastName: 'Tal' });
  const token = await mintAccessToken(inject('keys'), {
    sub: id,
    email,
    issuer: `${realtime.url}/auth/v1`,
  });
  return { id, token };
}

const relayOn = (overrides: Record<string, string> = {}) =>
  startTestRelay({
    DATABASE_URL: url,
    SUPABASE_URL: realtime.url,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY,
    ...overrides,
  });

describe('the migration’s Realtime step', () => {
  it('broadcasts once per transaction on the private topic where the realtime schema exists', async () => {
    const [{ exists }] = await sql<{ exists: boolean }[]>`
      select exists (select from pg_trigger where tgname = 'events_realtime_signal'
                     and tgrelid = 'private.events'::regclass) as exists`;
    expect(exists).toBe(true);
    const target = await user();
    const ids = await sql.begin(async (tx) => {
      for (let n = 0; n < 3; n++) {
        await tx`select private.emit_event(${target.id}, 'test:tick', ${tx.json({ n })})`;
      }
      const rows = await tx<{ id: string }[]>`
        select id::text from private.events where user_id = ${target.id} order by events.id`;
      return rows.map((r) => Number(r.id));
    });
    const messages = await sql<
      { topic: string; event: string; private: boolean; payload: unknown }[]
    >`select topic, event, private, payload from realtime.messages
      where payload ->> 'event_id' = any (${ids.map(String)}::text[])`;
    expect(messages).toEqual([
      { topic: 'dokal:events', event: 'events', private: true, payload: { event_id: ids[0] } },
    ]);
  });

  it('creates nothing where there is no realtime schema', async () => {
    const [{ triggers, realtime: schema }] = await db<{ triggers: number; realtime: boolean }[]>`
      select (select count(*)::int from pg_trigger where tgname = 'events_realtime_signal')
               as triggers,
             exists (select from pg_namespace where nspname = 'realtime') as realtime`;
    expect({ triggers, schema }).toEqual({ triggers: 0, schema: false });
  });
});

describe('the relay signalled by Supabase Realtime', () => {
  let relay: RunningRelayProcess;

  beforeAll(async () => {
    // No timer to fall back on within the test: only the signal makes it read.
    relay = await relayOn({ RELAY_SIGNAL: 'realtime', RELAY_POLL_INTERVAL_MS: '600000' });
  });

  afterAll(async () => {
    await relay?.stop();
  });

  it('joins the private channel with the service key, through supabase-js', async () => {
    await eventually(() => Promise.resolve(realtime.joins.some((j) => j.accepted)));
    expect(realtime.connections[0]).toBe(SERVICE_KEY);
    expect(realtime.joins[0]).toMatchObject({
      topic: 'realtime:dokal:events',
      payload: { access_token: SERVICE_KEY, config: { private: true } },
      accepted: true,
    });
    expect(relay.output()).toContain('"event":"realtime_subscribed"');
  });

  it('delivers an event as soon as Realtime says it was written', async () => {
    const target = await user();
    const client = await connect(relay.url, { token: target.token });
    const before = realtime.broadcasts;
    await sql`select private.emit_event(${target.id}, 'test:tick', '{"via":"realtime"}')`;
    await client.until((r) => r.length >= 1, 3000);
    expect(client.received[0]).toMatchObject({
      event: 'test:tick',
      payload: { via: 'realtime' },
    });
    expect(realtime.broadcasts).toBeGreaterThan(before);
    client.close();
  });

  it('reads what was written while Realtime was away once realtime-js joins again', async () => {
    const target = await user();
    const client = await connect(relay.url, { token: target.token });
    const joins = realtime.joins.length;
    realtime.drop();
    // Written while the relay's channel is down: that signal is lost.
    await sql`select private.emit_event(${target.id}, 'test:tick', '{"while":"away"}')`;
    await eventually(() => Promise.resolve(realtime.joins.length > joins), 20_000);
    await client.until((r) => r.length >= 1, 5000);
    expect(client.received[0].payload).toMatchObject({ while: 'away' });
    client.close();
  });
});

describe('push delivery by the relays', () => {
  const APP_ID = '5eb5a37e-b458-11e3-ac11-000c2940e62c';
  let oneSignal: Server;
  const pushes: Array<{ idempotency_key: string; include_subscription_ids: string[] }> = [];
  let relays: RunningRelayProcess[] = [];

  beforeAll(async () => {
    const port = await freePort();
    oneSignal = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        pushes.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: crypto.randomUUID(), external_id: null }));
      });
    });
    await new Promise<void>((resolve) => oneSignal.listen(port, '127.0.0.1', resolve));
    const push = {
      ONESIGNAL_APP_ID: APP_ID,
      ONESIGNAL_REST_API_KEY: 'os_v2_app_relay-test-key',
      ONESIGNAL_API_URL: `http://127.0.0.1:${port}`,
      RELAY_PUSH_INTERVAL_MS: '200',
    };
    relays = await Promise.all([relayOn(push), relayOn(push)]);
  });

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await new Promise((resolve) => oneSignal?.close(resolve));
  });

  it('two relays push each notification once', async () => {
    const target = await user();
    await sql`insert into public.push_tokens (token, user_id, platform)
      values (${`device-${crypto.randomUUID()}`}, ${target.id}, 'android')`;
    const ids = await sql<{ id: string }[]>`
      select private.notify(${target.id}, 'new_message', ${sql.json({ sender: 'Dana' })}) as id
      from generate_series(1, 20)`;
    await eventually(() => Promise.resolve(pushes.length >= 20), 20_000);
    await pause(1000);
    const keys = pushes.map((p) => p.idempotency_key).sort();
    expect(keys).toEqual(ids.map((r) => r.id).sort());
    const [{ sent }] = await sql<{ sent: number }[]>`
      select count(*)::int as sent from private.push_deliveries
      where notification_id = any (${ids.map((r) => r.id)}::uuid[]) and status = 'sent'`;
    expect(sent).toBe(20);
  });
});
