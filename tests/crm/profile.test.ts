import { describe, expect, it } from 'vitest';
import { db, snapshot } from '../helpers/db.ts';
import { undocumentedRequestParts } from '../helpers/openapi-conformance.ts';
import { app, auditOf, crm, practitioner } from './helpers.ts';

const TABLES = ['public.practitioners', 'public.profiles', 'public.audit_log'];

async function specialty() {
  const name = `Cardiology ${crypto.randomUUID()}`;
  const [row] = await db`
    insert into public.specialties (name, name_fr, name_he, name_en, name_ru, name_am, name_es)
    values (${name}, 'Cardiologie', 'קרדיולוגיה', 'Cardiology', 'Кардиология', 'ካርዲዮሎጂ', 'Cardiología')
    returning id, name, name_fr, name_he`;
  return { ...row } as { id: string; name: string; name_fr: string; name_he: string };
}

/** Every column the CRM edits, as stored, to prove a refused request changed nothing. */
async function stored(id: string) {
  const [row] = await db`
    select pr.*, p.first_name, p.last_name
    from public.practitioners pr join public.profiles p using (id) where id = ${id}`;
  return { ...row };
}

const contractBody = {
  about: 'Specialiste en cardiologie...',
  languages: ['Francais', 'Hebreu', 'Anglais'],
  education: 'Universite de Tel Aviv',
  phone: '+972-3-555-0100',
  email: 'dr@clinic.example',
  is_accepting_new_patients: true,
  address_line: '123 Dizengoff',
  zip_code: '62000',
  city: 'Tel Aviv',
};

describe('crm profile', () => {
  it('saves the fields of the contract and the CRM, answering the whole profile', async () => {
    const doc = await practitioner();
    const spec = await specialty();
    const res = await crm(doc, 'PATCH', '/profile', {
      json: {
        ...contractBody,
        first_name: 'Dalia',
        last_name: 'Katz',
        street_number: '12B',
        latitude: 32.08,
        longitude: 34.78,
        price_min_agorot: 25000,
        price_max_agorot: 40000,
        consultation_duration_minutes: 20,
        specialty_id: spec.id,
        sector: 'Maccabi',
        years_of_experience: 12,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: doc.id,
      specialty_id: spec.id,
      ...contractBody,
      street_number: '12B',
      latitude: 32.08,
      longitude: 34.78,
      price_min_agorot: 25000,
      price_max_agorot: 40000,
      consultation_duration_minutes: 20,
      sector: 'Maccabi',
      years_of_experience: 12,
      is_active: true,
      profiles: { first_name: 'Dalia', last_name: 'Katz', avatar_url: null },
      specialties: spec,
    });
    expect(await auditOf(doc.id)).toEqual([{
      action: 'profile.update',
      entity: 'practitioners',
      entity_id: doc.id,
      details: {
        practitioner_id: doc.id,
        fields: [
          'first_name',
          'last_name',
          'specialty_id',
          'about',
          'languages',
          'education',
          'phone',
          'email',
          'is_accepting_new_patients',
          'address_line',
          'street_number',
          'zip_code',
          'city',
          'latitude',
          'longitude',
          'price_min_agorot',
          'price_max_agorot',
          'consultation_duration_minutes',
          'sector',
          'years_of_experience',
        ],
      },
    }]);
  });

  it('clears fields with null or "" and keeps the fields not sent', async () => {
    const doc = await practitioner();
    const spec = await specialty();
    await crm(doc, 'PATCH', '/profile', {
      json: {
        ...contractBody,
        specialty_id: spec.id,
        sector: 'Clalit',
        latitude: 31.7,
        longitude: 35.2,
        years_of_experience: 3,
      },
    });
    const res = await crm(doc, 'PATCH', '/profile', {
      json: {
        about: '',
        education: null,
        languages: null,
        specialty_id: null,
        sector: '',
        latitude: null,
        longitude: null,
        years_of_experience: '',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      about: null,
      education: null,
      languages: [],
      specialty_id: null,
      specialties: null,
      sector: null,
      latitude: null,
      longitude: null,
      years_of_experience: null,
      city: 'Tel Aviv',
      phone: contractBody.phone,
      profiles: { first_name: 'Dana', last_name: 'Levi' },
    });
  });

  const blankable: Array<[string, Record<string, string>]> = [
    ...[
      'first_name',
      'last_name',
      'specialty_id',
      'about',
      'education',
      'phone',
      'email',
      'address_line',
      'street_number',
      'zip_code',
      'city',
      'price_min_agorot',
      'price_max_agorot',
      'sector',
      'years_of_experience',
    ].map((field): [string, Record<string, string>] => [field, { [field]: '' }]),
    ['latitude and longitude', { latitude: '', longitude: '' }],
  ];

  it.each(blankable)('takes "" as %s, as its document says, and clears it', async (_name, json) => {
    const doc = await practitioner();
    const spec = await specialty();
    await crm(doc, 'PATCH', '/profile', {
      json: {
        ...contractBody,
        first_name: 'Dalia',
        last_name: 'Katz',
        specialty_id: spec.id,
        street_number: '12B',
        latitude: 32.08,
        longitude: 34.78,
        price_min_agorot: 100,
        price_max_agorot: 200,
        sector: 'Clalit',
        years_of_experience: 3,
      },
    });
    const res = await crm(doc, 'PATCH', '/profile', { json });
    expect(res.status).toBe(200);
    for (const field of Object.keys(json)) {
      expect((await stored(doc.id))[field]).toBeNull();
    }
    expect(await undocumentedRequestParts(app, 'PATCH', '/crm/profile', json)).toEqual([]);
  });

  const EMAIL = 'Use a valid email address.';
  const PHONE = 'Use a phone number made of digits, spaces, +, - or parentheses.';
  const badContacts: Array<[string, Record<string, string>, string, string]> = [
    ['an email without @', { email: 'dr.clinic.example' }, 'email', EMAIL],
    ['an email without a domain', { email: 'dr@clinic' }, 'email', EMAIL],
    ['an email with a space', { email: 'dr levi@clinic.example' }, 'email', EMAIL],
    ['an email with two @', { email: 'dr@@clinic.example' }, 'email', EMAIL],
    [
      'an email of 255 characters',
      { email: `${'a'.repeat(240)}@clinic.example` },
      'email',
      'Use at most 254 characters.',
    ],
    ['a phone with letters', { phone: '03-555-CLINIC' }, 'phone', PHONE],
    [
      'a phone too short',
      { phone: '555-01' },
      'phone',
      'Use a phone number of 7 to 32 characters.',
    ],
  ];

  it.each(badContacts)(
    'refuses %s in a sentence, as its document does, and writes nothing',
    async (_name, json, field, message) => {
      const doc = await practitioner();
      await crm(doc, 'PATCH', '/profile', { json: contractBody });
      const before = await snapshot(TABLES);
      const storedBefore = await stored(doc.id);
      const res = await crm(doc, 'PATCH', '/profile', { json: { ...json, city: 'Haifa' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: 'validation_error',
        message: `Please check ${field}: ${message}`,
        details: { fieldErrors: { [field]: [message] } },
      });
      expect(await snapshot(TABLES)).toEqual(before);
      expect(await stored(doc.id)).toEqual(storedBefore);
      expect(await undocumentedRequestParts(app, 'PATCH', '/crm/profile', json)).not.toEqual([]);
    },
  );

  it.each([
    { email: 'dr.levi+crm@clinic-tlv.example.co.il' },
    { email: `${'a'.repeat(239)}@clinic.example` },
    { phone: '+972 (3) 555-0100' },
  ])('saves %j, which its document accepts', async (json) => {
    const doc = await practitioner();
    const res = await crm(doc, 'PATCH', '/profile', { json });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(json);
    expect(await undocumentedRequestParts(app, 'PATCH', '/crm/profile', json)).toEqual([]);
  });

  it('an empty change answers the profile and writes nothing', async () => {
    const doc = await practitioner();
    const before = await snapshot(TABLES);
    const storedBefore = await stored(doc.id);
    const res = await crm(doc, 'PATCH', '/profile', { json: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: doc.id,
      languages: [],
      consultation_duration_minutes: 30,
      profiles: { first_name: 'Dana' },
    });
    expect(await snapshot(TABLES)).toEqual(before);
    expect(await stored(doc.id)).toEqual(storedBefore);
  });

  it('checks a price sent alone against the stored other end', async () => {
    const doc = await practitioner();
    await crm(doc, 'PATCH', '/profile', {
      json: { price_min_agorot: 10000, price_max_agorot: 20000 },
    });
    const before = await snapshot(TABLES);
    const tooHigh = await crm(doc, 'PATCH', '/profile', { json: { price_min_agorot: 25000 } });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.error.code).toBe('validation_error');
    expect(tooHigh.body.error.details.fieldErrors).toEqual({
      price_min_agorot: ['The lowest price cannot be above the highest price.'],
    });
    const tooLow = await crm(doc, 'PATCH', '/profile', { json: { price_max_agorot: 9999 } });
    expect(tooLow.body.error.details.fieldErrors).toHaveProperty('price_max_agorot');
    expect(await snapshot(TABLES)).toEqual(before);
    expect(await stored(doc.id)).toMatchObject({
      price_min_agorot: 10000,
      price_max_agorot: 20000,
    });
    const ok = await crm(doc, 'PATCH', '/profile', { json: { price_max_agorot: 10000 } });
    expect(ok.status).toBe(200);
    const cleared = await crm(doc, 'PATCH', '/profile', { json: { price_max_agorot: null } });
    expect(cleared.body).toMatchObject({ price_min_agorot: 10000, price_max_agorot: null });
  });

  type Args = { json?: unknown; body?: string; headers?: Record<string, string> };
  const bad: Array<[string, Args, number, string, string?]> = [
    ['an invalid email', { json: { email: 'not-an-email' } }, 400, 'validation_error', 'email'],
    ['a phone with letters', { json: { phone: 'call me' } }, 400, 'validation_error', 'phone'],
    [
      'a latitude of 91',
      { json: { latitude: 91, longitude: 0 } },
      400,
      'validation_error',
      'latitude',
    ],
    [
      'a longitude of -181',
      { json: { latitude: 0, longitude: -181 } },
      400,
      'validation_error',
      'longitude',
    ],
    [
      'a latitude without longitude',
      { json: { latitude: 32 } },
      400,
      'validation_error',
      'longitude',
    ],
    [
      'a longitude without latitude',
      { json: { longitude: 34 } },
      400,
      'validation_error',
      'latitude',
    ],
    [
      'one coordinate null, the other set',
      { json: { latitude: null, longitude: 34 } },
      400,
      'validation_error',
      'latitude',
    ],
    [
      'a latitude cleared alone',
      { json: { latitude: null } },
      400,
      'validation_error',
      'longitude',
    ],
    [
      'a latitude as text',
      { json: { latitude: '32.1', longitude: 34 } },
      400,
      'validation_error',
      'latitude',
    ],
    [
      'a negative price',
      { json: { price_min_agorot: -1 } },
      400,
      'validation_error',
      'price_min_agorot',
    ],
    [
      'a fractional price',
      { json: { price_max_agorot: 100.5 } },
      400,
      'validation_error',
      'price_max_agorot',
    ],
    [
      'a min price above the max',
      { json: { price_min_agorot: 500, price_max_agorot: 400 } },
      400,
      'validation_error',
      'price_max_agorot',
    ],
    [
      'a consultation of 4 minutes',
      { json: { consultation_duration_minutes: 4 } },
      400,
      'validation_error',
      'consultation_duration_minutes',
    ],
    [
      'a consultation of 241 minutes',
      { json: { consultation_duration_minutes: 241 } },
      400,
      'validation_error',
      'consultation_duration_minutes',
    ],
    [
      'a null consultation length',
      { json: { consultation_duration_minutes: null } },
      400,
      'validation_error',
      'consultation_duration_minutes',
    ],
    [
      'an unknown specialty',
      { json: { specialty_id: crypto.randomUUID() } },
      400,
      'validation_error',
      'specialty_id',
    ],
    [
      'a malformed specialty id',
      { json: { specialty_id: 'cardio' } },
      400,
      'validation_error',
      'specialty_id',
    ],
    ['a lowercase sector', { json: { sector: 'clalit' } }, 400, 'validation_error', 'sector'],
    ['an unknown sector', { json: { sector: 'Harel' } }, 400, 'validation_error', 'sector'],
    [
      '81 years of experience',
      { json: { years_of_experience: 81 } },
      400,
      'validation_error',
      'years_of_experience',
    ],
    [
      'languages as a string',
      { json: { languages: 'Hebrew' } },
      400,
      'validation_error',
      'languages',
    ],
    [
      'an empty language',
      { json: { languages: ['Hebrew', ' '] } },
      400,
      'validation_error',
      'languages',
    ],
    [
      'a language name too long',
      { json: { languages: ['x'.repeat(51)] } },
      400,
      'validation_error',
      'languages',
    ],
    [
      'a null accepting flag',
      { json: { is_accepting_new_patients: null } },
      400,
      'validation_error',
      'is_accepting_new_patients',
    ],
    ['an about too long', { json: { about: 'x'.repeat(5001) } }, 400, 'validation_error', 'about'],
    [
      'a first name too long',
      { json: { first_name: 'x'.repeat(101) } },
      400,
      'validation_error',
      'first_name',
    ],
    [
      'a good field next to a bad one',
      { json: { city: 'Haifa', email: 'nope' } },
      400,
      'validation_error',
      'email',
    ],
    [
      'malformed JSON',
      { body: '{"city":', headers: { 'content-type': 'application/json' } },
      400,
      'bad_request',
    ],
  ];

  it.each(bad)('refuses %s without changing anything', async (_name, args, status, code, field) => {
    const doc = await practitioner();
    await crm(doc, 'PATCH', '/profile', {
      json: { ...contractBody, price_min_agorot: 100, price_max_agorot: 200 },
    });
    const before = await snapshot(TABLES);
    const storedBefore = await stored(doc.id);
    const res = await crm(doc, 'PATCH', '/profile', args);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toEqual(expect.any(String));
    if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
    expect(await snapshot(TABLES)).toEqual(before);
    expect(await stored(doc.id)).toEqual(storedBefore);
  });
});
