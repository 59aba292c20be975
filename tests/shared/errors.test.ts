import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { app as relatives } from '../../functions/relatives/app.ts';
import { app as settings } from '../../functions/settings/app.ts';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import { systemDb } from '../../shared/db/client.ts';
import { createApp } from '../../shared/http/create-app.ts';
import { db, snapshot } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { createUser } from '../helpers/users.ts';

// The request log is part of what is tested here; the apps read LOG_LEVEL once, on load.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'info';
});

const SECRET_SQL = "select password from vault where email = 'dana@example.com'";

/** Handlers that fail the ways real handlers can, behind the shared app factory. */
const faulty = createApp('faulty', { auth: 'user' })
  .get('/crash', () => {
    throw new Error(`query failed: ${SECRET_SQL}`);
  })
  .get(
    '/sql-crash',
    async (c) => c.json(await systemDb()`select 1 / (count(*) - count(*)) as boom from pg_class`),
  )
  .post('/duplicate-settings', async (c) => {
    const user = currentUser(c);
    await asUser(user.claims, async (tx) => {
      await tx`insert into public.user_settings (user_id) values (${user.id})`;
      await tx`insert into public.user_settings (user_id) values (${user.id})`;
    });
    return c.body(null, 204);
  })
  .post('/dangling-relative', async (c) => {
    // RLS would refuse another owner first, so the privileged path reaches the foreign key.
    await systemDb()`
      insert into public.relatives (user_id, first_name, last_name, relation)
      values (${currentUser(c).id}, 'Sarah', 'Cohen', 'child'),
             (${crypto.randomUUID()}, 'Sarah', 'Cohen', 'child')`;
    return c.body(null, 204);
  })
  .post('/promote-myself', async (c) => {
    const user = currentUser(c);
    await asUser(
      user.claims,
      (tx) => tx`update public.profiles set role = 'admin' where id = ${user.id}`,
    );
    return c.body(null, 204);
  })
  .post('/bad-birth-date', async (c) => {
    const user = currentUser(c);
    await asUser(
      user.claims,
      (tx) => tx`update public.profiles set date_of_birth = '1800-01-01' where id = ${user.id}`,
    );
    return c.body(null, 204);
  });

let logs: MockInstance<typeof console.log>;
let errors: MockInstance<typeof console.error>;

beforeEach(() => {
  logs = vi.spyOn(console, 'log').mockImplementation(() => {});
  errors = vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

const lines = (spy: MockInstance<(...args: unknown[]) => void>) =>
  spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('error responses', () => {
  it.each([
    ['an unknown path inside the group', '/relatives/everything/else'],
    ['an unknown method on a known path', '/relatives'],
    ['a path outside the group', '/settings'],
  ])('answer 404 not_found for %s', async (_name, path) => {
    const user = await createUser();
    const res = await call(relatives, path === '/relatives' ? 'PUT' : 'GET', path, {
      token: user.token,
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: 'not_found', message: expect.any(String), details: {} },
    });
  });

  it('turn an unexpected error into 500 internal_error without its text, stack or SQL', async () => {
    const user = await createUser();
    const res = await call(faulty, 'GET', '/faulty/crash', { token: user.token });
    expect(res.status).toBe(500);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(UUID);
    expect(res.body).toEqual({
      error: {
        code: 'internal_error',
        message: 'Something went wrong on our side. Please try again.',
        details: { request_id: requestId },
      },
    });
    const raw = JSON.stringify(res.body);
    expect(raw).not.toMatch(/password|vault|dana|select|at .*\.ts|Error:/i);

    const [logged] = lines(errors);
    expect(logged).toMatchObject({
      level: 'error',
      event: 'unhandled_error',
      request_id: requestId,
    });
    expect(JSON.stringify(logged)).not.toMatch(/password|vault|dana@example/);
  });

  it('turn an unexpected database error into the same 500, without the SQL', async () => {
    const user = await createUser();
    const res = await call(faulty, 'GET', '/faulty/sql-crash', { token: user.token });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
    expect(JSON.stringify(res.body)).not.toMatch(/division|pg_class|select/i);
    expect(lines(errors)[0]).toMatchObject({ event: 'unhandled_error', pg_code: '22012' });
  });

  it('map a unique violation to 409 conflict and roll the whole transaction back', async () => {
    const user = await createUser();
    const res = await call(faulty, 'POST', '/faulty/duplicate-settings', { token: user.token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: { code: 'conflict', message: 'This already exists.', details: {} },
    });
    expect(await db`select 1 from public.user_settings where user_id = ${user.id}`).toHaveLength(0);
  });

  it('map a foreign key violation to 400 bad_request without the values', async () => {
    const user = await createUser();
    await call(relatives, 'POST', '/relatives', {
      token: user.token,
      json: { first_name: 'Sarah', last_name: 'Cohen', relation: 'child' },
    });
    const before = await snapshot(['public.relatives']);
    const res = await call(faulty, 'POST', '/faulty/dangling-relative', { token: user.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(JSON.stringify(res.body)).not.toMatch(/Sarah|user_id|relatives/);
    expect(await snapshot(['public.relatives'])).toEqual(before);
  });

  it('map a check violation to 400 bad_request', async () => {
    const user = await createUser();
    const res = await call(faulty, 'POST', '/faulty/bad-birth-date', { token: user.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(JSON.stringify(res.body)).not.toContain('1800');
  });

  it('map a permission refusal of the database to 403 forbidden', async () => {
    const user = await createUser();
    const res = await call(faulty, 'POST', '/faulty/promote-myself', { token: user.token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    const [profile] = await db`select role from public.profiles where id = ${user.id}`;
    expect(profile.role).toBe('patient');
  });

  it('give validation errors the contract shape, with every bad field in details.fieldErrors', async () => {
    const user = await createUser();
    const res = await call(relatives, 'POST', '/relatives', {
      token: user.token,
      json: { first_name: '', relation: 'cousin' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'validation_error',
        message: expect.stringMatching(/^Please check first_name: /),
        details: {
          fieldErrors: {
            first_name: [expect.any(String)],
            last_name: [expect.any(String)],
            relation: [expect.any(String)],
          },
        },
      },
    });
  });
});

describe('headers on every response', () => {
  const ALLOWED = ['authorization', 'content-type', 'x-client-app', 'apikey', 'x-client-info'];

  it.each([
    ['relatives', relatives, '/relatives', 'POST'],
    ['settings', settings, '/settings', 'PATCH'],
    ['relatives (delete)', relatives, `/relatives/${crypto.randomUUID()}`, 'DELETE'],
  ])(
    'answer the CORS preflight of an authenticated %s request with 204',
    async (_name, app, path, method) => {
      const res = await call(app, 'OPTIONS', path, {
        headers: {
          origin: 'https://crm.dokal.example',
          'access-control-request-method': method,
          'access-control-request-headers':
            'Authorization, Content-Type, X-Client-App, apikey, x-client-info',
        },
      });
      expect(res.status).toBe(204);
      const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase().split(
        /\s*,\s*/,
      );
      expect(allowed).toEqual(expect.arrayContaining(ALLOWED));
      expect(res.headers.get('access-control-allow-methods')).toContain(method);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    },
  );

  it('let a browser read errors: CORS headers on a 401 too', async () => {
    const res = await call(relatives, 'GET', '/relatives', {
      headers: { origin: 'https://crm.dokal.example' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
  });

  it('carry the secure headers and a request id, on success and on error', async () => {
    const user = await createUser();
    const ok = await call(relatives, 'GET', '/relatives', { token: user.token });
    const refused = await call(relatives, 'GET', '/relatives');
    for (const res of [ok, refused]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    }
    expect(ok.headers.get('x-request-id')).not.toBe(refused.headers.get('x-request-id'));
  });

  it("keep the caller's own request id, so a client's logs and ours line up", async () => {
    const res = await call(relatives, 'GET', '/relatives', {
      headers: { 'x-request-id': 'crm-7f3a9c' },
    });
    expect(res.headers.get('x-request-id')).toBe('crm-7f3a9c');
  });
});

describe('the request log', () => {
  it('writes one JSON line per request with identifiers and measurements only', async () => {
    const user = await createUser();
    const res = await call(relatives, 'POST', '/relatives', {
      token: user.token,
      json: {
        first_name: 'Yael',
        last_name: 'Mizrahi',
        relation: 'spouse',
        insurance_provider: 'Harel',
      },
    });
    expect(res.status).toBe(201);
    const requests = lines(logs).filter((l) => l.event === 'request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toEqual({
      level: 'info',
      event: 'request',
      time: expect.any(String),
      request_id: res.headers.get('x-request-id'),
      method: 'POST',
      route: '/relatives',
      status: 201,
      duration_ms: expect.any(Number),
      user_id: user.id,
    });
    const written = logs.mock.calls.flat().join('\n') + errors.mock.calls.flat().join('\n');
    for (const secret of ['Yael', 'Mizrahi', 'Harel', user.token, user.email]) {
      expect(written).not.toContain(secret);
    }
  });

  it('names the route pattern, not the path with its ids', async () => {
    const user = await createUser();
    const id = crypto.randomUUID();
    await call(relatives, 'DELETE', `/relatives/${id}`, { token: user.token });
    const [line] = lines(logs).filter((l) => l.event === 'request');
    expect(line).toMatchObject({
      method: 'DELETE',
      route: '/relatives/:id',
      status: 404,
      user_id: user.id,
    });
    expect(JSON.stringify(line)).not.toContain(id);
  });

  it('logs refused requests too, without the token', async () => {
    const res = await call(relatives, 'GET', '/relatives', { token: 'forged.token.value' });
    expect(res.status).toBe(401);
    const [line] = lines(logs).filter((l) => l.event === 'request');
    expect(line).toMatchObject({ method: 'GET', status: 401 });
    expect(line.user_id).toBeUndefined();
    expect(logs.mock.calls.flat().join('\n')).not.toContain('forged');
  });
});
