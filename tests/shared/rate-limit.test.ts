import { describe, expect, it, vi } from 'vitest';
import { app as relatives } from '../../functions/relatives/app.ts';
import { app as settings } from '../../functions/settings/app.ts';
import { createApp } from '../../shared/http/create-app.ts';
import { db, snapshot } from '../helpers/db.ts';
import { call, type CallResult } from '../helpers/http.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { signWithStrangerKey, signWithTestKey, supabaseClaims } from './tokens.ts';

// A low limit, and a chain of two trusted proxies, set before the apps read their configuration.
const LIMIT = vi.hoisted(() => {
  process.env.RATE_LIMIT_PER_MINUTE = '3';
  process.env.TRUSTED_PROXY_HOPS = '2';
  return 3;
});

const open = createApp('open', { auth: 'public' }).get('/ping', (c) => c.json({ pong: true }));

/**
 * The counters use fixed one-minute windows of the database clock. A test that straddled two
 * windows would see its count restart, so it starts at least a few seconds before the edge.
 */
async function awayFromWindowEdge(): Promise<void> {
  const [{ left }] = await db<{ left: number }[]>`
    select extract(epoch from date_trunc('minute', now()) + interval '1 minute' - now())::float8 as left`;
  if (left < 5) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 100));
}

const listRelatives = (user: TestUser) =>
  call(relatives, 'GET', '/relatives', { token: user.token });
// Each test run starts on a fresh database, so numbering the clients keeps their counts apart.
let clients = 0;
const clientIp = () => `203.0.113.${++clients}`;
/**
 * The header as the two trusted proxies write it: the outer one appends the client's address,
 * the inner one the outer proxy's.
 */
const forwardedFor = (client = clientIp()) => `${client}, 10.0.0.1`;

function expectRateLimited(res: CallResult) {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({
    error: { code: 'rate_limited', message: expect.any(String), details: {} },
  });
  const reset = Number(res.headers.get('ratelimit-reset'));
  expect(res.headers.get('retry-after')).toBe(String(reset));
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(60);
  expect(res.headers.get('ratelimit-limit')).toBe(String(LIMIT));
  expect(res.headers.get('ratelimit-remaining')).toBe('0');
}

describe('rate limit', () => {
  it('counts down in the RateLimit headers of successful responses', async () => {
    await awayFromWindowEdge();
    const user = await createUser();
    const remaining = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await listRelatives(user);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe(String(LIMIT));
      const reset = Number(res.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
  });

  it('refuses the request over the limit with 429, Retry-After and the RateLimit headers', async () => {
    await awayFromWindowEdge();
    const user = await createUser();
    for (let i = 0; i < LIMIT; i++) expect((await listRelatives(user)).status).toBe(200);
    expectRateLimited(await listRelatives(user));
    expectRateLimited(await listRelatives(user));
  });

  it('refuses before the handler runs, so nothing is written', async () => {
    await awayFromWindowEdge();
    const user = await createUser();
    for (let i = 0; i < LIMIT; i++) await listRelatives(user);
    const before = await snapshot(['public.relatives']);
    const res = await call(relatives, 'POST', '/relatives', {
      token: user.token,
      json: { first_name: 'Sarah', last_name: 'Cohen', relation: 'child' },
    });
    expectRateLimited(res);
    expect(await snapshot(['public.relatives'])).toEqual(before);
  });

  it('lets a browser read the 429 and its Retry-After', async () => {
    await awayFromWindowEdge();
    const user = await createUser();
    for (let i = 0; i < LIMIT; i++) await listRelatives(user);
    const res = await call(relatives, 'GET', '/relatives', {
      token: user.token,
      headers: { origin: 'https://crm.dokal.example' },
    });
    expectRateLimited(res);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/i);
  });

  it('counts each user apart: another user is unaffected', async () => {
    await awayFromWindowEdge();
    const a = await createUser();
    const b = await createUser();
    for (let i = 0; i < LIMIT; i++) await listRelatives(a);
    expectRateLimited(await listRelatives(a));
    const res = await listRelatives(b);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  });

  it('shares one count across functions, because it lives in Postgres', async () => {
    await awayFromWindowEdge();
    const user = await createUser();
    expect((await listRelatives(user)).status).toBe(200);
    expect((await call(settings, 'GET', '/settings', { token: user.token })).status).toBe(200);
    expect((await listRelatives(user)).status).toBe(200);
    expectRateLimited(await call(settings, 'GET', '/settings', { token: user.token }));
    const [{ hits }] =
      await db`select hits from private.rate_limit_counters where key = ${`user:${user.id}`}`;
    expect(hits).toBe(LIMIT + 1);
  });

  it('counts anonymous calls per client address, as the outermost trusted proxy saw it', async () => {
    await awayFromWindowEdge();
    const client = clientIp();
    for (let i = 0; i < LIMIT; i++) {
      const res = await call(open, 'GET', '/open/ping', {
        headers: { 'x-forwarded-for': forwardedFor(client) },
      });
      expect(res.status).toBe(200);
    }
    expectRateLimited(
      await call(open, 'GET', '/open/ping', {
        headers: { 'x-forwarded-for': forwardedFor(client) },
      }),
    );
    const [{ hits }] =
      await db`select hits from private.rate_limit_counters where key = ${`ip:${client}`}`;
    expect(hits).toBe(LIMIT + 1);

    const other = await call(open, 'GET', '/open/ping', {
      headers: { 'x-forwarded-for': forwardedFor() },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  });

  it('lets no client reset or spread its count by writing its own X-Forwarded-For entries', async () => {
    await awayFromWindowEdge();
    const client = clientIp();
    // A fresh forged address in front each time, as a client rotating its header would send.
    const forged = (i: number) => `198.51.100.${i}, 192.0.2.${i}, ${forwardedFor(client)}`;
    for (let i = 0; i < LIMIT; i++) {
      expect(
        (await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': forged(i) } }))
          .status,
      ).toBe(200);
    }
    expectRateLimited(
      await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': forged(LIMIT) } }),
    );
    const keys = await db<{ key: string }[]>`
      select key from private.rate_limit_counters where key like 'ip:198.51.100.%' or key like 'ip:192.0.2.%'`;
    expect(keys).toEqual([]);
  });

  it.each([
    ['no token', {}],
    ['a malformed header', { authorization: 'Token abc' }],
    ['a token that is not a JWT', { authorization: 'Bearer not-a-jwt' }],
  ])('counts requests with %s against the client address, then answers 429', async (_, headers) => {
    await awayFromWindowEdge();
    const client = clientIp();
    const send = () =>
      call(relatives, 'GET', '/relatives', {
        headers: { ...headers, 'x-forwarded-for': forwardedFor(client) },
      });
    for (let i = 0; i < LIMIT; i++) {
      const res = await send();
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1 - i));
    }
    expectRateLimited(await send());
  });

  it('counts forged and expired tokens against the client address too', async () => {
    await awayFromWindowEdge();
    const client = clientIp();
    const user = await createUser();
    const forged = await signWithStrangerKey(supabaseClaims(user.id), 'stranger');
    const expired = await signWithTestKey(
      supabaseClaims(user.id, { exp: Math.floor(Date.now() / 1000) - 60 }),
    );
    const send = (token: string) =>
      call(relatives, 'GET', '/relatives', {
        token,
        headers: { 'x-forwarded-for': forwardedFor(client) },
      });
    expect((await send(forged)).status).toBe(401);
    expect((await send(expired)).status).toBe(401);
    expect((await send(forged)).status).toBe(401);
    expectRateLimited(await send(expired));
    // The user the tokens name is not charged for them.
    const charged =
      await db`select 1 from private.rate_limit_counters where key = ${`user:${user.id}`}`;
    expect(charged).toEqual([]);
  });

  it('keeps a limited IP from blocking a signed-in user behind it', async () => {
    await awayFromWindowEdge();
    const ip = forwardedFor();
    for (let i = 0; i <= LIMIT; i++) {
      await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': ip } });
    }
    const user = await createUser();
    const res = await call(relatives, 'GET', '/relatives', {
      token: user.token,
      headers: { 'x-forwarded-for': ip },
    });
    expect(res.status).toBe(200);
  });

  it('does not count the OpenAPI document', async () => {
    await awayFromWindowEdge();
    const ip = forwardedFor();
    for (let i = 0; i <= LIMIT; i++) {
      const res = await call(open, 'GET', '/open/openapi.json', {
        headers: { 'x-forwarded-for': ip },
      });
      expect(res.status).toBe(200);
    }
    expect((await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': ip } })).status)
      .toBe(200);
  });

  it('purges expired windows in bulk and keeps the live ones', async () => {
    await awayFromWindowEdge();
    const live = await createUser();
    for (let i = 0; i < 2; i++) expect((await listRelatives(live)).status).toBe(200);
    // A burst of 10,000 addresses, whose window then passes.
    await db`select private.hit_rate_limit('ip:burst-' || n) from generate_series(1, 10000) n`;
    await db`
      update private.rate_limit_counters set window_start = window_start - interval '1 minute'
      where key like 'ip:burst-%'`;

    const [{ purged }] = await db<
      { purged: number }[]
    >`select private.purge_rate_limit_counters() as purged`;

    expect(purged).toBeGreaterThanOrEqual(10_000);
    const [{ left }] = await db<{ left: number }[]>`
      select count(*)::int as left from private.rate_limit_counters where key like 'ip:burst-%'`;
    expect(left).toBe(0);
    const [{ hits }] =
      await db`select hits from private.rate_limit_counters where key = ${`user:${live.id}`}`;
    expect(hits).toBe(2);
    expect((await listRelatives(live)).headers.get('ratelimit-remaining')).toBe('0');
  });

  it('schedules the purge every five minutes where pg_cron is installed', async () => {
    // pg_cron is not installed here: a stand-in `cron.schedule` records the call, then the
    // transaction is rolled back.
    let calls: unknown[] = [];
    const rolledBack = db.begin(async (tx) => {
      await tx`create schema cron`;
      await tx`create table cron.calls (job text, schedule text, command text)`;
      await tx`
        create function cron.schedule(job text, schedule text, command text) returns bigint
        language sql as $$ insert into cron.calls values (job, schedule, command); select 1::bigint $$`;
      await tx`select private.schedule_maintenance()`;
      await tx`select private.schedule_maintenance()`;
      calls = [...(await tx`select job, schedule, command from cron.calls`)];
      throw new Error('roll back the stand-in');
    });
    await expect(rolledBack).rejects.toThrow('roll back the stand-in');
    // The other jobs: tests/reminders/jobs.test.ts.
    expect(calls.filter((c) => (c as { job: string }).job === 'purge-rate-limit-counters')).toEqual(
      [
        ...Array(2).fill({
          job: 'purge-rate-limit-counters',
          schedule: '*/5 * * * *',
          command: 'select private.purge_rate_limit_counters()',
        }),
      ],
    );
  });
});
