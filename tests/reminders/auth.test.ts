import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config.ts';
import { sameSecret } from '../../shared/auth/service-secret.ts';
import { closeDb } from '../../shared/db/client.ts';
import { call } from '../helpers/http.ts';
import { patient } from '../helpers/lifecycle.ts';
import { loadApp, type RemindersApp, SECRET, withSecret } from './helpers.ts';

let app: RemindersApp;
beforeAll(async () => {
  app = await loadApp();
});
afterAll(closeDb);

const run = (headers: Record<string, string>, json: unknown = {}) =>
  call(app, 'POST', '/reminders/run', { headers, json });

const expectRefused = (res: { status: number; body: unknown }) => {
  expect(res.status).toBe(401);
  expect(res.body).toEqual({
    error: {
      code: 'unauthorized',
      message: 'This route needs the service secret.',
      details: {},
    },
  });
};

describe('POST /reminders/run: only with the service secret', () => {
  it('refuses a call without a secret', async () => {
    expectRefused(await run({}));
  });

  it("refuses a user's JWT", async () => {
    const user = await patient();
    expectRefused(await run({ authorization: `Bearer ${user.token}` }));
    expectRefused(await run({ apikey: user.token }));
  });

  it('refuses a wrong secret, in either header, and one a character short or long', async () => {
    for (const wrong of ['wrong', SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
      expectRefused(await run({ authorization: `Bearer ${wrong}` }));
      expectRefused(await run({ apikey: wrong }));
    }
    // The secret in another scheme, or without one, is not a bearer token.
    expectRefused(await run({ authorization: `Basic ${SECRET}` }));
    expectRefused(await run({ authorization: SECRET }));
  });

  it('counts refused calls against the client address, like a refused token', async () => {
    const res = await run({ authorization: 'Bearer wrong' });
    expect(res.headers.get('ratelimit-limit')).toBeTruthy();
  });

  it('accepts the secret as a bearer token or as the apikey header', async () => {
    const secretHeaders: Record<string, string>[] = [
      { authorization: `Bearer ${SECRET}` },
      { apikey: SECRET },
    ];
    for (const headers of secretHeaders) {
      const res = await run(headers, { date: '2044-01-01', force: true });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ date: '2044-01-01', created: 0, skipped: 0, outcome: 'forced' });
    }
    // A right secret beside a wrong one (a Supabase client sends its key as apikey).
    const both = await run({ authorization: `Bearer ${SECRET}`, apikey: 'publishable-key' }, {
      date: '2044-01-01',
      force: true,
    });
    expect(both.status).toBe(200);
  });

  it('takes no body at all, as a plain POST', async () => {
    const res = await call(app, 'POST', '/reminders/run', withSecret());
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['created', 'date', 'outcome', 'skipped']);
  });
});

describe('POST /reminders/run: the body', () => {
  it.each(['2037-02-30', '2037-13-01', '2037-2-3', 'tomorrow', ''])(
    'refuses the impossible date %j with 400',
    async (date) => {
      const res = await call(
        app,
        'POST',
        '/reminders/run',
        withSecret({
          json: { date, force: true },
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'validation_error',
        details: { fieldErrors: { date: ['Use a real date in the format YYYY-MM-DD.'] } },
      });
    },
  );

  it('wants force with a date, and force as true or false', async () => {
    const noForce = await call(
      app,
      'POST',
      '/reminders/run',
      withSecret({
        json: { date: '2044-01-01' },
      }),
    );
    expect(noForce.status).toBe(400);
    expect(noForce.body.error.details.fieldErrors).toEqual({
      force: ['Send "force": true with a date.'],
    });
    const notBoolean = await call(
      app,
      'POST',
      '/reminders/run',
      withSecret({
        json: { date: '2044-01-01', force: 'yes' },
      }),
    );
    expect(notBoolean.status).toBe(400);
    expect(notBoolean.body.error.details.fieldErrors).toEqual({ force: ['Use true or false.'] });
  });

  it('checks the secret before the body', async () => {
    expectRefused(await run({}, { date: '2037-02-30', force: true }));
  });
});

describe('the service secret', () => {
  it('is compared whole, whatever its length', async () => {
    expect(await sameSecret(SECRET, SECRET)).toBe(true);
    expect(await sameSecret(`${SECRET} `, SECRET)).toBe(false);
    expect(await sameSecret('', SECRET)).toBe(false);
  });

  it('is at least 32 characters when set (SERVICE_SECRET)', () => {
    const env = {
      DATABASE_URL: 'postgres://localhost/dokal',
      SUPABASE_URL: 'https://abc.supabase.co',
      LOCAL_STORAGE_DIR: '/tmp/dokal-storage',
    };
    expect(parseConfig({ ...env, SERVICE_SECRET: 's'.repeat(32) }).serviceSecret)
      .toBe('s'.repeat(32));
    expect(parseConfig(env).serviceSecret).toBeUndefined();
    expect(() => parseConfig({ ...env, SERVICE_SECRET: 'short' })).toThrow(/SERVICE_SECRET/);
  });
});
