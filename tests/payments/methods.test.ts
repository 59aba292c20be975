import { describe, expect, it } from 'vitest';
import { app } from '../../functions/payments/app.ts';
import { israelDate } from '../../dev/lib/israel-date.ts';
import { db, snapshot } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import {
  badAuthorizations,
  expectRefusal,
  MALFORMED_IDS,
  patient,
  PAYMENT_TABLES,
} from './helpers.ts';

const api = (user: TestUser | undefined, method: string, path: string, options: CallOptions = {}) =>
  call(app, method, `/payments/methods${path}`, { token: user?.token, ...options });

const [THIS_YEAR, THIS_MONTH] = israelDate(0).split('-').map(Number);

const card = (overrides: Record<string, unknown> = {}) => ({
  brand: 'Visa',
  last4: '4242',
  expiry_month: 12,
  expiry_year: THIS_YEAR + 2,
  ...overrides,
});

async function add(user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await api(user, 'POST', '', { json: card(overrides) });
  expect(res.status).toBe(201);
  return res.body as { id: string; is_default: boolean };
}

async function defaultsOf(userId: string) {
  return await db<{ id: string }[]>`
    select id from public.payment_methods where user_id = ${userId} and is_default`;
}

describe('POST /payments/methods', () => {
  it('keeps the display data of a card, the first one as the default', async () => {
    const noa = await patient();
    const res = await api(noa, 'POST', '', {
      json: card({ brand: 'Isracard', last4: '0042', expiry_month: 3 }),
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      brand: 'Isracard',
      last4: '0042',
      expiry_month: 3,
      expiry_year: THIS_YEAR + 2,
      is_default: true,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });
    const second = await add(noa, { brand: 'American Express', last4: '1005' });
    expect(second.is_default).toBe(false);
    const [row] =
      await db`select user_id, last4 from public.payment_methods where id = ${second.id}`;
    expect(row).toEqual({ user_id: noa.id, last4: '1005' });
  });

  it('takes every brand of the list, and a card expiring this month', async () => {
    const noa = await patient();
    for (const brand of ['Visa', 'Mastercard', 'American Express', 'Isracard', 'Diners']) {
      expect((await api(noa, 'POST', '', { json: card({ brand }) })).status, brand).toBe(201);
    }
    const thisMonth = card({ expiry_month: THIS_MONTH, expiry_year: THIS_YEAR });
    expect((await api(noa, 'POST', '', { json: thisMonth })).status).toBe(201);
  });

  it('refuses an expired card and a full card number, saying why, writing nothing', async () => {
    const noa = await patient();
    const before = await snapshot(PAYMENT_TABLES);
    const lastMonth = THIS_MONTH === 1
      ? card({ expiry_month: 12, expiry_year: THIS_YEAR - 1 })
      : card({ expiry_month: THIS_MONTH - 1, expiry_year: THIS_YEAR });
    const expired = await api(noa, 'POST', '', { json: lastMonth });
    expectRefusal(expired, 400);
    expect(expired.body.error.details.fieldErrors).toEqual({
      expiry_year: ['This card has expired.'],
    });
    const full = await api(noa, 'POST', '', {
      json: card({ card_number: '4242424242424242', cvv: '123' }),
    });
    expectRefusal(full, 400);
    expect(Object.keys(full.body.error.details.fieldErrors).sort()).toEqual(['card_number', 'cvv']);
    expect(full.body.error.message).toContain('Never send the full card number');
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
  });
});

describe('GET /payments/methods', () => {
  it('lists my cards only: the default first, then the newest', async () => {
    const noa = await patient();
    const first = await add(noa, { last4: '1111' });
    const second = await add(noa, { last4: '2222' });
    const third = await add(noa, { last4: '3333' });
    await add(await patient('Dan'), { last4: '9999' });
    // Creation times one second apart, so the order is the one of created_at.
    await db`update public.payment_methods set created_at = now() - interval '1 second' * (
      case last4 when '1111' then 3 when '2222' then 2 else 1 end) where user_id = ${noa.id}`;

    const res = await api(noa, 'GET', '');
    expect(res.status).toBe(200);
    expect(res.body.map((m: { id: string }) => m.id)).toEqual([first.id, third.id, second.id]);
    expect(res.body.map((m: { is_default: boolean }) => m.is_default)).toEqual([
      true,
      false,
      false,
    ]);
    expect(Object.keys(res.body[0])).toEqual([
      'id',
      'brand',
      'last4',
      'expiry_month',
      'expiry_year',
      'is_default',
      'created_at',
    ]);
  });

  it('answers an empty list to a user without cards', async () => {
    expect((await api(await patient(), 'GET', '')).body).toEqual([]);
  });
});

describe('DELETE /payments/methods/:id and PATCH /payments/methods/:id/default', () => {
  it('makes another card the default, and the newest remaining one when the default goes', async () => {
    const noa = await patient();
    const a = await add(noa, { last4: '1111' });
    const b = await add(noa, { last4: '2222' });
    const c = await add(noa, { last4: '3333' });
    await db`update public.payment_methods set created_at = now() - interval '1 minute'
             where id = ${c.id}`;

    expect((await api(noa, 'PATCH', `/${a.id}/default`)).status).toBe(204);
    expect(await defaultsOf(noa.id)).toEqual([{ id: a.id }]);
    expect((await api(noa, 'PATCH', `/${b.id}/default`)).status).toBe(204);
    expect(await defaultsOf(noa.id)).toEqual([{ id: b.id }]);
    // Asking again changes nothing.
    expect((await api(noa, 'PATCH', `/${b.id}/default`)).status).toBe(204);
    expect(await defaultsOf(noa.id)).toEqual([{ id: b.id }]);

    expect((await api(noa, 'DELETE', `/${c.id}`)).status).toBe(204);
    expect(await defaultsOf(noa.id)).toEqual([{ id: b.id }]);
    expect((await api(noa, 'DELETE', `/${b.id}`)).status).toBe(204);
    expect(await defaultsOf(noa.id)).toEqual([{ id: a.id }]);
    expect((await api(noa, 'DELETE', `/${a.id}`)).status).toBe(204);
    expect(await api(noa, 'GET', '')).toMatchObject({ status: 200, body: [] });
    expect((await api(noa, 'DELETE', `/${a.id}`)).status).toBe(404);
  });

  it('leaves newest-first order to decide which card takes over', async () => {
    const noa = await patient();
    const old = await add(noa, { last4: '1111' });
    const newer = await add(noa, { last4: '2222' });
    const newest = await add(noa, { last4: '3333' });
    await db`update public.payment_methods set created_at = now() - interval '1 hour' * (
      case id when ${old.id}::uuid then 3 when ${newer.id}::uuid then 2 else 1 end)
      where user_id = ${noa.id}`;
    expect((await api(noa, 'DELETE', `/${old.id}`)).status).toBe(204);
    expect(await defaultsOf(noa.id)).toEqual([{ id: newest.id }]);
  });
});

describe('payment methods under concurrency', () => {
  it('leaves exactly one default after two simultaneous "default" calls, round after round', async () => {
    const noa = await patient();
    const a = await add(noa, { last4: '1111' });
    const b = await add(noa, { last4: '2222' });
    const c = await add(noa, { last4: '3333' });
    for (let round = 0; round < 15; round++) {
      const [x, y] = round % 2 ? [b, c] : [c, a];
      const results = await Promise.all([
        api(noa, 'PATCH', `/${x.id}/default`),
        api(noa, 'PATCH', `/${y.id}/default`),
      ]);
      expect(results.map((r) => r.status)).toEqual([204, 204]);
      const defaults = await defaultsOf(noa.id);
      expect(defaults).toHaveLength(1);
      expect([x.id, y.id]).toContain(defaults[0].id);
    }
  });

  it('makes exactly one of several first cards added at once the default', async () => {
    const noa = await patient();
    const results = await Promise.all(
      ['1111', '2222', '3333', '4444', '5555'].map((last4) =>
        api(noa, 'POST', '', { json: card({ last4 }) })
      ),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(results.filter((r) => r.body.is_default)).toHaveLength(1);
    expect(await defaultsOf(noa.id)).toHaveLength(1);
  });

  it('keeps one default when the default is deleted while another is made default', async () => {
    for (let round = 0; round < 5; round++) {
      const noa = await patient();
      const a = await add(noa, { last4: '1111' });
      const b = await add(noa, { last4: '2222' });
      await add(noa, { last4: '3333' });
      await Promise.all([api(noa, 'DELETE', `/${a.id}`), api(noa, 'PATCH', `/${b.id}/default`)]);
      expect(await defaultsOf(noa.id)).toHaveLength(1);
    }
  });
});

describe('payment methods: who may do what', () => {
  it("keeps each user's cards to them: someone else's is 404, no token 401", async () => {
    const owner = await patient();
    const mine = await add(owner, { last4: '1234' });
    const others: Array<[string, TestUser]> = [
      ['another patient', await patient('Dan')],
      ['a practitioner', await createUser({ role: 'practitioner' })],
      ['an admin', await createUser({ role: 'admin' })],
    ];
    for (const [who, user] of others) {
      const before = await snapshot(PAYMENT_TABLES);
      expect((await api(user, 'GET', '')).body, who).toEqual([]);
      expectRefusal(await api(user, 'DELETE', `/${mine.id}`), 404, who);
      expectRefusal(await api(user, 'PATCH', `/${mine.id}/default`), 404, who);
      expect(await snapshot(PAYMENT_TABLES), who).toEqual(before);
      // Their own cards work as the owner's do.
      const theirs = await add(user);
      expect(theirs.is_default, who).toBe(true);
    }
    for (
      const [method, path, json] of [
        ['GET', ''],
        ['POST', '', card()],
        ['DELETE', `/${mine.id}`],
        ['PATCH', `/${mine.id}/default`],
      ] as Array<[string, string, unknown?]>
    ) {
      expectRefusal(await api(undefined, method, path, { json }), 401, `${method} ${path}`);
    }
    expect(await defaultsOf(owner.id)).toEqual([{ id: mine.id }]);
  });
});

describe('payment methods: bad input', () => {
  it('refuses every malformed card with 400 in the contract shape, writing nothing', async () => {
    const noa = await patient();
    await add(noa);
    const bodies: Array<[string, unknown]> = [
      ['no brand', { ...card(), brand: undefined }],
      ['an unknown brand', card({ brand: 'Discover' })],
      ['a brand in lowercase', card({ brand: 'visa' })],
      ['five digits', card({ last4: '42424' })],
      ['three digits', card({ last4: '424' })],
      ['letters', card({ last4: '42a2' })],
      ['last4 as a number', card({ last4: 4242 })],
      ['a full card number as last4', card({ last4: '4242424242424242' })],
      ['month 0', card({ expiry_month: 0 })],
      ['month 13', card({ expiry_month: 13 })],
      ['a month as text', card({ expiry_month: '12' })],
      ['a fractional month', card({ expiry_month: 1.5 })],
      ['a two-digit year', card({ expiry_year: 27 })],
      ['a year too far', card({ expiry_year: 2101 })],
      ['a pan beside the fields', card({ pan: '4242424242424242' })],
      ['a security code', card({ cvc: '123' })],
      ['an array', [card()]],
      ['null', null],
      ['a string', 'Visa 4242'],
    ];
    const before = await snapshot(PAYMENT_TABLES);
    for (const [name, json] of bodies) {
      expectRefusal(await api(noa, 'POST', '', { json }), 400, name);
    }
    const malformed = await api(noa, 'POST', '', {
      body: '{"brand":',
      headers: { 'content-type': 'application/json' },
    });
    expectRefusal(malformed, 400);
    const text = await api(noa, 'POST', '', {
      body: 'brand=Visa',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectRefusal(text, 415);
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
  });

  it('refuses malformed ids with 400 and unknown ones with 404, writing nothing', async () => {
    const noa = await patient();
    await add(noa);
    const before = await snapshot(PAYMENT_TABLES);
    for (const id of MALFORMED_IDS) {
      expectRefusal(await api(noa, 'DELETE', `/${id}`), 400, `DELETE ${id}`);
      expectRefusal(await api(noa, 'PATCH', `/${id}/default`), 400, `PATCH ${id}`);
    }
    expectRefusal(await api(noa, 'DELETE', `/${crypto.randomUUID()}`), 404);
    expectRefusal(await api(noa, 'PATCH', `/${crypto.randomUUID()}/default`), 404);
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
  });

  it('refuses every malformed sign-in on every route with 401, writing nothing', async () => {
    const noa = await patient();
    const mine = await add(noa);
    const before = await snapshot(PAYMENT_TABLES);
    for (const headers of await badAuthorizations()) {
      const label = JSON.stringify(headers).slice(0, 40);
      expectRefusal(await api(undefined, 'GET', '', { headers }), 401, label);
      expectRefusal(await api(undefined, 'POST', '', { headers, json: card() }), 401, label);
      expectRefusal(await api(undefined, 'DELETE', `/${mine.id}`, { headers }), 401, label);
      expectRefusal(await api(undefined, 'PATCH', `/${mine.id}/default`, { headers }), 401, label);
    }
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
  });
});
