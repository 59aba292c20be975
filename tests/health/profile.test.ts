import { describe, expect, it } from 'vitest';
import { db } from '../helpers/db.ts';
import type { CallOptions } from '../helpers/http.ts';
import type { TestUser } from '../helpers/users.ts';
import { health, healthState, patient } from './helpers.ts';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The body of the contract's example (section 9). */
const CONTRACT_BODY = {
  teudat_zehut: '123456782',
  date_of_birth: '1990-05-15',
  sex: 'male',
  blood_type: 'O+',
  kupat_holim: 'Clalit',
  kupat_member_id: '12345',
  family_doctor_name: 'Dr. Cohen',
  emergency_contact_name: 'Rachel',
  emergency_contact_phone: '+972-50-1111111',
};

const put = (user: TestUser, json: unknown, options: CallOptions = {}) =>
  health(user, 'PUT', '/profile', { json, ...options });
const get = (user: TestUser) => health(user, 'GET', '/profile');

async function storedProfile(userId: string) {
  const [row] = await db`select * from public.health_profiles where user_id = ${userId}`;
  return row;
}

describe('GET /health/profile', () => {
  it('answers 200 with null for a user who has none yet (client-compat)', async () => {
    const res = await get(await patient());
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers the profile with the teudat zehut decrypted', async () => {
    const user = await patient();
    await put(user, CONTRACT_BODY);
    const res = await get(user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user_id: user.id,
      teudat_zehut: '123456782',
      date_of_birth: '1990-05-15',
      sex: 'male',
      blood_type: 'O+',
      kupat_holim: 'clalit',
      kupat_member_id: '12345',
      family_doctor_name: 'Dr. Cohen',
      emergency_contact_name: 'Rachel',
      emergency_contact_phone: '+972-50-1111111',
      insurance_provider: null,
      updated_at: expect.stringMatching(ISO_TIMESTAMP),
    });
  });
});

describe('PUT /health/profile', () => {
  it('creates the profile and answers 200 with it as GET returns it', async () => {
    const user = await patient();
    const res = await put(user, { ...CONTRACT_BODY, insurance_provider: 'Harel' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual((await get(user)).body);
    expect(res.body).toMatchObject({ teudat_zehut: '123456782', insurance_provider: 'Harel' });
  });

  it('accepts the patient app\'s real body: every key, blanks as "", kupat holim lowercase', async () => {
    const user = await patient();
    const res = await put(user, {
      teudat_zehut: '039337423',
      date_of_birth: '',
      sex: 'female',
      blood_type: '',
      kupat_holim: 'maccabi',
      kupat_member_id: '',
      family_doctor_name: '',
      emergency_contact_name: 'Avi Cohen',
      emergency_contact_phone: '',
      insurance_provider: '',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      teudat_zehut: '039337423',
      date_of_birth: null,
      sex: 'female',
      blood_type: null,
      kupat_holim: 'maccabi',
      kupat_member_id: null,
      family_doctor_name: null,
      emergency_contact_name: 'Avi Cohen',
      emergency_contact_phone: null,
      insurance_provider: null,
    });
    expect(await storedProfile(user.id)).toMatchObject({
      kupat_holim: 'maccabi',
      kupat_member_id: null,
      emergency_contact_name: 'Avi Cohen',
    });
  });

  it.each(['clalit', 'MACCABI', 'Meuhedet', 'LeUmIt', ' other '])(
    'stores kupat holim %j in lowercase',
    async (sent) => {
      const user = await patient();
      const res = await put(user, { kupat_holim: sent });
      expect(res.status).toBe(200);
      expect(res.body.kupat_holim).toBe(sent.trim().toLowerCase());
      expect((await storedProfile(user.id)).kupat_holim).toBe(sent.trim().toLowerCase());
    },
  );

  it.each([['o+', 'O+'], ['ab-', 'AB-'], [' B+ ', 'B+']])(
    'reads blood type %j as %s',
    async (sent, stored) => {
      const user = await patient();
      const res = await put(user, { blood_type: sent });
      expect(res.status).toBe(200);
      expect(res.body.blood_type).toBe(stored);
    },
  );

  it('normalises the teudat zehut: separators out, zeros in front', async () => {
    const user = await patient();
    expect((await put(user, { teudat_zehut: '3933-7423' })).body.teudat_zehut).toBe('039337423');
    expect((await get(user)).body.teudat_zehut).toBe('039337423');
  });

  it('replaces the whole profile: what is left out becomes null', async () => {
    const user = await patient();
    await put(user, { ...CONTRACT_BODY, insurance_provider: 'Harel' });
    const res = await put(user, { blood_type: 'A-' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      teudat_zehut: null,
      blood_type: 'A-',
      kupat_holim: null,
      insurance_provider: null,
      family_doctor_name: null,
    });
    const stored = await storedProfile(user.id);
    expect(stored.teudat_zehut_encrypted).toBeNull();
    expect(stored.teudat_zehut_hash).toBeNull();
    const [{ n }] = await db`select count(*)::int as n from public.health_profiles
      where user_id = ${user.id}`;
    expect(n).toBe(1);
  });

  it('accepts an empty object (a profile of nulls) and ignores unknown keys', async () => {
    const user = await patient();
    const other = await patient();
    const res = await put(user, { user_id: other.id, updated_at: '2020-01-01', extra: 1 });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(user.id);
    expect(await storedProfile(other.id)).toBeUndefined();
  });

  it('moves updated_at on each PUT', async () => {
    const user = await patient();
    const first = (await put(user, CONTRACT_BODY)).body.updated_at;
    await db`update public.health_profiles set updated_at = now() - interval '1 day'
      where user_id = ${user.id}`;
    const second = (await put(user, CONTRACT_BODY)).body.updated_at as string;
    expect(Date.parse(second)).toBeGreaterThanOrEqual(Date.parse(first));
  });

  it("never touches another user's profile", async () => {
    const a = await patient();
    const b = await patient();
    await put(a, CONTRACT_BODY);
    await put(b, { blood_type: 'B-' });
    expect((await get(a)).body.blood_type).toBe('O+');
    expect((await get(b)).body).toMatchObject({ blood_type: 'B-', teudat_zehut: null });
  });

  type Bad = [string, CallOptions, number, string, string?];
  const bad: Bad[] = [
    [
      'a teudat zehut with a wrong check digit',
      { json: { teudat_zehut: '123456789' } },
      400,
      'validation_error',
      'teudat_zehut',
    ],
    [
      'a teudat zehut of 4 digits',
      { json: { teudat_zehut: '1234' } },
      400,
      'validation_error',
      'teudat_zehut',
    ],
    [
      'a teudat zehut of 10 digits',
      { json: { teudat_zehut: '1234567824' } },
      400,
      'validation_error',
      'teudat_zehut',
    ],
    [
      'a teudat zehut with letters',
      { json: { teudat_zehut: '12345678A' } },
      400,
      'validation_error',
      'teudat_zehut',
    ],
    [
      'a teudat zehut as a number',
      { json: { teudat_zehut: 123456782 } },
      400,
      'validation_error',
      'teudat_zehut',
    ],
    ['all zeros', { json: { teudat_zehut: '000000000' } }, 400, 'validation_error', 'teudat_zehut'],
    [
      'an unknown blood type',
      { json: { blood_type: 'C+' } },
      400,
      'validation_error',
      'blood_type',
    ],
    [
      'an unknown kupat holim',
      { json: { kupat_holim: 'kaiser' } },
      400,
      'validation_error',
      'kupat_holim',
    ],
    ['an unknown sex', { json: { sex: 'unknown' } }, 400, 'validation_error', 'sex'],
    [
      'a date of birth in the future',
      { json: { date_of_birth: '2999-01-01' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'an impossible date of birth',
      { json: { date_of_birth: '1990-02-30' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a date of birth before 1900',
      { json: { date_of_birth: '1850-06-01' } },
      400,
      'validation_error',
      'date_of_birth',
    ],
    [
      'a phone with letters',
      { json: { emergency_contact_phone: 'call me' } },
      400,
      'validation_error',
      'emergency_contact_phone',
    ],
    [
      'a doctor name of 201 characters',
      { json: { family_doctor_name: 'x'.repeat(201) } },
      400,
      'validation_error',
      'family_doctor_name',
    ],
    [
      'a member id of 51 characters',
      { json: { kupat_member_id: '1'.repeat(51) } },
      400,
      'validation_error',
      'kupat_member_id',
    ],
    [
      'an insurance provider of the wrong type',
      { json: { insurance_provider: 42 } },
      400,
      'validation_error',
      'insurance_provider',
    ],
    ['an array body', { json: [CONTRACT_BODY] }, 400, 'validation_error'],
    ['a null body', { json: null }, 400, 'validation_error'],
    [
      'malformed JSON',
      { body: '{"teudat_zehut":', headers: { 'content-type': 'application/json' } },
      400,
      'bad_request',
    ],
    [
      'a form body',
      {
        body: 'teudat_zehut=123456782',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      415,
      'unsupported_media_type',
    ],
    [
      'a body too large',
      { json: { ...CONTRACT_BODY, padding: 'x'.repeat(2 * 1024 * 1024) } },
      413,
      'payload_too_large',
    ],
  ];

  it.each(bad)('refuses %s, writing nothing', async (_name, options, status, code, field) => {
    const user = await patient();
    await put(user, { ...CONTRACT_BODY, teudat_zehut: '039337423' });
    const before = await healthState(user);
    const res = await health(user, 'PUT', '/profile', options);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(/^[A-Z].*[.!]$/);
    if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([field]);
    // Health data never comes back in an error.
    const text = JSON.stringify(res.body);
    for (const value of ['123456789', '1234567824', '039337423', 'call me', 'kaiser']) {
      expect(text).not.toContain(value);
    }
    expect(await healthState(user)).toEqual(before);
  });

  it('says what is wrong with a teudat zehut in words a patient reads', async () => {
    const res = await put(await patient(), { teudat_zehut: '123456789' });
    expect(res.body.error).toEqual({
      code: 'validation_error',
      message:
        'Please check teudat_zehut: This teudat zehut is not valid: please check the digits.',
      details: {
        fieldErrors: { teudat_zehut: ['This teudat zehut is not valid: please check the digits.'] },
      },
    });
  });
});
