import { describe, expect, it } from 'vitest';
import { app } from '../functions/relatives/app.ts';
import { db, snapshot } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { undocumentedRequestParts } from './helpers/openapi-conformance.ts';
import { createUser, type TestUser } from './helpers/users.ts';

const SARAH = {
  first_name: 'Sarah',
  last_name: 'Cohen',
  relation: 'child',
  date_of_birth: '2018-03-20',
};
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const add = (user: TestUser, json: unknown) =>
  call(app, 'POST', '/relatives', { token: user.token, json });
const list = (user: TestUser) => call(app, 'GET', '/relatives', { token: user.token });
const remove = (user: TestUser, id: string) =>
  call(app, 'DELETE', `/relatives/${id}`, { token: user.token });

async function storedRelatives(userId: string) {
  return await db`
    select first_name, last_name, relation::text, date_of_birth, kupat_holim::text, insurance_provider
    from public.relatives where user_id = ${userId} order by created_at`;
}

describe('POST /relatives', () => {
  it('creates a relative and answers 201 with exactly the list item shape', async () => {
    const user = await createUser();
    const res = await add(user, { ...SARAH, kupat_holim: 'maccabi', insurance_provider: 'Harel' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual([
      'avatar_url',
      'created_at',
      'date_of_birth',
      'first_name',
      'id',
      'insurance_provider',
      'kupat_holim',
      'last_name',
      'relation',
      'teudat_zehut',
    ]);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ...SARAH,
      teudat_zehut: null,
      kupat_holim: 'maccabi',
      insurance_provider: 'Harel',
      avatar_url: null,
      created_at: expect.stringMatching(ISO_TIMESTAMP),
    });
    const [row] =
      await db`select user_id, created_at from public.relatives where id = ${res.body.id}`;
    expect(row.user_id).toBe(user.id);
    expect(new Date(res.body.created_at).getTime()).toBe(row.created_at.getTime());
  });

  it('trims names and stores only what was sent, the optional fields as null', async () => {
    const user = await createUser();
    const res = await add(user, { first_name: '  Avi ', last_name: ' Levi  ', relation: 'parent' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      first_name: 'Avi',
      last_name: 'Levi',
      relation: 'parent',
      date_of_birth: null,
      kupat_holim: null,
      insurance_provider: null,
    });
    expect(await storedRelatives(user.id)).toEqual([
      {
        first_name: 'Avi',
        last_name: 'Levi',
        relation: 'parent',
        date_of_birth: null,
        kupat_holim: null,
        insurance_provider: null,
      },
    ]);
  });

  it('accepts names and insurance provider of exactly 100 characters', async () => {
    const user = await createUser();
    const hundred = 'n'.repeat(100);
    const res = await add(user, {
      ...SARAH,
      first_name: hundred,
      last_name: hundred,
      insurance_provider: hundred,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      first_name: hundred,
      last_name: hundred,
      insurance_provider: hundred,
    });
  });

  it.each(['clalit', 'MACCABI', 'Meuhedet', 'LeUmIt', ' Other '])(
    'stores kupat holim %j in lowercase',
    async (sent) => {
      const user = await createUser();
      const res = await add(user, { ...SARAH, kupat_holim: sent });
      expect(res.status).toBe(201);
      expect(res.body.kupat_holim).toBe(sent.trim().toLowerCase());
      const [stored] = await storedRelatives(user.id);
      expect(stored.kupat_holim).toBe(sent.trim().toLowerCase());
    },
  );

  it('is documented as taking kupat holim in any case, and "" or null for none', async () => {
    const documented = (kupat_holim: unknown) =>
      undocumentedRequestParts(app, 'POST', '/relatives', { ...SARAH, kupat_holim });
    for (const accepted of ['clalit', 'MACCABI', 'Meuhedet', 'LeUmIt', ' Other ', '', '  ', null]) {
      expect(await documented(accepted), JSON.stringify(accepted)).toEqual([]);
    }
    for (const refused of ['kupat', 'clalit maccabi', 'CLALITT']) {
      expect(await documented(refused), refused).not.toEqual([]);
      const res = await add(await createUser(), { ...SARAH, kupat_holim: refused });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fieldErrors).toHaveProperty('kupat_holim');
    }
  });

  it('is documented as taking "" in every optional field', async () => {
    const blank = { ...SARAH, date_of_birth: '', kupat_holim: '', insurance_provider: '' };
    expect(await undocumentedRequestParts(app, 'POST', '/relatives', blank)).toEqual([]);
  });

  it('reads "" in the optional fields as null (blank form fields of the patient app)', async () => {
    const user = await createUser();
    const res = await add(user, {
      ...SARAH,
      date_of_birth: '',
      kupat_holim: '',
      insurance_provider: '',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      date_of_birth: null,
      kupat_holim: null,
      insurance_provider: null,
    });
    const [stored] = await storedRelatives(user.id);
    expect(stored).toMatchObject({
      date_of_birth: null,
      kupat_holim: null,
      insurance_provider: null,
    });
  });

  it('accepts explicit nulls in the optional fields and ignores unknown fields', async () => {
    const user = await createUser();
    const res = await add(user, {
      ...SARAH,
      date_of_birth: null,
      kupat_holim: null,
      user_id: crypto.randomUUID(),
    });
    expect(res.status).toBe(201);
    expect(res.body.date_of_birth).toBeNull();
    const [row] = await db`select user_id from public.relatives where id = ${res.body.id}`;
    expect(row.user_id).toBe(user.id);
  });

  it('stores the teudat zehut encrypted and reads it back in clear, as 9 digits', async () => {
    const user = await createUser();
    const res = await add(user, { ...SARAH, teudat_zehut: '3933-7423' });
    expect(res.status).toBe(201);
    expect(res.body.teudat_zehut).toBe('039337423');
    expect((await list(user)).body).toEqual([res.body]);
    const [row] = await db`select r::text as stored, teudat_zehut_encrypted, teudat_zehut_hash
      from public.relatives r where id = ${res.body.id}`;
    expect(row.teudat_zehut_encrypted).toMatch(/^v1\.test-1\.[A-Za-z0-9+/]+=*$/);
    expect(row.teudat_zehut_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.stored).not.toContain('039337423');
    expect(row.stored).not.toContain('39337423');
  });

  it('reads a blank teudat zehut as none', async () => {
    const user = await createUser();
    const res = await add(user, { ...SARAH, teudat_zehut: '' });
    expect(res.status).toBe(201);
    expect(res.body.teudat_zehut).toBeNull();
    const [row] = await db`select teudat_zehut_encrypted, teudat_zehut_hash
      from public.relatives where id = ${res.body.id}`;
    expect(row).toEqual({ teudat_zehut_encrypted: null, teudat_zehut_hash: null });
  });

  it('accepts a birth date of today', async () => {
    const user = await createUser();
    const [{ today }] = await db`select (now() at time zone 'Asia/Jerusalem')::date as today`;
    const res = await add(user, { ...SARAH, date_of_birth: today });
    expect(res.status).toBe(201);
    expect(res.body.date_of_birth).toBe(today);
  });

  type Bad = [string, CallOptions, number, string, string?];
  const hundredAndOne = 'x'.repeat(101);
  const badBodies: Bad[] = [
    ['an empty object', { json: {} }, 400, 'validation_error', 'first_name'],
    [
      'a missing last name',
      { json: { first_name: 'Sarah', relation: 'child' } },
      400,
      'validation_error',
      'last_name',
    ],
    [
      'a missing relation',
      { json: { first_name: 'Sarah', last_name: 'Cohen' } },
      400,
      'validation_error',
      'relation',
    ],
    [
      'a blank first name',
      { json: { ...SARAH, first_name: '   ' } },
      400,
      'validation_error',
      'first_name',
    ],
    [
      'a first name of 101 characters',
      { json: { ...SARAH, first_name: hundredAndOne } },
      400,
      'validation_error',
      'first_name',
    ],
    [
      'a last name of 101 characters',
      { json: { ...SARAH, last_name: hundredAndOne } },
      400,
      'validation_error',
      'last_name',
    ],
    [
      'an insurance provider of 101 characters',
      { json: { ...SARAH, insurance_provider: hundredAndOne } },
      400,
      'validation_error',
      'insurance_provider',
    ],
    [
      'a first name of the wrong type',
      { json: { ...SARAH, first_name: 42 } },
      400,
      'validation_error',
      'first_name',
    ],
    [
      'a null last name',
      { json: { ...SARAH, last_name: null } },
      400,
      'validation_error',
      'last_name',
    ],
    [
      'a relation outside the list',
      { json: { ...SARAH, relation: 'cousin' } },
      400,
      'validation_error',
      'relation',
    ],
    [
      'a relation in capitals',
      { json: { ...SARAH, relation: 'CHILD' } },
      400,
      'validation_error',
      'relation',
    ],
    [
      'an unknown kupat holim',
      { json: { ...SARAH, kupat_holim: 'kaiser' } },
      400,
      'validation_error',
      'kupat_holim',
    ],
    [
      'a kupat holim of the wrong type',
      { json: { ...SARAH, kupat_holim: 1 } },
      400,
      'validation_error',
      'kupat_holim',
    ],
    [
      'an impossible date',
      { json: { ...SARAH, date_of_birth: '2023-02-30' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a date in another format',
      { json: { ...SARAH, date_of_birth: '20/03/2018' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a date in the future',
      { json: { ...SARAH, date_of_birth: '2999-01-01' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a date before 1900',
      { json: { ...SARAH, date_of_birth: '1850-06-01' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a teudat zehut whose check digit fails',
      { json: { ...SARAH, teudat_zehut: '123456789' } },
      400,
      'validation_error',
      'teudat_zehut',
    ],
    [
      'a teudat zehut of 4 digits',
      { json: { ...SARAH, teudat_zehut: '1234' } },
      400,
      'validation_error',
      'teudat_zehut',
    ],
    [
      'a date as a number',
      { json: { ...SARAH, date_of_birth: 20180320 } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    ['an array body', { json: [SARAH] }, 400, 'validation_error'],
    ['a string body', { json: 'Sarah' }, 400, 'validation_error'],
    ['a null body', { json: null }, 400, 'validation_error'],
    [
      'malformed JSON',
      { body: '{"first_name":', headers: { 'content-type': 'application/json' } },
      400,
      'bad_request',
    ],
    [
      'a form body',
      {
        body: 'first_name=Sarah',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      415,
      'unsupported_media_type',
    ],
    [
      'a text body',
      { body: JSON.stringify(SARAH), headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a body too large',
      { json: { ...SARAH, padding: 'x'.repeat(2 * 1024 * 1024) } },
      413,
      'payload_too_large',
    ],
  ];

  it.each(badBodies)(
    'refuses %s without writing anything',
    async (_name, options, status, code, field) => {
      const user = await createUser();
      await add(user, SARAH);
      const before = await snapshot(['public.relatives']);
      const res = await call(app, 'POST', '/relatives', { token: user.token, ...options });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(/\w/);
      if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
      expect(await snapshot(['public.relatives'])).toEqual(before);
      expect(await storedRelatives(user.id)).toHaveLength(1);
    },
  );

  it('says which field is wrong in a sentence a patient can read', async () => {
    const user = await createUser();
    const res = await add(user, { ...SARAH, date_of_birth: '2999-01-01' });
    expect(res.body.error.message).toBe(
      'Please check date_of_birth: The date of birth cannot be in the future.',
    );
    expect(res.body.error.details.fieldErrors).toEqual({
      date_of_birth: ['The date of birth cannot be in the future.'],
    });
  });
});

describe('GET /relatives', () => {
  it('is an empty array for a user without relatives', async () => {
    const user = await createUser();
    const res = await list(user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('lists the relatives oldest first, each exactly as created', async () => {
    const user = await createUser();
    const created = [];
    for (const first_name of ['Noa', 'Eli', 'Ada']) {
      created.push((await add(user, { ...SARAH, first_name, kupat_holim: 'Clalit' })).body);
    }
    const res = await list(user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    expect(res.body.map((r: { first_name: string }) => r.first_name)).toEqual([
      'Noa',
      'Eli',
      'Ada',
    ]);
  });

  it('orders by creation time, not by insertion into the table', async () => {
    const user = await createUser();
    await db`
      insert into public.relatives (user_id, first_name, last_name, relation, created_at)
      values (${user.id}, 'Newer', 'Cohen', 'sibling', now() - interval '1 day'),
             (${user.id}, 'Older', 'Cohen', 'sibling', now() - interval '2 days')`;
    const res = await list(user);
    expect(res.body.map((r: { first_name: string }) => r.first_name)).toEqual(['Older', 'Newer']);
  });

  it('ignores unknown query parameters', async () => {
    const user = await createUser();
    await add(user, SARAH);
    const res = await call(app, 'GET', '/relatives?_t=1700000000', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
  });
});

describe('DELETE /relatives/:id', () => {
  it('deletes my relative with 204 and no body', async () => {
    const user = await createUser();
    const kept = (await add(user, { ...SARAH, first_name: 'Kept' })).body;
    const gone = (await add(user, SARAH)).body;
    const res = await remove(user, gone.id);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await list(user)).body).toEqual([kept]);
  });

  it('refuses while the relative has an appointment ahead, and keeps their past ones', async () => {
    const user = await createUser();
    const { id } = (await add(user, SARAH)).body;
    const { id: practitionerId } = await createUser({ role: 'practitioner' });
    const at = (date: string, status: string) =>
      db`insert into public.appointments (patient_id, practitioner_id, relative_id,
           appointment_date, start_time, end_time, status)
         values (${user.id}, ${practitionerId}, ${id}, ${date}, '10:00', '10:30', ${status})
         returning id`;
    const [past] = await at('2026-01-10', 'completed');
    const [ahead] = await at('2099-01-10', 'confirmed');
    const refused = await remove(user, id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({
      code: 'conflict',
      message: 'This relative has upcoming appointments. Please cancel them first.',
      details: {},
    });
    expect((await list(user)).body.map((r: { id: string }) => r.id)).toEqual([id]);
    await db`update public.appointments set status = 'cancelled_by_patient' where id = ${ahead.id}`;
    expect((await remove(user, id)).status).toBe(204);
    const kept = await db`select patient_id, relative_id from public.appointments
      where id in ${db([past.id, ahead.id])}`;
    expect(kept).toEqual([
      { patient_id: user.id, relative_id: null },
      { patient_id: user.id, relative_id: null },
    ]);
  });

  it('answers 404 the second time', async () => {
    const user = await createUser();
    const { id } = (await add(user, SARAH)).body;
    expect((await remove(user, id)).status).toBe(204);
    const again = await remove(user, id);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
  });

  const badIds: Array<[string, string, number, string]> = [
    ['a malformed id', 'not-a-uuid', 400, 'validation_error'],
    ['a number', '42', 400, 'validation_error'],
    ['an id with SQL in it', encodeURIComponent("1' or '1'='1"), 400, 'validation_error'],
    ['an unknown id', crypto.randomUUID(), 404, 'not_found'],
  ];

  it.each(badIds)('refuses %s without deleting anything', async (_name, id, status, code) => {
    const user = await createUser();
    await add(user, SARAH);
    const before = await snapshot(['public.relatives']);
    const res = await remove(user, id);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await snapshot(['public.relatives'])).toEqual(before);
  });

  it('has no DELETE on the collection itself', async () => {
    const user = await createUser();
    await add(user, SARAH);
    const res = await call(app, 'DELETE', '/relatives', { token: user.token });
    expect(res.status).toBe(404);
    expect(await storedRelatives(user.id)).toHaveLength(1);
  });
});

describe('isolation between users', () => {
  it("never shows nor deletes another user's relative, and gives no hint that it exists", async () => {
    const a = await createUser();
    const b = await createUser();
    const mine = (await add(a, SARAH)).body;
    await add(b, { ...SARAH, first_name: 'Dana' });

    const bList = await list(b);
    expect(bList.body.map((r: { first_name: string }) => r.first_name)).toEqual(['Dana']);

    const before = await snapshot(['public.relatives']);
    const stolen = await remove(b, mine.id);
    const unknown = await remove(b, crypto.randomUUID());
    expect(stolen.status).toBe(404);
    expect(stolen.body).toEqual(unknown.body);
    expect(await snapshot(['public.relatives'])).toEqual(before);
    expect((await list(a)).body).toEqual([mine]);
  });
});

describe('authentication', () => {
  it('needs a signed-in user on every route', async () => {
    const before = await snapshot(['public.relatives']);
    expect((await call(app, 'GET', '/relatives')).status).toBe(401);
    expect((await call(app, 'POST', '/relatives', { json: SARAH })).status).toBe(401);
    expect((await call(app, 'DELETE', `/relatives/${crypto.randomUUID()}`)).status).toBe(401);
    expect(await snapshot(['public.relatives'])).toEqual(before);
  });

  it('serves its OpenAPI document without a token', async () => {
    const res = await call(app, 'GET', '/relatives/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths).sort()).toEqual([
      '/relatives',
      '/relatives/{id}',
      '/relatives/{id}/avatar',
    ]);
    expect(res.body.components.schemas.Relative.required).toContain('kupat_holim');
  });
});
