import { describe, expect, it } from 'vitest';
import { app } from '../../functions/relatives/app.ts';
import { db } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { undocumentedRequestParts } from '../helpers/openapi-conformance.ts';
import { expectRefusal, MALFORMED_IDS } from '../helpers/refusals.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { png } from '../helpers/images.ts';

const SARAH = {
  first_name: 'Sarah',
  last_name: 'Cohen',
  relation: 'child',
  date_of_birth: '2018-03-20',
  teudat_zehut: '039337423',
  kupat_holim: 'maccabi',
  insurance_provider: 'Harel',
};
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const add = async (user: TestUser, json: unknown = SARAH) => {
  const res = await call(app, 'POST', '/relatives', { token: user.token, json });
  expect(res.status).toBe(201);
  return res.body as { id: string };
};
const patch = (user: TestUser | undefined, id: string, options: CallOptions) =>
  call(app, 'PATCH', `/relatives/${id}`, { token: user?.token, ...options });
const list = (user: TestUser) => call(app, 'GET', '/relatives', { token: user.token });

/** Everything stored of one user's relatives, as text: a refused change leaves it as it was. */
const storedOf = (userId: string) =>
  db`select r::text as row from public.relatives r where r.user_id = ${userId} order by r.id`;

async function uploadPicture(user: TestUser, id: string): Promise<string> {
  const form = new FormData();
  form.append('avatar', new Blob([png()], { type: 'application/octet-stream' }), 'photo.jpg');
  const res = await call(app, 'POST', `/relatives/${id}/avatar`, { token: user.token, body: form });
  expect(res.status).toBe(200);
  return res.body.avatar_url;
}

describe('PATCH /relatives/:id', () => {
  it('changes what is sent, keeps the rest and answers the relative as GET /relatives does', async () => {
    const user = await createUser();
    const { id } = await add(user);
    const res = await patch(user, id, {
      json: { first_name: ' Sara ', relation: 'other', kupat_holim: 'CLALIT' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id,
      first_name: 'Sara',
      last_name: 'Cohen',
      relation: 'other',
      date_of_birth: '2018-03-20',
      teudat_zehut: '039337423',
      kupat_holim: 'clalit',
      insurance_provider: 'Harel',
      avatar_url: null,
      created_at: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect((await list(user)).body).toEqual([res.body]);
  });

  it('takes the whole form the patient app sends back, the ID number included', async () => {
    const user = await createUser();
    const { id } = await add(user);
    const [before] = await db`select teudat_zehut_encrypted from public.relatives where id = ${id}`;
    const [item] = (await list(user)).body;
    const form = {
      first_name: 'Sarah',
      last_name: 'Levi',
      teudat_zehut: item.teudat_zehut,
      date_of_birth: '2018-03-21',
      relation: 'child',
      kupat_holim: 'maccabi',
      insurance_provider: 'Harel',
    };
    expect(await undocumentedRequestParts(app, 'PATCH', `/relatives/${id}`, form)).toEqual([]);
    const res = await patch(user, id, { json: form });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...form, avatar_url: null });
    const [after] = await db`select teudat_zehut_encrypted, teudat_zehut_hash
      from public.relatives where id = ${id}`;
    // Sealed afresh (a new nonce), never stored in clear.
    expect(after.teudat_zehut_encrypted).toMatch(/^v1\.test-1\./);
    expect(after.teudat_zehut_encrypted).not.toBe(before.teudat_zehut_encrypted);
    expect(after.teudat_zehut_encrypted).not.toContain('039337423');
  });

  it('seals a new ID number bound to the relative and reads it back in clear', async () => {
    const user = await createUser();
    const { id } = await add(user, { first_name: 'Avi', last_name: 'Levi', relation: 'parent' });
    const res = await patch(user, id, { json: { teudat_zehut: '3933-7423' } });
    expect(res.status).toBe(200);
    expect(res.body.teudat_zehut).toBe('039337423');
    const [row] = await db`select teudat_zehut_encrypted, teudat_zehut_hash
      from public.relatives where id = ${id}`;
    expect(row.teudat_zehut_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await list(user)).body[0].teudat_zehut).toBe('039337423');
  });

  it('clears the optional fields with "" or null, never the names or the relation', async () => {
    const user = await createUser();
    const { id } = await add(user);
    const res = await patch(user, id, {
      json: { date_of_birth: '', teudat_zehut: null, kupat_holim: '  ', insurance_provider: '' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      first_name: 'Sarah',
      relation: 'child',
      date_of_birth: null,
      teudat_zehut: null,
      kupat_holim: null,
      insurance_provider: null,
    });
    const [row] = await db`select teudat_zehut_encrypted, teudat_zehut_hash
      from public.relatives where id = ${id}`;
    expect(row).toEqual({ teudat_zehut_encrypted: null, teudat_zehut_hash: null });
  });

  it('answers an empty change with the relative as it is, and writes nothing', async () => {
    const user = await createUser();
    const { id } = await add(user);
    const before = await storedOf(user.id);
    const res = await patch(user, id, { json: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual((await list(user)).body[0]);
    expect(await storedOf(user.id)).toEqual(before);
  });

  it('accepts the URL the upload answered (the order the patient app uses), not another', async () => {
    const user = await createUser();
    const { id } = await add(user);
    const url = await uploadPicture(user, id);
    const res = await patch(user, id, { json: { first_name: 'Sarit', avatar_url: url } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ first_name: 'Sarit', avatar_url: url });

    const before = await storedOf(user.id);
    const stale = await patch(user, id, {
      json: { first_name: 'Other', avatar_url: `${url.slice(0, -8)}0000.png` },
    });
    expectRefusal(stale, 400);
    expect(stale.body.error).toEqual({
      code: 'validation_error',
      message: 'To change the picture, please upload it again.',
      details: { fieldErrors: { avatar_url: ['To change the picture, please upload it again.'] } },
    });
    expect(await storedOf(user.id)).toEqual(before);
  });

  it('takes a blank avatar_url for a relative without a picture', async () => {
    const user = await createUser();
    const { id } = await add(user);
    const res = await patch(user, id, { json: { avatar_url: '', last_name: 'Katz' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ avatar_url: null, last_name: 'Katz' });
  });

  describe('who may change a relative', () => {
    it('answers 404 to anyone but the owner, admins included, and changes nothing', async () => {
      const owner = await createUser();
      const { id } = await add(owner);
      const before = await storedOf(owner.id);
      const others = [
        ['another patient', await createUser()],
        ['a practitioner', await createUser({ role: 'practitioner' })],
        ['an admin', await createUser({ role: 'admin' })],
      ] as const;
      for (const [who, other] of others) {
        const res = await patch(other, id, { json: { first_name: 'Mine' } });
        expectRefusal(res, 404, who);
        expect(res.body.error.message, who).toBe('We could not find this relative.');
      }
      const anonymous = await patch(undefined, id, { json: { first_name: 'Mine' } });
      expectRefusal(anonymous, 401);
      expect(await storedOf(owner.id)).toEqual(before);
      expect((await patch(owner, id, { json: { first_name: 'Mine' } })).status).toBe(200);
    });

    it('answers 404 for a relative that does not exist', async () => {
      const user = await createUser();
      expectRefusal(await patch(user, crypto.randomUUID(), { json: { first_name: 'X' } }), 404);
    });

    it('answers 400 for an id that is not one, and writes nothing', async () => {
      const user = await createUser();
      await add(user);
      const before = await storedOf(user.id);
      for (const bad of MALFORMED_IDS) {
        const res = await patch(user, bad, { json: { first_name: 'X' } });
        expectRefusal(res, 400, bad);
        expect(res.body.error.details.fieldErrors, bad).toHaveProperty('id');
      }
      expect(await storedOf(user.id)).toEqual(before);
    });
  });

  type Bad = [name: string, options: CallOptions, status: number, field?: string];
  const badChanges: Bad[] = [
    ['an empty first name', { json: { first_name: '' } }, 400, 'first_name'],
    ['a first name of spaces', { json: { first_name: '   ' } }, 400, 'first_name'],
    ['a null last name', { json: { last_name: null } }, 400, 'last_name'],
    [
      'a first name of 101 characters',
      { json: { first_name: 'n'.repeat(101) } },
      400,
      'first_name',
    ],
    ['a number as a name', { json: { last_name: 42 } }, 400, 'last_name'],
    ['an unknown relation', { json: { relation: 'cousin' } }, 400, 'relation'],
    ['a relation cleared', { json: { relation: '' } }, 400, 'relation'],
    ['a birth date in the future', { json: { date_of_birth: '2999-01-01' } }, 400, 'date_of_birth'],
    [
      'a birth date that does not exist',
      { json: { date_of_birth: '2020-02-30' } },
      400,
      'date_of_birth',
    ],
    ['a birth date before 1900', { json: { date_of_birth: '1899-12-31' } }, 400, 'date_of_birth'],
    [
      'an ID number whose check digit fails',
      { json: { teudat_zehut: '123456789' } },
      400,
      'teudat_zehut',
    ],
    ['an ID number of letters', { json: { teudat_zehut: 'abcdefghi' } }, 400, 'teudat_zehut'],
    ['an ID number of 10 digits', { json: { teudat_zehut: '1234567890' } }, 400, 'teudat_zehut'],
    ['an unknown kupat holim', { json: { kupat_holim: 'kupat' } }, 400, 'kupat_holim'],
    [
      'an insurance provider of 101 characters',
      { json: { insurance_provider: 'i'.repeat(101) } },
      400,
      'insurance_provider',
    ],
    [
      'a picture URL that is not the current one',
      { json: { avatar_url: 'https://evil.example/x.png' } },
      400,
      'avatar_url',
    ],
    ['a list instead of an object', { json: [SARAH] }, 400],
    [
      'malformed JSON',
      { body: '{"first_name":', headers: { 'content-type': 'application/json' } },
      400,
    ],
    ['a form instead of JSON', {
      body: 'first_name=X',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }, 415],
  ];

  it.each(badChanges)(
    'refuses %s in words and writes nothing',
    async (_name, options, status, field) => {
      const user = await createUser();
      const { id } = await add(user);
      const before = await storedOf(user.id);
      const res = await patch(user, id, options);
      expectRefusal(res, status);
      if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([field]);
      expect(res.body.error.message).not.toContain('123456789');
      expect(await storedOf(user.id)).toEqual(before);
    },
  );

  it.each([
    { relation: 'cousin' },
    { kupat_holim: 'kupat' },
    { first_name: 'n'.repeat(101) },
    { last_name: 42 },
  ])('is documented as refusing %j', async (json) => {
    const id = crypto.randomUUID();
    expect(await undocumentedRequestParts(app, 'PATCH', `/relatives/${id}`, json)).not.toEqual([]);
  });
});
