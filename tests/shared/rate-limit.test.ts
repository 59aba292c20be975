import { describe, expect, it, vi } from 'vitest';
import { app as relatives } from '../../functions/relatives/app.ts';
import { app as settings } from '../../functions/settings/app.ts';
import { createApp } from '../../shared/http/create-app.ts';
import { db, snapshot } from '../helpers/db.ts';
import { call, type CallResult } from '../helpers/http.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

// A low limit, set before the apps load and read their configuration.
const LIMIT = vi.hoisted(() => {
  process.env.RATE_LIMIT_PER_MINUTE = '3';
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

const listRelatives = (user: TestUser) => call(relatives, 'GET', '/relatives', { token: user.token });
// Each test run starts on a fresh database, so numbering the clients keeps their counts apart.
let clients = 0;
const clientIp = () => `203.0.113.${++clients}`;
/** The header as a proxy chain writes it: the client first, then the proxies. */
const forwardedFor = () => `${clientIp()}, 10.0.0.1`;

function expectRateLimited(res: CallResult) {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String), details: {} } });
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
    const [{ hits }] = await db`select hits from private.rate_limit_counters where key = ${`user:${user.id}`}`;
    expect(hits).toBe(LIMIT + 1);
  });

  it('counts anonymous calls per client IP, from the first X-Forwarded-For address', async () => {
    await awayFromWindowEdge();
    const ip = forwardedFor();
    const client = ip.split(',')[0];
    for (let i = 0; i < LIMIT; i++) {
      expect((await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': ip } })).status).toBe(200);
    }
    expectRateLimited(await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': client } }));

    const otherIp = clientIp();
    const other = await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': otherIp } });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  });

  it('keeps a limited IP from blocking a signed-in user behind it', async () => {
    await awayFromWindowEdge();
    const ip = forwardedFor();
    for (let i = 0; i <= LIMIT; i++) await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': ip } });
    const user = await createUser();
    const res = await call(relatives, 'GET', '/relatives', { token: user.token, headers: { 'x-forwarded-for': ip } });
    expect(res.status).toBe(200);
  });

  it('does not count the OpenAPI document', async () => {
    await awayFromWindowEdge();
    const ip = forwardedFor();
    for (let i = 0; i <= LIMIT; i++) {
      const res = await call(open, 'GET', '/open/openapi.json', { headers: { 'x-forwarded-for': ip } });
      expect(res.status).toBe(200);
    }
    expect((await call(open, 'GET', '/open/ping', { headers: { 'x-forwarded-for': ip } })).status).toBe(200);
  });
});
