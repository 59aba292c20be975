import postgres from 'postgres';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { wireCounter } from '../dev/lib/round-trips.ts';
import { app } from '../functions/notifications/app.ts';
import { countUnread } from '../functions/notifications/queries.ts';
import { addDriverOptions } from '../shared/db/client.ts';
import { db, snapshot } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { createUser, type TestUser, tokenFor } from './helpers/users.ts';
import { signWithStrangerKey, signWithTestKey, supabaseClaims, unsigned } from './shared/tokens.ts';

// This file's pool counts what it sends (each test file has its own pool).
const wire = wireCounter();
addDriverOptions(wire.options);

const api = (user: TestUser | undefined, method: string, path: string, options: CallOptions = {}) =>
  call(app, method, `/notifications${path}`, { token: user?.token, ...options });

/** Everything these routes could write, for "nothing was written" checks. */
const WRITTEN = [
  'public.notifications',
  'public.push_tokens',
  'private.events',
  'private.push_deliveries',
];

const FIELDS = ['id', 'user_id', 'type', 'title', 'body', 'data', 'is_read', 'created_at'];

/** A notification as the database writes it: in the recipient's language, with its event. */
async function notify(user: TestUser, sender = 'Dana Levi'): Promise<string> {
  const [{ id }] = await db<[{ id: string }]>`
    select private.notify(${user.id}, 'new_message',
      jsonb_build_object('conversation_id', gen_random_uuid(), 'sender', ${sender}::text)) as id`;
  return id;
}

/** `count` notifications of `user`, the newest `ago` seconds old, one minute apart going back. */
async function history(user: TestUser, count: number, ago = 0): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    insert into public.notifications (user_id, type, title, body, data, created_at)
    select ${user.id}, 'review_received', format('Review %s', i), 'Someone left a review.',
           jsonb_build_object('review_number', i), now() - make_interval(secs => ${ago} + i * 60)
    from generate_series(1, ${count}) i
    order by i
    returning id`;
  return rows.map((r) => r.id);
}

async function readFlags(ids: string[]): Promise<boolean[]> {
  const rows = await db<{ id: string; is_read: boolean }[]>`
    select id, is_read from public.notifications where id = any(${ids}::uuid[])`;
  const byId = new Map(rows.map((r) => [r.id, r.is_read]));
  return ids.map((id) => byId.get(id)!);
}

async function tokensOf(user: TestUser) {
  return await db<{ token: string; platform: string }[]>`
    select token, platform::text from public.push_tokens where user_id = ${user.id} order by token`;
}

const deviceToken = () => crypto.randomUUID();

describe('GET /notifications', () => {
  it('lists mine with exactly the fields of the contract and user_id, in my language', async () => {
    const noa = await createUser();
    await db`insert into public.user_settings (user_id, locale) values (${noa.id}, 'he')`;
    const id = await notify(noa, 'Dana Levi');
    const res = await api(noa, 'GET', '');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    const [item] = res.body;
    expect(Object.keys(item)).toEqual(FIELDS);
    expect(item).toMatchObject({
      id,
      user_id: noa.id,
      type: 'new_message',
      title: 'הודעה חדשה',
      body: 'Dana Levi שלח/ה לך הודעה.',
      is_read: false,
    });
    expect(item.data).toEqual({ conversation_id: expect.any(String), sender: 'Dana Levi' });
    expect(item.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Math.abs(Date.parse(item.created_at) - Date.now())).toBeLessThan(60_000);
  });

  it('answers the latest 50, newest first, ties in a stable order', async () => {
    const noa = await createUser();
    const ids = await history(noa, 60);
    // Two more at the very same instant as the newest of the history.
    const twins = await db<{ id: string }[]>`
      insert into public.notifications (user_id, type, title, body, created_at)
      select ${noa.id}, 'new_message', 'Twin', 'Twin.', n.created_at
      from public.notifications n, generate_series(1, 2)
      where n.id = ${ids[0]}
      returning id`;
    const res = await api(noa, 'GET', '?_t=123');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(50);
    const times = res.body.map((n: { created_at: string }) => Date.parse(n.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const listed = res.body.map((n: { id: string }) => n.id);
    const sameInstant = [ids[0], ...twins.map((t) => t.id)].sort();
    expect(listed.slice(0, 3)).toEqual(sameInstant);
    expect(listed.slice(3)).toEqual(ids.slice(1, 48));
    expect((await api(noa, 'GET', '')).body.map((n: { id: string }) => n.id)).toEqual(listed);
  });

  it('is an empty list for a user without notifications', async () => {
    const res = await api(await createUser(), 'GET', '');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });
});

describe('GET /notifications/unread-count', () => {
  it('counts my unread ones only, as a number', async () => {
    const [noa, dan] = [await createUser(), await createUser()];
    const mine = await history(noa, 5);
    await history(dan, 3);
    await db`update public.notifications set is_read = true where id = ${mine[0]}`;
    const res = await api(noa, 'GET', '/unread-count');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 4 });
    expect((await api(await createUser(), 'GET', '/unread-count')).body).toEqual({ count: 0 });
  });

  it('is one index-only scan of notifications_unread_idx, as the caller (RLS) would run it', async () => {
    const noa = await createUser();
    await history(noa, 20);
    // The statement exactly as the route sends it, captured on a connection of its own.
    const sent: Array<{ text: string; parameters: unknown[] }> = [];
    const sql = postgres(inject('databaseUrl'), {
      max: 1,
      onnotice: () => {},
      debug: (_c, text, parameters) => sent.push({ text, parameters }),
    });
    try {
      const plan = await sql.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true),
                        set_config('request.jwt.claims', ${
          JSON.stringify(supabaseClaims(noa.id))
        }, true)`;
        await countUnread(tx, noa.id);
        const statement = sent.at(-1)!;
        // The test table is small: without these, any plan is cheap enough to win. They leave
        // the planner every index, so the plan shows what the query and the index allow.
        await tx`set local enable_seqscan = off`;
        await tx`set local enable_bitmapscan = off`;
        const [row] = await tx.unsafe(
          `explain (format json) ${statement.text}`,
          statement.parameters as never[],
        );
        return row['QUERY PLAN'][0].Plan;
      });
      const scans: Array<Record<string, unknown>> = [];
      const walk = (node: Record<string, unknown>) => {
        if (String(node['Node Type']).includes('Scan')) scans.push(node);
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) {
          walk(child);
        }
      };
      walk(plan);
      expect(scans.map((s) => [s['Node Type'], s['Index Name']])).toEqual([
        ['Index Only Scan', 'notifications_unread_idx'],
      ]);
    } finally {
      await sql.end();
    }
  });
});

describe('PATCH /notifications/:id/read and /read-all', () => {
  it('marks one of mine read, again without harm, and never anyone else’s', async () => {
    const [noa, dan] = [await createUser(), await createUser()];
    const [first, second] = await history(noa, 2);
    const [theirs] = await history(dan, 1);
    expect((await api(noa, 'PATCH', `/${first}/read`)).status).toBe(204);
    expect((await api(noa, 'PATCH', `/${first}/read`)).status).toBe(204);
    expect(await readFlags([first, second])).toEqual([true, false]);
    expect((await api(noa, 'GET', '/unread-count')).body).toEqual({ count: 1 });

    const before = await snapshot(WRITTEN);
    const res = await api(noa, 'PATCH', `/${theirs}/read`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: 'not_found', message: 'We could not find this notification.', details: {} },
    });
    expect(await readFlags([theirs])).toEqual([false]);
    expect((await api(noa, 'PATCH', `/${crypto.randomUUID()}/read`)).status).toBe(404);
    expect(await snapshot(WRITTEN)).toEqual(before);
  });

  it('marks all of mine read, and only mine', async () => {
    const [noa, dan] = [await createUser(), await createUser()];
    const mine = await history(noa, 7);
    const theirs = await history(dan, 2);
    expect((await api(noa, 'PATCH', '/read-all')).status).toBe(204);
    expect(await readFlags(mine)).toEqual(mine.map(() => true));
    expect(await readFlags(theirs)).toEqual([false, false]);
    expect((await api(noa, 'GET', '/unread-count')).body).toEqual({ count: 0 });
    expect((await api(noa, 'PATCH', '/read-all')).status).toBe(204);
    expect((await api(dan, 'GET', '/unread-count')).body).toEqual({ count: 2 });
    // The list shows it.
    const listed = (await api(noa, 'GET', '')).body as Array<{ is_read: boolean }>;
    expect(listed.every((n) => n.is_read)).toBe(true);
  });

  it('takes read-all and unread-count for what they are, not for an id', async () => {
    const noa = await createUser();
    await history(noa, 1);
    expect((await api(noa, 'PATCH', '/read-all')).status).toBe(204);
    expect((await api(noa, 'PATCH', '/unread-count/read')).status).toBe(400);
    expect((await api(noa, 'PATCH', '/read-all/read')).status).toBe(400);
    expect((await api(noa, 'GET', '/read-all')).status).toBe(404);
  });
});

describe('push tokens', () => {
  it('registers a device, idempotently', async () => {
    const noa = await createUser();
    const token = deviceToken();
    for (let i = 0; i < 2; i++) {
      const res = await api(noa, 'POST', '/push-tokens', { json: { token, platform: 'ios' } });
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
    }
    expect(await tokensOf(noa)).toEqual([{ token, platform: 'ios' }]);
    const second = deviceToken();
    await api(noa, 'POST', '/push-tokens', { json: { token: second, platform: 'web' } });
    expect(await tokensOf(noa)).toEqual(
      [{ token, platform: 'ios' }, { token: second, platform: 'web' }].sort((a, b) =>
        a.token < b.token ? -1 : 1
      ),
    );
  });

  it('moves a device registered by someone else to me (it changed hands)', async () => {
    const [noa, dan] = [await createUser(), await createUser()];
    const token = `fcm:${'a'.repeat(40)}`;
    await api(noa, 'POST', '/push-tokens', { json: { token, platform: 'android' } });
    const res = await api(dan, 'POST', '/push-tokens', { json: { token, platform: 'android' } });
    expect(res.status).toBe(204);
    expect(await tokensOf(noa)).toEqual([]);
    expect(await tokensOf(dan)).toEqual([{ token, platform: 'android' }]);
    // And back, with the platform the app now reports.
    await api(noa, 'POST', '/push-tokens', { json: { token, platform: 'web' } });
    expect(await tokensOf(dan)).toEqual([]);
    expect(await tokensOf(noa)).toEqual([{ token, platform: 'web' }]);
    const [{ n }] =
      await db`select count(*)::int as n from public.push_tokens where token = ${token}`;
    expect(n).toBe(1);
  });

  it('keeps tokens as sent: spaces around are trimmed, 10 and 255 characters are accepted', async () => {
    const noa = await createUser();
    const short = `s${crypto.randomUUID().slice(0, 9)}`;
    const long = `l${crypto.randomUUID()}`.padEnd(255, 'x');
    for (const token of [`  ${short} `, long]) {
      const res = await api(noa, 'POST', '/push-tokens', { json: { token, platform: 'ios' } });
      expect(res.status).toBe(204);
    }
    expect((await tokensOf(noa)).map((t) => t.token).sort()).toEqual([long, short].sort());
  });

  it('removes my device, answers 204 when it is not there, and never removes someone else’s', async () => {
    const [noa, dan] = [await createUser(), await createUser()];
    const [mine, theirs] = [deviceToken(), deviceToken()];
    await api(noa, 'POST', '/push-tokens', { json: { token: mine, platform: 'ios' } });
    await api(dan, 'POST', '/push-tokens', { json: { token: theirs, platform: 'android' } });
    expect((await api(noa, 'DELETE', '/push-tokens', { json: { token: mine } })).status).toBe(204);
    expect(await tokensOf(noa)).toEqual([]);
    expect((await api(noa, 'DELETE', '/push-tokens', { json: { token: mine } })).status).toBe(204);
    expect((await api(noa, 'DELETE', '/push-tokens', { json: { token: theirs } })).status).toBe(
      204,
    );
    expect(await tokensOf(dan)).toEqual([{ token: theirs, platform: 'android' }]);
  });
});

describe('who may see and do what', () => {
  let owner: TestUser;
  let mine: string;
  let ownerToken: string;
  const others: Array<[string, () => Promise<TestUser>]> = [
    ['another patient', () => createUser()],
    ['a practitioner', () => createUser({ role: 'practitioner' })],
    ['an admin', () => createUser({ role: 'admin' })],
  ];

  beforeAll(async () => {
    owner = await createUser({ firstName: 'Noa' });
    mine = await notify(owner);
    ownerToken = deviceToken();
    await db`insert into public.push_tokens (token, user_id, platform)
      values (${ownerToken}, ${owner.id}, 'ios')`;
  });

  it.each(others)(
    '%s sees nothing of mine, changes nothing of mine, gets 404 for my notification',
    async (_, make) => {
      const other = await make();
      const theirs = await notify(other, 'Someone');
      const before =
        await db`select id, is_read from public.notifications where user_id = ${owner.id}`;

      const list = await api(other, 'GET', '');
      expect(list.status).toBe(200);
      expect(list.body.map((n: { id: string }) => n.id)).toEqual([theirs]);
      expect(JSON.stringify(list.body)).not.toContain(owner.id);
      expect((await api(other, 'GET', '/unread-count')).body).toEqual({ count: 1 });

      const read = await api(other, 'PATCH', `/${mine}/read`);
      expect(read.status).toBe(404);
      expect(JSON.stringify(read.body)).not.toContain(owner.id);
      expect((await api(other, 'PATCH', '/read-all')).status).toBe(204);
      expect(
        (await api(other, 'DELETE', '/push-tokens', { json: { token: ownerToken } })).status,
      ).toBe(204);

      expect(await db`select id, is_read from public.notifications where user_id = ${owner.id}`)
        .toEqual(before);
      expect(await tokensOf(owner)).toEqual([{ token: ownerToken, platform: 'ios' }]);
      expect((await api(other, 'GET', '')).body[0].is_read).toBe(true);
    },
  );

  it('the owner sees and marks their own', async () => {
    expect((await api(owner, 'GET', '')).body.map((n: { id: string }) => n.id)).toEqual([mine]);
    expect((await api(owner, 'PATCH', `/${mine}/read`)).status).toBe(204);
    expect((await api(owner, 'GET', '/unread-count')).body).toEqual({ count: 0 });
  });

  it('without a valid token, every endpoint answers 401 in the contract shape and writes nothing', async () => {
    const expired = await tokenFor(owner.id, owner.email, -60);
    const claims = supabaseClaims(owner.id);
    const authorizations: Array<[string, Record<string, string>]> = [
      ['no header', {}],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['a token that is not a JWT', { authorization: 'Bearer not-a-jwt' }],
      ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['an expired token', { authorization: `Bearer ${expired}` }],
      ['a forged signature', {
        authorization: `Bearer ${await signWithStrangerKey(claims, inject('keys').kid)}`,
      }],
      ['an unsigned token', { authorization: `Bearer ${unsigned(claims)}` }],
      ['another audience', {
        authorization: `Bearer ${await signWithTestKey({ ...claims, aud: 'anon' })}`,
      }],
      ['a user who does not exist', {
        authorization: `Bearer ${await signWithTestKey(supabaseClaims(crypto.randomUUID()))}`,
      }],
      ['the token in the wrong header', { 'x-access-token': owner.token }],
    ];
    const endpoints: Array<[string, string, CallOptions]> = [
      ['GET', '', {}],
      ['GET', '/unread-count', {}],
      ['PATCH', `/${mine}/read`, {}],
      ['PATCH', '/read-all', {}],
      ['POST', '/push-tokens', { json: { token: deviceToken(), platform: 'ios' } }],
      ['DELETE', '/push-tokens', { json: { token: ownerToken } }],
    ];
    await db`update public.notifications set is_read = false where id = ${mine}`;
    const before = await snapshot(WRITTEN);
    for (const [method, path, options] of endpoints) {
      for (const [name, headers] of authorizations) {
        const res = await api(undefined, method, path, { ...options, headers });
        expect(res.status, `${method} ${path}, ${name}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
        expect(res.body.error.message).toMatch(/^[A-Z].*\.$/);
        expect(res.body.error.details).toEqual({});
      }
    }
    expect(await snapshot(WRITTEN)).toEqual(before);
    expect(await readFlags([mine])).toEqual([false]);
    expect(await tokensOf(owner)).toEqual([{ token: ownerToken, platform: 'ios' }]);
  });
});

describe('bad input', () => {
  const expectRefused = (
    res: { status: number; body: { error: { code: string; message: string } } },
    what: string,
    status = 400,
  ) => {
    expect(res.status, what).toBe(status);
    if (status === 400) {
      expect(res.body.error.code, what).toMatch(/^(validation_error|bad_request)$/);
    }
    expect(res.body.error.message, what).toMatch(/^[A-Z].*[.)]$/);
  };

  it('refuses malformed ids for PATCH /:id/read with 400, writing nothing', async () => {
    const noa = await createUser();
    const [id] = await history(noa, 1);
    const ids = [
      'abc',
      '123',
      `${id}x`,
      id.slice(0, -1),
      id.replaceAll('-', ''),
      `{${id}}`,
      'null',
      'undefined',
      '%20',
      `${id.slice(0, 8)}-zzzz-${id.slice(14)}`,
      "1' or '1'='1",
    ];
    const before = await snapshot(WRITTEN);
    for (const bad of ids) {
      expectRefused(await api(noa, 'PATCH', `/${encodeURIComponent(bad)}/read`), bad);
    }
    expect(await snapshot(WRITTEN)).toEqual(before);
    expect(await readFlags([id])).toEqual([false]);
  });

  it('refuses every malformed registration, writing nothing', async () => {
    const noa = await createUser();
    const token = deviceToken();
    const bodies: Array<[string, unknown]> = [
      ['no token', { platform: 'ios' }],
      ['no platform', { token }],
      ['a token of 9 characters', { token: 'a'.repeat(9), platform: 'ios' }],
      ['a token of 256 characters', { token: 'a'.repeat(256), platform: 'ios' }],
      ['a blank token', { token: '          ', platform: 'ios' }],
      ['a token with a space inside', { token: 'abcde fghij', platform: 'ios' }],
      ['a token that is not ASCII', { token: 'jeton-d’appareil', platform: 'ios' }],
      ['a token as a number', { token: 12345678901, platform: 'ios' }],
      ['a null token', { token: null, platform: 'ios' }],
      ['an unknown platform', { token, platform: 'windows' }],
      ['a platform in capitals', { token, platform: 'IOS' }],
      ['the platform as a number', { token, platform: 1 }],
      ['an array', [{ token, platform: 'ios' }]],
      ['null', null],
      ['a string', 'token'],
    ];
    const before = await snapshot(WRITTEN);
    for (const [name, json] of bodies) {
      expectRefused(await api(noa, 'POST', '/push-tokens', { json }), name);
    }
    const malformed = await api(noa, 'POST', '/push-tokens', {
      body: '{"token":',
      headers: { 'content-type': 'application/json' },
    });
    expectRefused(malformed, 'malformed JSON');
    const text = await api(noa, 'POST', '/push-tokens', {
      body: `token=${token}&platform=ios`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectRefused(text, 'a form', 415);
    const huge = await api(noa, 'POST', '/push-tokens', {
      json: { token, platform: 'ios', padding: 'x'.repeat(1_100_000) },
    });
    expectRefused(huge, 'a body over the limit', 413);
    expect(await snapshot(WRITTEN)).toEqual(before);
  });

  it('refuses every malformed removal, removing nothing', async () => {
    const noa = await createUser();
    const token = deviceToken();
    await api(noa, 'POST', '/push-tokens', { json: { token, platform: 'ios' } });
    const bodies: Array<[string, unknown]> = [
      ['no token', {}],
      ['a token of 9 characters', { token: token.slice(0, 9) }],
      ['a token of 256 characters', { token: token.padEnd(256, 'x') }],
      ['a token with a space inside', { token: `${token.slice(0, 10)} ${token.slice(10)}` }],
      ['a token with a line break', { token: `${token}\nx` }],
      ['a token as a number', { token: 12345678901 }],
      ['a null token', { token: null }],
      ['a list of tokens', { token: [token] }],
      ['an array', [{ token }]],
      ['null', null],
    ];
    const before = await snapshot(WRITTEN);
    for (const [name, json] of bodies) {
      expectRefused(await api(noa, 'DELETE', '/push-tokens', { json }), name);
    }
    expectRefused(
      await api(noa, 'DELETE', '/push-tokens', {
        body: '{"token"',
        headers: { 'content-type': 'application/json' },
      }),
      'malformed JSON',
    );
    expectRefused(
      await api(noa, 'DELETE', '/push-tokens', {
        body: token,
        headers: { 'content-type': 'text/plain' },
      }),
      'plain text',
      415,
    );
    expect(await snapshot(WRITTEN)).toEqual(before);
    expect(await tokensOf(noa)).toEqual([{ token, platform: 'ios' }]);
  });

  it('ignores unknown query parameters and bodies where none is expected', async () => {
    const noa = await createUser();
    const [id] = await history(noa, 3);
    expect((await api(noa, 'GET', '?limit=1&offset=abc&_t=1')).body).toHaveLength(3);
    expect((await api(noa, 'GET', '/unread-count?user_id=x')).body).toEqual({ count: 3 });
    expect((await api(noa, 'PATCH', `/${id}/read`, { json: { is_read: false } })).status).toBe(
      204,
    );
    expect(await readFlags([id])).toEqual([true]);
  });
});

describe('cost', () => {
  it('every endpoint is 2 round trips: the gate, then its whole transaction in one write', async () => {
    const noa = await createUser();
    const [id] = await history(noa, 3);
    const token = deviceToken();
    const requests: Array<[string, string, CallOptions, number]> = [
      ['GET', '', {}, 200],
      ['GET', '/unread-count', {}, 200],
      ['PATCH', `/${id}/read`, {}, 204],
      ['PATCH', '/read-all', {}, 204],
      ['POST', '/push-tokens', { json: { token, platform: 'ios' } }, 204],
      ['DELETE', '/push-tokens', { json: { token } }, 204],
    ];
    for (const [method, path, options, status] of requests) {
      // A connection prepares each statement on first use: every connection of the pool first.
      for (let i = 0; i < 4; i++) {
        expect((await api(noa, method, path, options)).status).toBe(status);
      }
      const before = { ...wire.counts };
      expect((await api(noa, method, path, options)).status).toBe(status);
      expect(wire.counts.writes - before.writes, `${method} ${path}`).toBe(2);
    }
  });
});
