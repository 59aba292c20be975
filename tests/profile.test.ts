import { describe, expect, it } from 'vitest';
import { app } from '../functions/profile/app.ts';
import { db } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { undocumentedRequestParts } from './helpers/openapi-conformance.ts';
import { createUser, type TestUser } from './helpers/users.ts';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The profile as the API must return it: every key, nothing else. */
function expectedProfile(user: TestUser, fields: Record<string, unknown> = {}) {
  return {
    id: user.id,
    first_name: null,
    last_name: null,
    email: user.email,
    phone: null,
    date_of_birth: null,
    sex: null,
    city: null,
    avatar_url: null,
    role: 'patient',
    created_at: expect.stringMatching(ISO_TIMESTAMP),
    updated_at: expect.stringMatching(ISO_TIMESTAMP),
    ...fields,
  };
}

async function storedProfile(id: string) {
  const [row] = await db`select * from public.profiles where id = ${id}`;
  return row;
}

const FULL = {
  first_name: 'David',
  last_name: 'Cohen',
  phone: '+972-50-1234567',
  city: 'Tel Aviv',
  date_of_birth: '1990-05-15',
  sex: 'male',
};

describe('GET /profile', () => {
  it('answers right after sign-up with the names given at sign-up', async () => {
    const user = await createUser({ firstName: 'Dana', lastName: 'Levi' });
    const res = await call(app, 'GET', '/profile', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expectedProfile(user, { first_name: 'Dana', last_name: 'Levi' }));
    const row = await storedProfile(user.id);
    expect(new Date(res.body.created_at).getTime()).toBe(row.created_at.getTime());
    expect(new Date(res.body.updated_at).getTime()).toBe(row.updated_at.getTime());
  });

  it('answers for a user who gave no names, and shows the role from the database', async () => {
    const user = await createUser({ role: 'practitioner' });
    const res = await call(app, 'GET', '/profile', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expectedProfile(user, { role: 'practitioner' }));
  });

  it('never shows the storage key of the avatar', async () => {
    const user = await createUser();
    await db`update public.profiles set avatar_path = ${`${user.id}/a.png`},
             avatar_url = 'https://cdn.example/a.png' where id = ${user.id}`;
    const res = await call(app, 'GET', '/profile', { token: user.token });
    expect(res.body).toEqual(expectedProfile(user, { avatar_url: 'https://cdn.example/a.png' }));
    expect(res.body).not.toHaveProperty('avatar_path');
  });

  it('shows each user their own profile only', async () => {
    const a = await createUser({ firstName: 'Ann' });
    const b = await createUser({ firstName: 'Ben' });
    expect((await call(app, 'GET', '/profile', { token: a.token })).body.first_name).toBe('Ann');
    expect((await call(app, 'GET', '/profile', { token: b.token })).body.first_name).toBe('Ben');
  });

  it('ignores unknown query parameters', async () => {
    const user = await createUser();
    expect((await call(app, 'GET', '/profile?_t=1700000000', { token: user.token })).status).toBe(
      200,
    );
  });
});

const PHONE_CHARACTERS = 'Use a phone number made of digits, spaces, +, - or parentheses.';

describe('PATCH /profile', () => {
  it('saves every field and returns the whole profile, as GET then shows it', async () => {
    const user = await createUser({ firstName: 'Dana', lastName: 'Levi' });
    const before = await storedProfile(user.id);
    const res = await call(app, 'PATCH', '/profile', { token: user.token, json: FULL });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expectedProfile(user, FULL));
    expect((await call(app, 'GET', '/profile', { token: user.token })).body).toEqual(res.body);
    const row = await storedProfile(user.id);
    expect(row).toMatchObject({ ...FULL, role: 'patient', email: user.email });
    expect(row.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
    expect(row.created_at).toEqual(before.created_at);
  });

  it('changes only the fields sent', async () => {
    const user = await createUser({ firstName: 'Dana', lastName: 'Levi' });
    await call(app, 'PATCH', '/profile', { token: user.token, json: FULL });
    const res = await call(app, 'PATCH', '/profile', {
      token: user.token,
      json: { city: 'Haifa' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expectedProfile(user, { ...FULL, city: 'Haifa' }));
    const second = await call(app, 'PATCH', '/profile', {
      token: user.token,
      json: { sex: 'other', phone: '050 123 4567' },
    });
    expect(second.body).toEqual(
      expectedProfile(user, { ...FULL, city: 'Haifa', sex: 'other', phone: '050 123 4567' }),
    );
  });

  it('clears optional fields sent as "" (blank form fields) or null', async () => {
    const user = await createUser();
    await call(app, 'PATCH', '/profile', { token: user.token, json: FULL });
    const res = await call(app, 'PATCH', '/profile', {
      token: user.token,
      json: { first_name: '', last_name: '   ', phone: '', city: null, date_of_birth: '', sex: '' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expectedProfile(user));
    expect(await storedProfile(user.id)).toMatchObject({
      first_name: null,
      last_name: null,
      phone: null,
      city: null,
      date_of_birth: null,
      sex: null,
    });
  });

  it('trims the text it stores', async () => {
    const user = await createUser();
    const res = await call(app, 'PATCH', '/profile', {
      token: user.token,
      json: { city: '  Beer Sheva ', first_name: ' Noa' },
    });
    expect(res.body).toEqual(expectedProfile(user, { city: 'Beer Sheva', first_name: 'Noa' }));
  });

  it('accepts the oldest allowed birth date, a leap day and the longest allowed texts', async () => {
    const user = await createUser();
    const long = 'a'.repeat(100);
    for (const date_of_birth of ['1900-01-01', '2000-02-29']) {
      const res = await call(app, 'PATCH', '/profile', {
        token: user.token,
        json: { date_of_birth },
      });
      expect(res.status).toBe(200);
      expect(res.body.date_of_birth).toBe(date_of_birth);
    }
    const res = await call(app, 'PATCH', '/profile', {
      token: user.token,
      json: { first_name: long, last_name: long, city: long, phone: `+${'1'.repeat(31)}` },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      first_name: long,
      last_name: long,
      city: long,
      phone: `+${'1'.repeat(31)}`,
    });
  });

  it('ignores unknown keys and, with nothing to change, changes nothing (not even updated_at)', async () => {
    const user = await createUser({ firstName: 'Dana' });
    const before = await storedProfile(user.id);
    const res = await call(app, 'PATCH', '/profile', {
      token: user.token,
      json: { nickname: 'D' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expectedProfile(user, { first_name: 'Dana' }));
    expect(await storedProfile(user.id)).toEqual(before);
  });

  const nextYear = new Date().getUTCFullYear() + 1;
  type Bad = [name: string, args: CallOptions, status: number, code: string, field?: string];
  const badRequests: Bad[] = [
    [
      'a first name that is a number',
      { json: { first_name: 42 } },
      400,
      'validation_error',
      'first_name',
    ],
    ['a city that is a list', { json: { city: ['Haifa'] } }, 400, 'validation_error', 'city'],
    ['a sex outside the list', { json: { sex: 'unknown' } }, 400, 'validation_error', 'sex'],
    ['a sex in capitals', { json: { sex: 'MALE' } }, 400, 'validation_error', 'sex'],
    [
      'an impossible date (30 February)',
      { json: { date_of_birth: '2023-02-30' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a date in another format',
      { json: { date_of_birth: '15/05/1990' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a date as a number',
      { json: { date_of_birth: 19900515 } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a birth date in the future',
      { json: { date_of_birth: `${nextYear}-01-01` } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a birth date before 1900',
      { json: { date_of_birth: '1899-12-31' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a first name of 101 characters',
      { json: { first_name: 'a'.repeat(101) } },
      400,
      'validation_error',
      'first_name',
    ],
    [
      'a city of 101 characters',
      { json: { city: 'b'.repeat(101) } },
      400,
      'validation_error',
      'city',
    ],
    [
      'a phone of 33 characters',
      { json: { phone: '1'.repeat(33) } },
      400,
      'validation_error',
      'phone',
    ],
    [
      'a phone made of letters',
      { json: { phone: 'call me maybe' } },
      400,
      'validation_error',
      'phone',
    ],
    ['a new role', { json: { role: 'admin' } }, 400, 'validation_error', 'role'],
    ['a null role', { json: { role: null } }, 400, 'validation_error', 'role'],
    [
      'a new email next to a valid change',
      { json: { first_name: 'Eve', email: 'eve@example.com' } },
      400,
      'validation_error',
      'email',
    ],
    ['a list as the body', { json: [FULL] }, 400, 'validation_error'],
    ['null as the body', { json: null }, 400, 'validation_error'],
    [
      'malformed JSON',
      { body: '{"city":', headers: { 'content-type': 'application/json' } },
      400,
      'bad_request',
    ],
    [
      'a form body',
      { body: 'city=Haifa', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a body over the size limit',
      { json: { city: 'Haifa', padding: 'x'.repeat(2 * 1024 * 1024) } },
      413,
      'payload_too_large',
    ],
  ];

  it.each(badRequests)(
    'refuses %s and changes nothing',
    async (_name, args, status, code, field) => {
      const user = await createUser({ firstName: 'Dana', lastName: 'Levi' });
      await call(app, 'PATCH', '/profile', { token: user.token, json: FULL });
      const before = await storedProfile(user.id);
      const res = await call(app, 'PATCH', '/profile', { token: user.token, ...args });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(/\w+/);
      if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([field]);
      expect(await storedProfile(user.id)).toEqual(before);
    },
  );

  it.each([
    ['too short', '123456', 'Use a phone number of 7 to 32 characters.'],
    ['too long', '1'.repeat(33), 'Use a phone number of 7 to 32 characters.'],
    ['with letters', '050-CALL-NOW', PHONE_CHARACTERS],
    ['with a slash', '050/1234567', PHONE_CHARACTERS],
    ['with a + inside', '050+1234567', PHONE_CHARACTERS],
  ])(
    'refuses a phone number %s in a sentence, as its document does, and writes nothing',
    async (_name, phone, message) => {
      const user = await createUser();
      await call(app, 'PATCH', '/profile', { token: user.token, json: FULL });
      const before = await storedProfile(user.id);
      const res = await call(app, 'PATCH', '/profile', {
        token: user.token,
        json: { city: 'Haifa', phone },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: 'validation_error',
        message: `Please check phone: ${message}`,
        details: { fieldErrors: { phone: [message] } },
      });
      expect(await storedProfile(user.id)).toEqual(before);
      expect(await undocumentedRequestParts(app, 'PATCH', '/profile', { phone })).not.toEqual([]);
    },
  );

  it.each(['1234567', '+972-50-1234567', '050 123 4567', '(03) 555-0100', '+1 (555) 123.4567'])(
    'saves the phone number %j, which its document accepts',
    async (phone) => {
      const user = await createUser();
      const res = await call(app, 'PATCH', '/profile', { token: user.token, json: { phone } });
      expect(res.status).toBe(200);
      expect((await storedProfile(user.id)).phone).toBe(phone);
      expect(await undocumentedRequestParts(app, 'PATCH', '/profile', { phone })).toEqual([]);
    },
  );

  it.each(['first_name', 'last_name', 'phone', 'city', 'date_of_birth', 'sex'])(
    'takes "" as %s, as its document says (the patient app sends "" for a blank field)',
    async (field) => {
      const user = await createUser();
      await call(app, 'PATCH', '/profile', { token: user.token, json: FULL });
      const json = { [field]: '' };
      const res = await call(app, 'PATCH', '/profile', { token: user.token, json });
      expect(res.status).toBe(200);
      expect(res.body[field]).toBeNull();
      expect(await undocumentedRequestParts(app, 'PATCH', '/profile', json)).toEqual([]);
    },
  );

  it('explains a refused role change in words a patient understands', async () => {
    const user = await createUser();
    const res = await call(app, 'PATCH', '/profile', {
      token: user.token,
      json: { role: 'practitioner' },
    });
    expect(res.body.error.details.fieldErrors.role).toEqual(['Your role cannot be changed here.']);
    expect(res.body.error.message).toContain('role');
  });
});

describe('authentication', () => {
  it.each(
    [
      ['GET', '/profile', {}],
      ['PATCH', '/profile', { json: { city: 'Haifa' } }],
      ['POST', '/profile/avatar', { body: new FormData() }],
    ] as const,
  )('refuses %s %s without a token', async (method, path, args) => {
    const res = await call(app, method, path, args);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('refuses a forged token and changes nothing', async () => {
    const user = await createUser({ firstName: 'Dana' });
    const before = await storedProfile(user.id);
    const forged = `${user.token.slice(0, -4)}AAAA`;
    const res = await call(app, 'PATCH', '/profile', {
      token: forged,
      json: { first_name: 'Mallory' },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(await storedProfile(user.id)).toEqual(before);
  });
});

describe('OpenAPI document', () => {
  it('describes the three operations', async () => {
    const res = await call(app, 'GET', '/profile/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths['/profile']).sort()).toEqual(['get', 'patch']);
    expect(
      res.body.paths['/profile/avatar'].post.requestBody.content['multipart/form-data'].schema
        .properties.avatar,
    )
      .toMatchObject({ type: 'string', format: 'binary' });
    expect(Object.keys(res.body.components.schemas.Profile.properties)).toEqual([
      'id',
      'first_name',
      'last_name',
      'email',
      'phone',
      'date_of_birth',
      'sex',
      'city',
      'avatar_url',
      'role',
      'created_at',
      'updated_at',
    ]);
  });
});
