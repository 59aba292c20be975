import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../functions/practitioners/app.ts';
import { db } from './helpers/db.ts';
import { call } from './helpers/http.ts';
import { undocumentedRequestParts } from './helpers/openapi-conformance.ts';
import { createUser } from './helpers/users.ts';

/** A word no other test (or file) uses, so searches only see this test's practitioners. */
const token = () =>
  `zq${
    crypto.randomUUID().replaceAll('-', '').slice(0, 10).replace(/\d/g, (d) => 'abcdefghij'[+d])
  }`;

interface PractitionerSpec {
  firstName?: string;
  lastName?: string;
  city?: string;
  about?: string;
  specialty?: string;
  latitude?: number;
  longitude?: number;
  active?: boolean;
}

async function specialtyId(name: string): Promise<string> {
  const [row] = await db`select id from public.specialties where name = ${name}`;
  return row.id;
}

async function practitioner(spec: PractitionerSpec = {}): Promise<string> {
  const { id } = await createUser({
    role: 'practitioner',
    firstName: spec.firstName ?? 'Yossi',
    lastName: spec.lastName ?? 'Levi',
  });
  await db`update public.practitioners set
    city = ${spec.city ?? null}, about = ${spec.about ?? null},
    specialty_id = ${spec.specialty ? await specialtyId(spec.specialty) : null},
    latitude = ${spec.latitude ?? null}, longitude = ${spec.longitude ?? null},
    is_active = ${spec.active ?? true}
    where id = ${id}`;
  return id;
}

/** Weekly hours every day, 09:00-12:00 in 30-minute slots. */
async function openEveryDay(id: string) {
  for (let day = 0; day < 7; day++) {
    await db`insert into public.practitioner_weekly_schedule (practitioner_id, day_of_week, start_time, end_time, slot_duration_minutes)
      values (${id}, ${day}, '09:00', '12:00', 30)`;
  }
}

async function localToday(offsetDays = 0): Promise<string> {
  const [{ d }] =
    await db`select ((now() at time zone 'Asia/Jerusalem')::date + ${offsetDays}::int)::text as d`;
  return d;
}

const search = (query: string) => call(app, 'GET', `/practitioners/search?${query}`);
const ids = (body: { id: string }[]) => body.map((r) => r.id);

function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number) {
  const rad = (d: number) => (d * Math.PI) / 180;
  const a = Math.sin(rad(lat2 - lat1) / 2) ** 2 +
    Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lng2 - lng1) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(a));
}

let patientId: string;
beforeAll(async () => {
  patientId = (await createUser({ firstName: 'David', lastName: 'Cohen' })).id;
});

describe('GET /practitioners/search', () => {
  it('matches names, city, about and specialty in any case and without accents', async () => {
    const t = token();
    const cardio = await practitioner({
      lastName: `Mizrahi${t}`,
      city: 'Tel-Aviv',
      specialty: 'Cardiology',
    });
    const pedia = await practitioner({
      firstName: 'Noa',
      city: 'Jérusalem',
      specialty: 'Pediatrics',
      about: `Cabinet ${t}`,
    });
    const queries: Array<[string, string[]]> = [
      [`${t} Tel-Aviv`, [cardio]],
      [`${t} tel aviv`, [cardio]],
      [`${t.toUpperCase()} TEL   AVIV`, [cardio]],
      [`mizrahi${t}`, [cardio]],
      [`${t} Pédiatrie`, [pedia]],
      [`${t} pediatrie`, [pedia]],
      [`${t} PEDIATRIA`, [pedia]],
      [`${t} jerusalem`, [pedia]],
      [`${t} Jérusalem noa`, [pedia]],
      [`${t} קרדיולוגיה`, [cardio]],
      [`${t} קַרְדִּיוֹלוֹגְיָה`, [cardio]],
      [`${t} רפואת ילדים`, [pedia]],
      [`${t} Кардиология`, [cardio]],
      [`${t} Cardiologie`, [cardio]],
      [`${t} cardio`, [cardio]],
      [`${t} dermatologie`, []],
    ];
    const hebrew = await practitioner({ firstName: 'יוֹסִי', lastName: 'לוי', about: t });
    queries.push([`${t} לוי`, [hebrew]], [`${t} לֵוִי יוסי`, [hebrew]], [`${t} יוסי`, [hebrew]]);
    for (const [q, expected] of queries) {
      const res = await search(`q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(ids(res.body).sort(), q).toEqual([...expected].sort());
    }
  });

  it('finds a practitioner again after a name or specialty change', async () => {
    const t = token();
    const id = await practitioner({ lastName: 'Biton', about: t, specialty: 'Dermatology' });
    await db`update public.profiles set last_name = 'Peretz' where id = ${id}`;
    expect(ids((await search(`q=${t}+peretz`)).body)).toEqual([id]);
    expect(ids((await search(`q=${t}+biton`)).body)).toEqual([]);
    await db`update public.practitioners set specialty_id = ${await specialtyId(
      'Neurology',
    )} where id = ${id}`;
    expect(ids((await search(`q=${t}+נוירולוגיה`)).body)).toEqual([id]);
  });

  it('finds a practitioner by the new name of a renamed specialty', async () => {
    const t = token();
    const [{ id: specialty }] = await db`
      insert into public.specialties (name, name_fr, name_he, name_en, name_ru, name_am, name_es)
      values (${`Spec ${t}`}, 'Ancien', 'ישן', 'Old', 'Старый', 'አሮጌ', 'Viejo') returning id`;
    const id = await practitioner({ about: t });
    await db`update public.practitioners set specialty_id = ${specialty} where id = ${id}`;
    await db`update public.specialties set name_fr = 'Posturologie' where id = ${specialty}`;
    expect(ids((await search(`q=${t}+posturologie`)).body)).toEqual([id]);
    expect(ids((await search(`q=${t}+ancien`)).body)).toEqual([]);
  });

  it('finds a practitioner by what they wrote in their own row under row-level security', async () => {
    const t = token();
    const id = await practitioner();
    await db.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${
        JSON.stringify({ sub: id, role: 'authenticated' })
      }, true)`;
      await tx`update public.practitioners set city = 'Rishon LeZion', about = ${`Clinique ${t}`} where id = ${id}`;
    });
    expect(ids((await search(`q=${t}&city=rishon+lezion`)).body)).toEqual([id]);
  });

  it('ranks matches in names before matches in the about text', async () => {
    const t = token();
    const inAbout = await practitioner({ about: `Works with Dr ${t}` });
    const inName = await practitioner({ lastName: t });
    expect(ids((await search(`q=${t}`)).body)).toEqual([inName, inAbout]);
  });

  it('filters by specialty and by city, ignoring case and accents in the city', async () => {
    const t = token();
    const a = await practitioner({ about: t, city: 'Tel Aviv', specialty: 'Cardiology' });
    const b = await practitioner({ about: t, city: 'Haïfa', specialty: 'Cardiology' });
    await practitioner({ about: t, city: 'Haifa', specialty: 'Urology' });
    const cardiology = await specialtyId('Cardiology');
    expect(ids((await search(`q=${t}&specialty=${cardiology}`)).body).sort()).toEqual(
      [a, b].sort(),
    );
    expect(ids((await search(`q=${t}&specialty=${cardiology}&city=HAIFA`)).body)).toEqual([b]);
    expect(ids((await search(`q=${t}&city=tel-aviv`)).body)).toEqual([a]);
  });

  it('orders by distance when lat and lng are given, with distance_km', async () => {
    const t = token();
    // Near a point in the South Pacific where no other test puts anyone.
    const origin = { lat: -41.2, lng: -128.4 };
    const far = await practitioner({ about: t, latitude: -41.9, longitude: -128.4 });
    const near = await practitioner({ about: t, latitude: -41.21, longitude: -128.41 });
    const middle = await practitioner({ about: t, latitude: -41.2, longitude: -128.9 });
    await practitioner({ about: t });
    const res = await search(`q=${t}&lat=${origin.lat}&lng=${origin.lng}`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([near, middle, far]);
    for (const r of res.body) {
      expect(r.distance_km).toBeCloseTo(
        haversineKm(origin.lat, origin.lng, r.latitude, r.longitude),
        1,
      );
    }
    expect(res.body[2].distance_km).toBeGreaterThan(77);
    expect(res.body[2].distance_km).toBeLessThan(79);

    const withoutQuery = await search(`lat=${origin.lat}&lng=${origin.lng}&limit=3`);
    expect(ids(withoutQuery.body)).toEqual([near, middle, far]);
    const plain = await search(`q=${t}`);
    expect(plain.body.every((r: object) => !('distance_km' in r))).toBe(true);
  });

  it('returns at most limit results, 50 by default', async () => {
    const t = token();
    await Promise.all(Array.from({ length: 52 }, () => practitioner({ about: t })));
    expect((await search(`q=${t}`)).body).toHaveLength(50);
    expect((await search(`q=${t}&limit=3`)).body).toHaveLength(3);
    expect((await search(`q=${t}&limit=100`)).body).toHaveLength(52);
  });

  it('never lists an inactive practitioner', async () => {
    const t = token();
    const active = await practitioner({ about: t, latitude: 60.1, longitude: -150.2 });
    await practitioner({ about: t, active: false, latitude: 60.1, longitude: -150.2 });
    expect(ids((await search(`q=${t}`)).body)).toEqual([active]);
    expect(ids((await search(`q=${t}&lat=60.1&lng=-150.2`)).body)).toEqual([active]);
  });

  it('gives each result its fields, rating and first free slot, equal to the slots endpoint', async () => {
    const t = token();
    const id = await practitioner({
      lastName: 'Katz',
      about: t,
      city: 'Netanya',
      specialty: 'Cardiology',
      latitude: 32.33,
      longitude: 34.86,
    });
    await db`update public.practitioners set address_line = '12 Herzl', zip_code = '4200000', sector = 'Maccabi',
      languages = '{Hebrew,French}', education = 'Hadassah', years_of_experience = 12 where id = ${id}`;
    await openEveryDay(id);
    // Today and tomorrow closed, so the first slot cannot move while the test runs.
    for (const d of [await localToday(0), await localToday(1)]) {
      await db`insert into public.practitioner_schedule_overrides (practitioner_id, date, is_available) values (${id}, ${d}, false)`;
    }
    const empty = await practitioner({ about: t });

    const res = await search(`q=${t}`);
    expect(res.status).toBe(200);
    expect(ids(res.body).sort()).toEqual([id, empty].sort());
    const result = res.body.find((r: { id: string }) => r.id === id);
    const other = res.body.find((r: { id: string }) => r.id === empty);
    expect(result).toEqual({
      id,
      address_line: '12 Herzl',
      zip_code: '4200000',
      city: 'Netanya',
      sector: 'Maccabi',
      latitude: 32.33,
      longitude: 34.86,
      about: t,
      languages: ['Hebrew', 'French'],
      education: 'Hadassah',
      years_of_experience: 12,
      is_accepting_new_patients: true,
      profiles: { first_name: 'Yossi', last_name: 'Katz', avatar_url: null },
      specialties: { name: 'Cardiology', name_fr: 'Cardiologie', name_he: 'קרדיולוגיה' },
      average_rating: null,
      review_count: 0,
      first_slot: { slot_date: await localToday(2), slot_start: '09:00:00', slot_end: '09:30:00' },
    });
    const slots = await call(app, 'GET', `/practitioners/${id}/slots`);
    expect(result.first_slot).toEqual(slots.body[0]);
    expect(other).toMatchObject({ id: empty, first_slot: null, specialties: null });
  });

  it('averages the ratings', async () => {
    const t = token();
    const id = await practitioner({ about: t });
    await addReviews(id, [5, 4, 4]);
    const [result] = (await search(`q=${t}`)).body;
    expect(result.average_rating).toBe(4.33);
    expect(result.review_count).toBe(3);
  });

  it('keeps the rating figures right as reviews change, move and go', async () => {
    const t = token();
    const first = await practitioner({ about: t });
    const second = await practitioner({ about: t });
    const [a, b, c] = await addReviews(first, [5, 4, 1]);
    type Figures = { id: string; average_rating: number | null; review_count: number };
    const figures = async () => {
      const byId = new Map(((await search(`q=${t}`)).body as Figures[]).map((r) => [r.id, r]));
      return [first, second].map((
        id,
      ) => [byId.get(id)?.average_rating, byId.get(id)?.review_count]);
    };
    expect(await figures()).toEqual([[3.33, 3], [null, 0]]);

    await db`update public.reviews set rating = 2 where id = ${a}`;
    expect(await figures()).toEqual([[2.33, 3], [null, 0]]);

    await db`update public.reviews set practitioner_id = ${second} where id = ${b}`;
    expect(await figures()).toEqual([[1.5, 2], [4, 1]]);

    await db`delete from public.reviews where id in (${a}, ${c})`;
    expect(await figures()).toEqual([[null, 0], [4, 1]]);

    // Two reviews written at once, each in a transaction that is still open when the other writes.
    const [x, y] = await Promise.all([2, 3].map(async (i) => {
      const [{ id }] = await db`
        insert into public.appointments (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
        values (${patientId}, ${first}, '2025-07-01'::date + ${i}::int, '10:00', '10:30', 'completed') returning id`;
      return id as string;
    }));
    await Promise.all([[x, 5], [y, 2]].map(([appointmentId, rating]) =>
      db.begin(async (tx) => {
        await tx`insert into public.reviews (appointment_id, practitioner_id, patient_id, rating)
                 values (${appointmentId}, ${first}, ${patientId}, ${rating})`;
        await tx`select pg_sleep(0.05)`;
      })
    ));
    expect(await figures()).toEqual([[3.5, 2], [4, 1]]);

    // Whatever happened, the kept figures equal a count over the reviews themselves.
    const drift = await db`
      select st.practitioner_id
      from public.practitioner_review_stats st
      full join (
        select practitioner_id, count(*)::int as n, sum(rating)::int as total
        from public.reviews group by practitioner_id
      ) r using (practitioner_id)
      where coalesce(st.review_count, 0) <> coalesce(r.n, 0)
         or coalesce(st.rating_total, 0) <> coalesce(r.total, 0)`;
    expect(drift).toEqual([]);
  });

  it('ignores unknown query parameters and empty ones', async () => {
    const t = token();
    const id = await practitioner({ about: t });
    const res = await search(`q=${t}&_t=123&specialty=&city=&lat=&lng=`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([id]);
  });

  it('is documented as taking every parameter empty, which it reads as not given', async () => {
    const t = token();
    const id = await practitioner({ about: t });
    const empty = 'specialty=&city=&lat=&lng=&limit=';
    const res = await search(`q=${t}&${empty}`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([id]);
    const path = `/practitioners/search?q=&${empty}`;
    expect(await undocumentedRequestParts(app, 'GET', path)).toEqual([]);
  });

  const badSearches: Array<[string, string]> = [
    ['lat without lng', 'lat=32.1'],
    ['lng without lat', 'lng=34.8'],
    ['latitude above 90', 'lat=90.5&lng=34.8'],
    ['longitude below -180', 'lat=32&lng=-180.01'],
    ['latitude that is not a number', 'lat=north&lng=34.8'],
    ['latitude in exponent form', 'lat=3e1&lng=34.8'],
    ['longitude NaN', 'lat=32&lng=NaN'],
    ['limit over 100', 'limit=101'],
    ['limit zero', 'limit=0'],
    ['negative limit', 'limit=-5'],
    ['fractional limit', 'limit=2.5'],
    ['limit that is not a number', 'limit=all'],
    ['malformed specialty', 'specialty=cardiology'],
    ['query too long', `q=${'a'.repeat(201)}`],
    ['city too long', `city=${'b'.repeat(101)}`],
  ];

  it.each(badSearches)('refuses %s with a validation error', async (_name, query) => {
    const res = await search(query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.message).toMatch(/\w+/);
    expect(Object.keys(res.body.error.details.fieldErrors)).toHaveLength(1);
  });
});

async function addReviews(
  practitionerId: string,
  ratings: number[],
  options: { start?: Date } = {},
) {
  const start = options.start ?? new Date('2026-01-01T10:00:00Z');
  const out: string[] = [];
  for (const [i, rating] of ratings.entries()) {
    const [{ id: appointmentId }] = await db`
      insert into public.appointments (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
      values (${patientId}, ${practitionerId}, '2025-06-01'::date + ${i}::int, '10:00', '10:30', 'completed') returning id`;
    const [{ id }] = await db`
      insert into public.reviews (appointment_id, practitioner_id, patient_id, rating, comment, created_at)
      values (${appointmentId}, ${practitionerId}, ${patientId}, ${rating}, ${`Review ${i}`},
              ${new Date(start.getTime() + i * 86_400_000)}) returning id`;
    out.push(id);
  }
  return out;
}

const PROFILE_KEYS = [
  'about',
  'address_line',
  'average_rating',
  'city',
  'consultation_duration_minutes',
  'education',
  'email',
  'id',
  'instructions',
  'is_accepting_new_patients',
  'languages',
  'latitude',
  'longitude',
  'phone',
  'profiles',
  'reasons',
  'review_count',
  'reviews',
  'sector',
  'slots',
  'specialties',
  'years_of_experience',
  'zip_code',
];

describe('GET /practitioners/:id', () => {
  it('returns the profile with instructions, reasons, 14 days of slots and the latest reviews', async () => {
    const id = await practitioner({ lastName: 'Friedman', city: 'Haifa', specialty: 'Neurology' });
    await db`update public.practitioners set phone = '+972-4-0000000', email = 'dr@clinic.test',
      consultation_duration_minutes = 20 where id = ${id}`;
    await db`insert into public.appointment_instructions (practitioner_id, title, content, sort_order, is_active) values
      (${id}, 'Second', 'B', 2, true), (${id}, 'First', 'A', 1, true), (${id}, 'Hidden', 'C', 0, false)`;
    const [{ id: own }] =
      await db`insert into public.appointment_reasons (practitioner_id, label, label_fr, label_he, sort_order)
      values (${id}, 'Botox', 'Botox', 'בוטוקס', 1) returning id`;
    await db`insert into public.appointment_reasons (practitioner_id, label, is_active) values (${id}, 'Retired', false)`;
    const otherId = await practitioner();
    await db`insert into public.appointment_reasons (practitioner_id, label) values (${otherId}, 'Not mine')`;
    await openEveryDay(id);
    const reviewIds = await addReviews(id, [5, 3, 4, 5, 5, 4, 2, 5, 5, 4, 3, 5]);

    const res = await call(app, 'GET', `/practitioners/${id}`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(Object.keys(body).sort()).toEqual(PROFILE_KEYS);
    expect(body).toMatchObject({
      id,
      city: 'Haifa',
      phone: '+972-4-0000000',
      email: 'dr@clinic.test',
      consultation_duration_minutes: 20,
      profiles: { first_name: 'Yossi', last_name: 'Friedman', avatar_url: null },
      specialties: { name: 'Neurology', name_fr: 'Neurologie', name_he: 'נוירולוגיה' },
      review_count: 12,
      average_rating: 4.17,
    });
    expect(body.instructions.map((i: { title: string }) => i.title)).toEqual(['First', 'Second']);
    expect(Object.keys(body.instructions[0]).sort()).toEqual([
      'content',
      'id',
      'sort_order',
      'title',
    ]);

    // Other test files add global reasons concurrently, so check membership rather than a count.
    const reasonIds = body.reasons.map((r: { id: string }) => r.id);
    const owners =
      await db`select practitioner_id, is_active from public.appointment_reasons where id = any(${reasonIds})`;
    expect(owners).toHaveLength(reasonIds.length);
    expect(
      owners.every((o) => o.is_active && (o.practitioner_id === null || o.practitioner_id === id)),
    ).toBe(true);
    const seeded =
      await db`select id from public.appointment_reasons where id::text like '5eed0000-%' and is_active`;
    expect(reasonIds).toEqual(expect.arrayContaining(seeded.map((r) => r.id)));
    expect(body.reasons.at(-1)).toEqual({
      id: own,
      label: 'Botox',
      label_fr: 'Botox',
      label_he: 'בוטוקס',
    });
    expect(body.reasons.map((r: { label: string }) => r.label)).not.toContain('Not mine');
    expect(body.reasons.map((r: { label: string }) => r.label)).toContain('Follow-up');

    const today = await localToday(0);
    const last = await localToday(13);
    expect(body.slots.length).toBeGreaterThanOrEqual(13 * 6);
    expect(
      body.slots.every((s: { slot_date: string }) => s.slot_date >= today && s.slot_date <= last),
    ).toBe(true);
    expect(body.slots.filter((s: { slot_date: string }) => s.slot_date === last)).toHaveLength(6);
    expect(body.slots[0]).toEqual((await call(app, 'GET', `/practitioners/${id}/slots`)).body[0]);

    expect(body.reviews).toHaveLength(10);
    expect(body.reviews.map((r: { id: string }) => r.id)).toEqual(reviewIds.slice(2).reverse());
    expect(body.reviews[0]).toEqual({
      id: reviewIds[11],
      rating: 5,
      comment: 'Review 11',
      practitioner_reply: null,
      created_at: '2026-01-12T10:00:00.000000Z',
      profiles: { first_name: 'David', last_name: 'C.' },
    });
  });

  it('shows an empty profile with empty lists and no rating', async () => {
    const id = await practitioner();
    const res = await call(app, 'GET', `/practitioners/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      instructions: [],
      slots: [],
      reviews: [],
      average_rating: null,
      review_count: 0,
      specialties: null,
    });
  });

  it('answers 404 for an unknown or inactive practitioner and for a non-practitioner', async () => {
    const inactive = await practitioner({ active: false });
    const patient = await createUser();
    for (const id of [crypto.randomUUID(), inactive, patient.id]) {
      const res = await call(app, 'GET', `/practitioners/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it.each([
    'abc',
    '123',
    'not-a-uuid-at-all',
    '7c9e6679-7425-40de-944b-e07fc1f90ae',
    '7c9e6679742540de944be07fc1f90ae7z',
    "'%20or%201=1",
    '%7B7c9e6679-7425-40de-944b-e07fc1f90ae7%7D',
    '7c9e6679-7425-40de-944b-e07fc1f90ae7-0',
    'null',
    '7c9e6679-7425-40de-944b-g07fc1f90ae7',
  ])(
    'refuses the malformed id %s',
    async (id) => {
      const res = await call(app, 'GET', `/practitioners/${id}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    },
  );
});

describe('GET /practitioners/:id/slots', () => {
  it('defaults to the next 14 days from today in Israel', async () => {
    const id = await practitioner();
    await openEveryDay(id);
    const res = await call(app, 'GET', `/practitioners/${id}/slots?_t=1`);
    expect(res.status).toBe(200);
    const explicit = await call(
      app,
      'GET',
      `/practitioners/${id}/slots?from=${await localToday(0)}&to=${await localToday(13)}`,
    );
    expect(res.body).toEqual(explicit.body);
    expect(res.body.at(-1)).toEqual({
      slot_date: await localToday(13),
      slot_start: '11:30:00',
      slot_end: '12:00:00',
    });
  });

  it('lists the free slots of a range, booked ones left out', async () => {
    const id = await practitioner();
    await openEveryDay(id);
    const day = await localToday(3);
    await db`insert into public.appointments (patient_id, practitioner_id, appointment_date, start_time, end_time, status)
      values (${patientId}, ${id}, ${day}, '10:00', '10:30', 'pending')`;
    const res = await call(app, 'GET', `/practitioners/${id}/slots?from=${day}&to=${day}`);
    expect(res.status).toBe(200);
    expect(res.body.map((s: { slot_start: string }) => s.slot_start)).toEqual([
      '09:00:00',
      '09:30:00',
      '10:30:00',
      '11:00:00',
      '11:30:00',
    ]);
    expect(res.body[0]).toEqual({ slot_date: day, slot_start: '09:00:00', slot_end: '09:30:00' });
  });

  it('accepts a range of exactly 62 days', async () => {
    const id = await practitioner();
    await openEveryDay(id);
    const from = await localToday(1);
    const to = await localToday(62);
    const res = await call(app, 'GET', `/practitioners/${id}/slots?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(62 * 6);
  });

  it('answers 404 for an unknown or inactive practitioner', async () => {
    const inactive = await practitioner({ active: false });
    for (const id of [crypto.randomUUID(), inactive]) {
      const res = await call(app, 'GET', `/practitioners/${id}/slots`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  let slotsOf: string;
  beforeAll(async () => {
    slotsOf = await practitioner();
  });

  const badRanges: Array<[string, () => string | Promise<string>]> = [
    ['an impossible date', () => 'from=2026-02-30'],
    ['a month 13', () => 'to=2026-13-01'],
    ['a date that is not a date', () => 'from=tomorrow'],
    ['a date without padding', () => 'from=2026-1-5'],
    ['a date without dashes', () => 'to=20261201'],
    ['a timestamp instead of a date', () => 'from=2026-12-01T00:00:00Z'],
    ['an end before the start', () => 'from=2026-12-10&to=2026-12-09'],
    ['an end before today with the default start', async () => `to=${await localToday(-1)}`],
    ['63 days', async () => `from=${await localToday(1)}&to=${await localToday(63)}`],
    ['a year', () => 'from=2027-01-01&to=2027-12-31'],
  ];

  it.each(badRanges)('refuses %s', async (_name, query) => {
    const res = await call(app, 'GET', `/practitioners/${slotsOf}/slots?${await query()}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.message).toMatch(/\w+/);
  });

  it('is documented as taking from and to empty, which it reads as not given', async () => {
    const id = await practitioner();
    await openEveryDay(id);
    const path = `/practitioners/${id}/slots?from=&to=`;
    const res = await call(app, 'GET', path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual((await call(app, 'GET', `/practitioners/${id}/slots`)).body);
    expect(await undocumentedRequestParts(app, 'GET', path)).toEqual([]);
  });

  it('refuses a malformed id', async () => {
    const res = await call(app, 'GET', '/practitioners/nope/slots');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
  });
});

describe('GET /practitioners/:id/reviews', () => {
  let id: string;
  let reviewIds: string[];
  beforeAll(async () => {
    id = await practitioner();
    reviewIds = await addReviews(id, [5, 4, 3, 5, 5, 1, 2, 4, 5, 5, 4, 3]);
  });

  it('pages through the reviews newest first, with the total', async () => {
    const newestFirst = [...reviewIds].reverse();
    const first = await call(app, 'GET', `/practitioners/${id}/reviews`);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(12);
    expect(first.body.reviews.map((r: { id: string }) => r.id)).toEqual(newestFirst);

    const page = await call(app, 'GET', `/practitioners/${id}/reviews?limit=5&offset=10`);
    expect(page.body).toEqual({ total: 12, reviews: expect.any(Array) });
    expect(page.body.reviews.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(10));
    expect(page.body.reviews[0].profiles).toEqual({ first_name: 'David', last_name: 'C.' });

    const middle = await call(app, 'GET', `/practitioners/${id}/reviews?limit=3&offset=3`);
    expect(middle.body.reviews.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(3, 6));

    const beyond = await call(app, 'GET', `/practitioners/${id}/reviews?offset=50`);
    expect(beyond.body).toEqual({ reviews: [], total: 12 });
  });

  it('is documented as taking limit and offset empty, which it reads as the defaults', async () => {
    const path = `/practitioners/${id}/reviews?limit=&offset=`;
    const res = await call(app, 'GET', path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual((await call(app, 'GET', `/practitioners/${id}/reviews`)).body);
    expect(await undocumentedRequestParts(app, 'GET', path)).toEqual([]);
  });

  it('returns 20 at most by default', async () => {
    const many = await practitioner();
    await addReviews(many, Array.from({ length: 23 }, () => 5));
    const res = await call(app, 'GET', `/practitioners/${many}/reviews`);
    expect(res.body.reviews).toHaveLength(20);
    expect(res.body.total).toBe(23);
    expect((await call(app, 'GET', `/practitioners/${many}/reviews?limit=50`)).body.reviews)
      .toHaveLength(23);
  });

  it('answers 404 for an unknown or inactive practitioner', async () => {
    const inactive = await practitioner({ active: false });
    for (const unknown of [crypto.randomUUID(), inactive]) {
      const res = await call(app, 'GET', `/practitioners/${unknown}/reviews`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  const badPages: Array<[string, string]> = [
    ['limit zero', 'limit=0'],
    ['limit over 50', 'limit=51'],
    ['negative limit', 'limit=-1'],
    ['fractional limit', 'limit=2.5'],
    ['limit that is not a number', 'limit=ten'],
    ['negative offset', 'offset=-1'],
    ['fractional offset', 'offset=1.5'],
    ['offset that is not a number', 'offset=first'],
    ['offset far too large', 'offset=100001'],
    ['limit in exponent form', 'limit=1e1'],
  ];

  it.each(badPages)('refuses %s', async (_name, query) => {
    const res = await call(app, 'GET', `/practitioners/${id}/reviews?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.message).toMatch(/\w+/);
  });

  it('refuses a malformed id', async () => {
    const res = await call(app, 'GET', '/practitioners/12345/reviews');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
  });
});

describe('practitioners group', () => {
  it('needs no sign-in and serves its OpenAPI document', async () => {
    const res = await call(app, 'GET', '/practitioners/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths).sort()).toEqual([
      '/practitioners/me',
      '/practitioners/register',
      '/practitioners/search',
      '/practitioners/{id}',
      '/practitioners/{id}/reviews',
      '/practitioners/{id}/slots',
    ]);
  });
});
