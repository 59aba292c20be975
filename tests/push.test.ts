import { createServer, type IncomingMessage, type Server } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../dev/lib/free-port.ts';
import type { PushAdapter } from '../shared/push/adapter.ts';
import {
  deliverPush,
  type DeliveryOptions,
  type DeliveryReport,
  type PushLog,
  startPushWorker,
} from '../shared/push/deliver.ts';
import { createOneSignalAdapter } from '../shared/push/onesignal.ts';
import { db } from './helpers/db.ts';
import { createUser, type TestUser } from './helpers/users.ts';

// Every test of push delivery is in this file: a delivery run claims whatever is due in the
// shared test database, so two files running deliveries at once would take each other's. Other
// files' notifications (their users have no devices, or devices of their own) may be claimed
// here too: every check below is about this file's own users, tokens and notifications.

const APP_ID = '5eb5a37e-b458-11e3-ac11-000c2940e62c';
const REST_API_KEY = 'os_v2_app_test-rest-api-key';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: {
    app_id: string;
    include_subscription_ids: string[];
    headings: Record<string, string>;
    contents: Record<string, string>;
    data: Record<string, unknown>;
    idempotency_key: string;
  };
}

interface Answer {
  status: number;
  body?: unknown;
  /** Closes the connection without an answer. */
  hangUp?: boolean;
}

/**
 * A stand-in for OneSignal's REST API on a free local port: it records every request and
 * answers what the test arranged for the subscription ids it names (200 with a notification id
 * otherwise), after `delayMs`.
 */
class StandIn {
  readonly received: Received[] = [];
  private rules: Array<(request: Received) => Answer | undefined> = [];
  delayMs = 0;
  private server?: Server;
  url = '';

  async start() {
    const port = await freePort();
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', async () => {
        const request: Received = {
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          body: JSON.parse(raw),
        };
        this.received.push(request);
        const answer = this.rules.map((rule) => rule(request)).find(Boolean) ??
          { status: 200, body: { id: crypto.randomUUID(), external_id: null } };
        if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
        if (answer.hangUp) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body ?? {}));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Answers requests that include `token` with `answer` (the first rule that matches wins). */
  when(token: string, answer: (request: Received, seen: number) => Answer | undefined) {
    let seen = 0;
    this.rules.push((request) =>
      request.body.include_subscription_ids?.includes(token) ? answer(request, ++seen) : undefined
    );
  }

  /** The requests that named any of `tokens`. */
  requestsFor(...tokens: string[]): Received[] {
    return this.received.filter((r) =>
      r.body.include_subscription_ids?.some((t) => tokens.includes(t))
    );
  }

  reset() {
    this.received.length = 0;
    this.rules = [];
    this.delayMs = 0;
  }

  async stop() {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const standIn = new StandIn();
let adapter: PushAdapter;
/** The delivery routine's own connection, as the relay or the dev stack would hold it. */
let sql: postgres.Sql;

beforeAll(async () => {
  await standIn.start();
  adapter = createOneSignalAdapter({
    appId: APP_ID,
    restApiKey: REST_API_KEY,
    apiUrl: standIn.url,
  });
  sql = postgres(inject('databaseUrl'), { max: 4, onnotice: () => {} });
});

afterAll(async () => {
  await sql.end();
  await standIn.stop();
});

beforeEach(() => standIn.reset());

/** Delivery passes until one finds nothing due. */
async function drain(options: DeliveryOptions = {}, using = adapter): Promise<DeliveryReport[]> {
  const reports: DeliveryReport[] = [];
  for (let pass = 0; pass < 200; pass++) {
    const report = await deliverPush(sql, using, options);
    reports.push(report);
    if (report.claimed === 0) return reports;
  }
  throw new Error('Deliveries kept coming for 200 passes.');
}

async function patient(
  options: {
    locale?: string;
    tokens?: number;
    notifications?: boolean;
    reminders?: boolean;
  } = {},
): Promise<TestUser & { tokens: string[] }> {
  const user = await createUser({ firstName: 'Noa', lastName: 'Cohen' });
  if (options.locale || options.notifications === false || options.reminders === false) {
    await db`insert into public.user_settings
        (user_id, locale, notifications_enabled, reminders_enabled)
      values (${user.id}, ${options.locale ?? 'fr'}, ${options.notifications ?? true},
              ${options.reminders ?? true})`;
  }
  const tokens: string[] = [];
  const platforms = ['ios', 'android', 'web'];
  for (let i = 0; i < (options.tokens ?? 1); i++) {
    const token = crypto.randomUUID();
    await db`insert into public.push_tokens (token, user_id, platform, created_at)
      values (${token}, ${user.id}, ${platforms[i % 3]}, now() + make_interval(secs => ${i}))`;
    tokens.push(token);
  }
  return { ...user, tokens };
}

/** A new_message notification for `user`, written as the database writes every notification. */
async function newMessage(user: TestUser, sender = 'Dana Levi'): Promise<string> {
  const [{ id }] = await db<[{ id: string }]>`
    select private.notify(${user.id}, 'new_message',
      jsonb_build_object('conversation_id', ${crypto.randomUUID()}::text,
                         'sender', ${sender}::text)) as id`;
  return id;
}

interface Delivery {
  status: string;
  attempts: number;
  last_error: string | null;
  skip_reason: string | null;
  provider_id: string | null;
  claim_id: string | null;
  due_later: boolean;
}

async function deliveryOf(notificationId: string): Promise<Delivery | undefined> {
  const [row] = await db<Delivery[]>`
    select status::text, attempts, last_error, skip_reason, provider_id, claim_id,
           next_attempt_at > now() as due_later
    from private.push_deliveries where notification_id = ${notificationId}`;
  return row;
}

async function tokensOf(user: TestUser): Promise<string[]> {
  const rows = await db<{ token: string }[]>`
    select token from public.push_tokens where user_id = ${user.id} order by token`;
  return rows.map((r) => r.token);
}

/** As if the backoff had passed: the delivery is due now. */
const makeDue = (id: string) =>
  db`update private.push_deliveries set next_attempt_at = now() where notification_id = ${id}`;

describe('the delivery record', () => {
  it('is written with the notification, in its transaction, and waits: nothing is sent then', async () => {
    const noa = await patient();
    const id = await newMessage(noa);
    expect(await deliveryOf(id)).toMatchObject({ status: 'pending', attempts: 0, claim_id: null });
    expect(standIn.requestsFor(...noa.tokens)).toEqual([]);

    const failed = await db.begin(async (tx) => {
      await tx`select private.notify(${noa.id}, 'new_message', '{"sender": "X"}')`;
      throw new Error('rolled back');
    }).catch((e: Error) => e.message);
    expect(failed).toBe('rolled back');
    const [{ n }] = await db`select count(*)::int as n from private.push_deliveries d
      join public.notifications x on x.id = d.notification_id where x.user_id = ${noa.id}`;
    expect(n).toBe(1);
  });

  it('goes with its notification', async () => {
    const noa = await patient();
    const id = await newMessage(noa);
    await db`delete from public.notifications where id = ${id}`;
    expect(await deliveryOf(id)).toBeUndefined();
  });
});

describe('deliverPush against the OneSignal stand-in', () => {
  it('sends exactly the request OneSignal documents, to every device of the user, once', async () => {
    const noa = await patient({ locale: 'fr', tokens: 3 });
    const id = await newMessage(noa, 'Dana Levi');
    await drain();

    const requests = standIn.requestsFor(...noa.tokens);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/notifications?c=push');
    expect(request.headers.authorization).toBe(`Key ${REST_API_KEY}`);
    expect(request.headers['content-type']).toBe('application/json');
    const [{ conversation_id }] = await db`select data ->> 'conversation_id' as conversation_id
      from public.notifications where id = ${id}`;
    expect(request.body).toEqual({
      app_id: APP_ID,
      include_subscription_ids: noa.tokens,
      headings: { fr: 'Nouveau message', en: 'Nouveau message' },
      contents: {
        fr: 'Dana Levi vous a envoyé un message.',
        en: 'Dana Levi vous a envoyé un message.',
      },
      data: { conversation_id, sender: 'Dana Levi', notification_id: id, type: 'new_message' },
      idempotency_key: id,
    });
    expect(await deliveryOf(id)).toMatchObject({
      status: 'sent',
      attempts: 1,
      last_error: null,
      claim_id: null,
      provider_id: expect.any(String),
    });
    await drain();
    expect(standIn.requestsFor(...noa.tokens)).toHaveLength(1);
  });

  it('writes each user in their own language, and Amharic under en alone', async () => {
    const expected: Array<[string, Record<string, string>]> = [
      ['fr', { fr: 'Nouveau message', en: 'Nouveau message' }],
      ['he', { he: 'הודעה חדשה', en: 'הודעה חדשה' }],
      ['en', { en: 'New message' }],
      ['ru', { ru: 'Новое сообщение', en: 'Новое сообщение' }],
      ['es', { es: 'Nuevo mensaje', en: 'Nuevo mensaje' }],
      ['am', { en: 'አዲስ መልዕክት' }],
    ];
    const users = await Promise.all(expected.map(([locale]) => patient({ locale })));
    // Without settings, a user reads French.
    const unset = await patient();
    for (const user of [...users, unset]) await newMessage(user);
    await drain();
    for (const [i, [locale, headings]] of expected.entries()) {
      const [request] = standIn.requestsFor(...users[i].tokens);
      expect(request.body.headings, locale).toEqual(headings);
      expect(Object.keys(request.body.contents), locale).toEqual(Object.keys(headings));
    }
    expect(standIn.requestsFor(...unset.tokens)[0].body.headings).toEqual({
      fr: 'Nouveau message',
      en: 'Nouveau message',
    });
  });

  it('skips users who turned push off, reminders for users who turned them off, and users without devices', async () => {
    const off = await patient({ notifications: false });
    const noReminders = await patient({ reminders: false });
    const noDevice = await patient({ tokens: 0 });
    const offMessage = await newMessage(off);
    const noDeviceMessage = await newMessage(noDevice);
    const [{ id: reminder }] = await db<[{ id: string }]>`
      insert into public.notifications (user_id, type, title, body)
      values (${noReminders.id}, 'appointment_reminder', 'Rappel de rendez-vous', 'Demain.')
      returning id`;
    const message = await newMessage(noReminders);
    const reports = await drain();

    expect(standIn.requestsFor(...off.tokens)).toEqual([]);
    const theirs = standIn.requestsFor(...noReminders.tokens);
    expect(theirs.map((r) => r.body.idempotency_key)).toEqual([message]);
    expect(await deliveryOf(offMessage)).toMatchObject({
      status: 'skipped',
      skip_reason: 'notifications_disabled',
      attempts: 0,
    });
    expect(await deliveryOf(reminder)).toMatchObject({
      status: 'skipped',
      skip_reason: 'reminders_disabled',
    });
    expect(await deliveryOf(noDeviceMessage)).toMatchObject({
      status: 'skipped',
      skip_reason: 'no_tokens',
    });
    expect(await deliveryOf(message)).toMatchObject({ status: 'sent' });
    expect(reports.reduce((n, r) => n + r.skipped, 0)).toBeGreaterThanOrEqual(3);
  });

  it('does not push what is more than a day old', async () => {
    const noa = await patient();
    const [{ id }] = await db<[{ id: string }]>`
      insert into public.notifications (user_id, type, title, body, created_at)
      values (${noa.id}, 'new_message', 'Nouveau message', 'Vieux.', now() - interval '25 hours')
      returning id`;
    await drain();
    expect(standIn.requestsFor(...noa.tokens)).toEqual([]);
    expect(await deliveryOf(id)).toMatchObject({ status: 'skipped', skip_reason: 'expired' });
  });

  it('removes the devices OneSignal reports invalid, and keeps pushing to the others', async () => {
    const noa = await patient({ tokens: 3 });
    const [kept, gone, alsoKept] = noa.tokens;
    standIn.when(gone, () => ({
      status: 200,
      body: { id: crypto.randomUUID(), errors: { invalid_player_ids: [gone] } },
    }));
    const id = await newMessage(noa);
    await drain();
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent' });
    expect(await tokensOf(noa)).toEqual([kept, alsoKept].sort());

    standIn.reset();
    await newMessage(noa);
    await drain();
    expect(standIn.requestsFor(...noa.tokens).map((r) => r.body.include_subscription_ids))
      .toEqual([[kept, alsoKept]]);
  });

  it('removes every device when none is subscribed any more, and records it skipped', async () => {
    const noa = await patient({ tokens: 2 });
    standIn.when(noa.tokens[0], () => ({
      status: 200,
      body: { id: '', errors: ['All included players are not subscribed'] },
    }));
    const id = await newMessage(noa);
    await drain();
    expect(await tokensOf(noa)).toEqual([]);
    expect(await deliveryOf(id)).toMatchObject({ status: 'skipped', skip_reason: 'unsubscribed' });
  });

  it('only ever removes the recipient’s own devices', async () => {
    const [noa, dan] = [await patient(), await patient()];
    standIn.when(noa.tokens[0], () => ({
      status: 200,
      body: { id: crypto.randomUUID(), errors: { invalid_player_ids: [dan.tokens[0]] } },
    }));
    await newMessage(noa);
    await drain();
    expect(await tokensOf(dan)).toEqual(dan.tokens);
    expect(await tokensOf(noa)).toEqual(noa.tokens);
  });

  it('retries after a 500 with backoff, and sends once the backoff has passed', async () => {
    const noa = await patient();
    standIn.when(
      noa.tokens[0],
      (_, seen) =>
        seen === 1 ? { status: 500, body: { errors: ['Internal Server Error'] } } : undefined,
    );
    const id = await newMessage(noa);
    await drain();
    expect(await deliveryOf(id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'http_500',
      claim_id: null,
      due_later: true,
    });
    // Not due yet: another run leaves it alone.
    await drain();
    expect(standIn.requestsFor(...noa.tokens)).toHaveLength(1);

    await makeDue(id);
    await drain();
    const requests = standIn.requestsFor(...noa.tokens);
    expect(requests).toHaveLength(2);
    // The same idempotency key: had the first attempt gone through, OneSignal would not repeat it.
    expect(requests.map((r) => r.body.idempotency_key)).toEqual([id, id]);
    expect(requests[1].body).toEqual(requests[0].body);
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a rate limit and a lost connection, and gives up after the last attempt', async () => {
    const noa = await patient();
    standIn.when(
      noa.tokens[0],
      (_, seen) =>
        seen === 1
          ? { status: 429, body: { errors: ['Rate limit exceeded'] } }
          : { status: 0, hangUp: true },
    );
    const id = await newMessage(noa);
    await drain();
    expect(await deliveryOf(id)).toMatchObject({ status: 'pending', last_error: 'http_429' });
    const [{ max }] = await db`select private.push_max_attempts() as max`;
    for (let attempt = 2; attempt <= max; attempt++) {
      await makeDue(id);
      await drain();
      expect(await deliveryOf(id), `attempt ${attempt}`).toMatchObject({
        attempts: attempt,
        last_error: 'network',
        status: attempt < max ? 'pending' : 'failed',
      });
    }
    await makeDue(id);
    await drain();
    expect(standIn.requestsFor(...noa.tokens)).toHaveLength(max);
  });

  it('records a refusal (4xx) as failed at once, without retrying', async () => {
    const [noa, dan] = [await patient(), await patient()];
    standIn.when(noa.tokens[0], () => ({
      status: 400,
      body: { errors: ['Notification content must not be null for any languages.'] },
    }));
    standIn.when(dan.tokens[0], () => ({
      status: 403,
      body: { errors: ["Access denied.  Please include an 'Authorization: ...' header."] },
    }));
    const refused = await newMessage(noa);
    const denied = await newMessage(dan);
    await drain();
    expect(await deliveryOf(refused)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'http_400',
    });
    expect(await deliveryOf(denied)).toMatchObject({ status: 'failed', last_error: 'http_403' });
    await makeDue(refused);
    await drain();
    expect(standIn.requestsFor(...noa.tokens)).toHaveLength(1);
    expect(await tokensOf(noa)).toEqual(noa.tokens);
  });

  it('retries when OneSignal cannot be reached at all', async () => {
    const noa = await patient();
    const id = await newMessage(noa);
    const closed = createOneSignalAdapter({
      appId: APP_ID,
      restApiKey: REST_API_KEY,
      apiUrl: `http://127.0.0.1:${await freePort()}`,
    });
    await drain({}, closed);
    expect(await deliveryOf(id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'network',
      due_later: true,
    });
    await makeDue(id);
    await drain();
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('sends each notification exactly once when two delivery runs work at the same time', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => patient({ tokens: 2 })));
    const ids: string[] = [];
    for (const user of users) {
      for (let i = 0; i < 10; i++) ids.push(await newMessage(user, `Sender ${i}`));
    }
    // Slow answers and small batches, so the two runs overlap all along.
    standIn.delayMs = 15;
    const options = { batchSize: 3, concurrency: 2 };
    const [first, second] = await Promise.all([drain(options), drain(options)]);
    const claimedBy = (reports: DeliveryReport[]) => reports.reduce((n, r) => n + r.sent, 0);
    expect(claimedBy(first)).toBeGreaterThan(0);
    expect(claimedBy(second)).toBeGreaterThan(0);

    const tokens = users.flatMap((u) => u.tokens);
    const keys = standIn.requestsFor(...tokens).map((r) => r.body.idempotency_key).sort();
    expect(keys).toEqual([...ids].sort());
    for (const id of ids) {
      expect(await deliveryOf(id)).toMatchObject({ status: 'sent', attempts: 1 });
    }
  });

  it('takes back a claim whose worker died, once its lease has run out', async () => {
    const noa = await patient();
    const id = await newMessage(noa);
    // A worker claims it, then dies before sending anything.
    const claim = crypto.randomUUID();
    await db`select * from private.claim_push_deliveries(${claim}, 1000, interval '1 hour')`;
    expect(await deliveryOf(id)).toMatchObject({ status: 'pending', attempts: 1, due_later: true });
    await drain();
    expect(standIn.requestsFor(...noa.tokens)).toEqual([]);
    await makeDue(id);
    await drain();
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent', attempts: 2 });
    // The dead worker's late outcome changes nothing.
    const [{ recorded }] = await db`
      select private.finish_push_delivery(${id}, ${claim}, 'failed', 'http_400') as recorded`;
    expect(recorded).toBe(false);
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent' });
  });
});

describe('push off (no OneSignal settings)', () => {
  it('records nothing and says so once', async () => {
    const noa = await patient();
    const id = await newMessage(noa);
    expect(await deliverPush(sql, undefined)).toMatchObject({ claimed: 0, sent: 0 });
    expect(await deliveryOf(id)).toMatchObject({ status: 'pending', attempts: 0 });

    const lines: Array<[string, string]> = [];
    const log: PushLog = (level, event) => lines.push([level, event]);
    const worker = startPushWorker(sql, undefined, { log, intervalMs: 5 });
    await worker.stop();
    expect(lines).toEqual([['info', 'push_off']]);
    expect(await deliveryOf(id)).toMatchObject({ status: 'pending', attempts: 0 });
    // Left pending, it goes out once push is on (within the day).
    await drain();
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent' });
  });

  it('the worker says once that push is off, and touches nothing', async () => {
    const lines: string[] = [];
    const worker = startPushWorker(db, undefined, { log: (_level, event) => lines.push(event) });
    await worker.stop();
    expect(lines).toEqual(['push_off']);
  });
});

describe('the push worker', () => {
  async function eventually(check: () => Promise<boolean>): Promise<void> {
    for (let tries = 0; tries < 200; tries++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('The condition never held.');
  }

  it('delivers on its own, pass after pass, until stopped (the realtime relay runs it so)', async () => {
    const lines: string[] = [];
    const sql = postgres(inject('databaseUrl'), { max: 2, onnotice: () => {} });
    const worker = startPushWorker(
      sql,
      createOneSignalAdapter({ appId: APP_ID, restApiKey: REST_API_KEY, apiUrl: standIn.url }),
      { intervalMs: 20, log: (_level, event) => lines.push(event) },
    );
    try {
      const noa = await patient();
      const first = await newMessage(noa);
      await eventually(async () => (await deliveryOf(first))?.status === 'sent');
      const second = await newMessage(noa);
      await eventually(async () => (await deliveryOf(second))?.status === 'sent');
      expect(standIn.requestsFor(...noa.tokens).map((r) => r.body.idempotency_key)).toEqual([
        first,
        second,
      ]);
    } finally {
      await worker.stop();
      await sql.end();
    }
    expect(lines.filter((l) => l.includes('push_off'))).toEqual([]);
  });

  it('keeps going after a failed pass and logs it', async () => {
    const broken = postgres('postgres://nobody@127.0.0.1:1/none', {
      max: 1,
      connect_timeout: 1,
      onnotice: () => {},
    });
    const lines: Array<[string, string]> = [];
    const worker = startPushWorker(broken, adapter, {
      intervalMs: 5,
      log: (level, event) => lines.push([level, event]),
    });
    await eventually(() => Promise.resolve(lines.length >= 2));
    await worker.stop();
    await broken.end();
    expect(lines.slice(0, 2)).toEqual([
      ['error', 'push_pass_failed'],
      ['error', 'push_pass_failed'],
    ]);
  });
});
