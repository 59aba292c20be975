import { describe, expect, it } from 'vitest';
import { db } from '../helpers/db.ts';
import type { CallOptions } from '../helpers/http.ts';
import { undocumentedRequestParts } from '../helpers/openapi-conformance.ts';
import { badAuthorizations, expectRefusal } from '../helpers/refusals.ts';
import { createUser } from '../helpers/users.ts';
import {
  cardiology,
  crm,
  footprint,
  me,
  practitioners,
  register,
  searchIds,
  uniqueName,
  wizard,
} from './helpers.ts';
import { call } from '../helpers/http.ts';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const RECOMMENDED = [
  'about',
  'education',
  'languages',
  'avatar_url',
  'price_min_agorot',
  'price_max_agorot',
];

describe('POST /practitioners/register', () => {
  it('registers a patient: 201 with the complete record, inactive, and the role practitioner', async () => {
    const user = await createUser({ firstName: 'Dani', lastName: 'Old' });
    const spec = await cardiology();
    const lastName = uniqueName();
    const json = wizard(spec.id, {
      last_name: lastName,
      zip_code: '6436114',
      specialization_license: '4321',
      referral_code: 'NOT-A-KNOWN-CODE',
    });
    expect(await undocumentedRequestParts(practitioners, 'POST', '/practitioners/register', json))
      .toEqual([]);
    const res = await register(user, { json });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      id: user.id,
      created_at: expect.stringMatching(ISO_TIMESTAMP),
      updated_at: expect.stringMatching(ISO_TIMESTAMP),
      profiles: { first_name: 'Dana', last_name: lastName, avatar_url: null },
      email: 'dana@clinic.example',
      phone: '+972501234567',
      city: 'Tel Aviv',
      specialty_id: spec.id,
      specialties: spec,
      license_number: '12345',
      specialization_license: '4321',
      organizations: null,
      address_line: 'Dizengoff',
      street_number: '120',
      zip_code: '6436114',
      latitude: 32.0853,
      longitude: 34.7818,
      sector: null,
      about: null,
      education: null,
      languages: [],
      years_of_experience: null,
      price_min_agorot: null,
      price_max_agorot: null,
      consultation_duration_minutes: 30,
      is_accepting_new_patients: true,
      website_url: null,
      facebook_url: null,
      instagram_url: null,
      whatsapp_number: null,
      linkedin_url: null,
      tiktok_url: null,
      youtube_url: null,
      waze_link: null,
      google_maps_link: null,
      card_slug: null,
      card_headline: null,
      average_rating: null,
      review_count: 0,
      is_active: false,
      is_published: false,
      is_complete: true,
      missing_fields: RECOMMENDED,
      has_teudat_zehut: false,
      teudat_zehut_masked: null,
    });
    const [profile] = await db`select role::text, first_name, last_name from public.profiles
      where id = ${user.id}`;
    expect(profile).toEqual({ role: 'practitioner', first_name: 'Dana', last_name: lastName });
    // Complete at once (the CRM polls for it), and not listed until an admin activates it.
    expect((await me(user)).body).toEqual(res.body);
    expect(await searchIds(lastName)).toEqual([]);
    // Not bookable either: the booking rules want an active practitioner.
    const [{ is_active }] = await db`select is_active from public.practitioners
      where id = ${user.id}`;
    expect(is_active).toBe(false);
  });

  it('answers the registration of a record that exists with 200 and updates it', async () => {
    const user = await createUser();
    const spec = await cardiology();
    const first = await register(user, {
      json: wizard(spec.id, { zip_code: '6436114', specialization_license: '4321' }),
    });
    expect(first.status).toBe(201);
    // The CRM submits the wizard again while the record is incomplete, and may retry.
    const again = await register(user, { json: wizard(spec.id, { city: 'Haifa' }) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      id: user.id,
      city: 'Haifa',
      created_at: first.body.created_at,
      // Left out this time: kept.
      zip_code: '6436114',
      specialization_license: '4321',
      is_active: false,
      is_complete: true,
    });
    const [{ n }] = await db`select count(*)::int as n from public.practitioners
      where id = ${user.id}`;
    expect(n).toBe(1);
  });

  it('completes the record of a practitioner whose role an admin set, keeping it active', async () => {
    const user = await createUser({ role: 'practitioner' });
    const before = await me(user);
    expect(before.body).toMatchObject({ is_active: true, is_complete: false });
    const res = await register(user, { json: wizard((await cardiology()).id) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_active: true, is_published: true, is_complete: true });
  });

  it('decides two registrations at once one after the other: one 201, one 200', async () => {
    const user = await createUser();
    const json = wizard((await cardiology()).id);
    const answers = await Promise.all([register(user, { json }), register(user, { json })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    const [{ n }] = await db`select count(*)::int as n from public.practitioners
      where id = ${user.id}`;
    expect(n).toBe(1);
  });

  it('refuses an admin account (409) and writes nothing', async () => {
    const boss = await createUser({ role: 'admin' });
    const before = await footprint(boss.id);
    const res = await register(boss, { json: wizard((await cardiology()).id) });
    expectRefusal(res, 409);
    expect(res.body.error.message).toBe(
      'An administrator account cannot be registered as a practitioner.',
    );
    expect(await footprint(boss.id)).toEqual(before);
  });

  it('refuses a request without a valid token (401) and writes nothing', async () => {
    const json = wizard((await cardiology()).id);
    for (const headers of await badAuthorizations()) {
      expectRefusal(await register(undefined, { json, headers }), 401, JSON.stringify(headers));
    }
  });

  it('leaves no half-registered user when the specialty does not exist', async () => {
    const user = await createUser({ firstName: 'Noa', lastName: 'Cohen' });
    const before = await footprint(user.id);
    const res = await register(user, { json: wizard(crypto.randomUUID()) });
    expectRefusal(res, 400);
    expect(res.body.error.details.fieldErrors).toHaveProperty('specialty_id');
    expect(await footprint(user.id)).toEqual(before);
    expect(before.practitioner).toBeNull();
  });

  it('leaves no half-registered user when the profile cannot be changed after the record was written', async () => {
    const user = await createUser({ firstName: 'Noa', lastName: 'Cohen' });
    const before = await footprint(user.id);
    const name = `refuse_register_${user.id.replaceAll('-', '')}`;
    await db.unsafe(`
      create function public.${name}() returns trigger language plpgsql as
        $$ begin raise exception 'simulated failure'; end $$;
      create trigger ${name} before update on public.profiles
        for each row when (new.id = '${user.id}') execute function public.${name}();`);
    try {
      const res = await register(user, { json: wizard((await cardiology()).id) });
      expectRefusal(res, 500);
      expect(JSON.stringify(res.body)).not.toContain('simulated');
    } finally {
      await db.unsafe(`drop trigger ${name} on public.profiles; drop function public.${name}();`);
    }
    expect(await footprint(user.id)).toEqual(before);
    expectRefusal(await me(user), 404);
  });

  const without = (field: string) => ({ [field]: undefined });
  const badFields: Array<[name: string, change: Record<string, unknown>, field: string]> = [
    ['no first name', without('first_name'), 'first_name'],
    ['a blank last name', { last_name: '  ' }, 'last_name'],
    ['an email without @', { email: 'dana.clinic.example' }, 'email'],
    ['a phone not in E.164', { phone: '050-123-4567' }, 'phone'],
    ['a phone of another country', { phone: '+33612345678' }, 'phone'],
    ['a phone too short', { phone: '+9725012345' }, 'phone'],
    ['no city', without('city'), 'city'],
    ['a specialty that is no id', { specialty_id: 'cardiology' }, 'specialty_id'],
    ['a licence of 7 digits', { license_number: '1234567' }, 'license_number'],
    ['a licence with letters', { license_number: 'MD-123' }, 'license_number'],
    [
      'a specialist licence with letters',
      { specialization_license: 'abc' },
      'specialization_license',
    ],
    ['no street', { address_line: '' }, 'address_line'],
    ['no street number', without('street_number'), 'street_number'],
    ['a latitude as text', { latitude: '32.08' }, 'latitude'],
    ['a latitude of 91', { latitude: 91 }, 'latitude'],
    ['no longitude', without('longitude'), 'longitude'],
    ['a zip code of 21 characters', { zip_code: '1'.repeat(21) }, 'zip_code'],
    ['a referral code of 101 characters', { referral_code: 'r'.repeat(101) }, 'referral_code'],
  ];

  it.each(badFields)('refuses %s in words and writes nothing', async (_name, change, field) => {
    const user = await createUser();
    const before = await footprint(user.id);
    // JSON drops the fields set to undefined: they are left out.
    const json = JSON.parse(JSON.stringify(wizard((await cardiology()).id, change)));
    const res = await register(user, { json });
    expectRefusal(res, 400);
    expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([field]);
    expect(await footprint(user.id)).toEqual(before);
  });

  const badRequests: Array<[name: string, options: CallOptions, status: number]> = [
    ['a list instead of an object', { json: [] }, 400],
    [
      'malformed JSON',
      { body: '{"first_name":', headers: { 'content-type': 'application/json' } },
      400,
    ],
    ['no body', {}, 400],
    ['a form', {
      body: 'first_name=Dana',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }, 415],
  ];

  it.each(badRequests)('refuses %s and writes nothing', async (_name, options, status) => {
    const user = await createUser();
    const before = await footprint(user.id);
    expectRefusal(await register(user, options), status);
    expect(await footprint(user.id)).toEqual(before);
  });

  it('is listed and bookable once an admin activates it', async () => {
    const user = await createUser();
    const lastName = uniqueName();
    await register(user, { json: wizard((await cardiology()).id, { last_name: lastName }) });
    expect(await searchIds(lastName)).toEqual([]);
    const boss = await createUser({ role: 'admin' });
    const res = await call(crm, 'PATCH', `/crm/profile?practitioner_id=${user.id}`, {
      token: boss.token,
      json: { is_active: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(true);
    expect(await searchIds(lastName)).toEqual([user.id]);
    expect((await me(user)).body).toMatchObject({ is_active: true, is_published: true });
  });
});
