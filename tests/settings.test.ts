import { describe, expect, it } from 'vitest';
import { app } from '../functions/settings/app.ts';
import { db, snapshot } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { createUser } from './helpers/users.ts';

const DEFAULTS = { notifications_enabled: true, reminders_enabled: true, locale: 'fr' };

describe('settings', () => {
  it('returns the defaults when the user never saved settings', async () => {
    const user = await createUser();
    const res = await call(app, 'GET', '/settings', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULTS);
  });

  it('saves part of the settings and keeps the rest', async () => {
    const user = await createUser();
    const first = await call(app, 'PATCH', '/settings', {
      token: user.token,
      json: { locale: 'he' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ...DEFAULTS, locale: 'he' });

    const second = await call(app, 'PATCH', '/settings', {
      token: user.token,
      json: { notifications_enabled: false },
    });
    expect(second.body).toEqual({
      notifications_enabled: false,
      reminders_enabled: true,
      locale: 'he',
    });
    expect((await call(app, 'GET', '/settings', { token: user.token })).body).toEqual(second.body);
  });

  it("keeps one user's settings away from another's", async () => {
    const a = await createUser();
    const b = await createUser();
    await call(app, 'PATCH', '/settings', { token: a.token, json: { locale: 'ru' } });
    expect((await call(app, 'GET', '/settings', { token: b.token })).body).toEqual(DEFAULTS);
  });

  it('ignores unknown query parameters', async () => {
    const user = await createUser();
    const res = await call(app, 'GET', '/settings?_t=123', { token: user.token });
    expect(res.status).toBe(200);
  });

  const badBodies: Array<[string, CallArgs, number, string]> = [
    ['locale outside the list', { json: { locale: 'de' } }, 400, 'validation_error'],
    ['locale of the wrong type', { json: { locale: 3 } }, 400, 'validation_error'],
    [
      'notifications as a string',
      { json: { notifications_enabled: 'yes' } },
      400,
      'validation_error',
    ],
    ['reminders as a number', { json: { reminders_enabled: 1 } }, 400, 'validation_error'],
    ['null locale', { json: { locale: null } }, 400, 'validation_error'],
    ['an array body', { json: [] }, 400, 'validation_error'],
    ['a string body', { json: 'fr' }, 400, 'validation_error'],
    [
      'malformed JSON',
      { body: '{"locale":', headers: { 'content-type': 'application/json' } },
      400,
      'bad_request',
    ],
    [
      'a form body',
      { body: 'locale=he', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a body too large',
      { json: { locale: 'he', padding: 'x'.repeat(2 * 1024 * 1024) } },
      413,
      'payload_too_large',
    ],
  ];

  type CallArgs = { json?: unknown; body?: string; headers?: Record<string, string> };

  it.each(badBodies)('refuses %s without changing anything', async (_name, args, status, code) => {
    const user = await createUser();
    await call(app, 'PATCH', '/settings', { token: user.token, json: { locale: 'en' } });
    const before = await snapshot(['public.user_settings']);
    const res = await call(app, 'PATCH', '/settings', { token: user.token, ...args });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(await snapshot(['public.user_settings'])).toEqual(before);
    const [row] = await db`select locale from public.user_settings where user_id = ${user.id}`;
    expect(row.locale).toBe('en');
  });

  it('names the invalid field in details.fieldErrors', async () => {
    const user = await createUser();
    const res = await call(app, 'PATCH', '/settings', {
      token: user.token,
      json: { locale: 'de' },
    });
    expect(res.body.error.details.fieldErrors.locale).toHaveLength(1);
  });

  it('needs a signed-in user', async () => {
    expect((await call(app, 'GET', '/settings')).status).toBe(401);
    expect((await call(app, 'PATCH', '/settings', { json: {} })).status).toBe(401);
  });
});
