import { beforeAll, describe, expect, it } from 'vitest';
import { wireCounter } from '../../dev/lib/round-trips.ts';
import { addDriverOptions } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import type { TestUser } from '../helpers/users.ts';
import {
  admin,
  crmApp,
  crmPatient,
  health,
  healthState,
  patient,
  practitioner,
  recordOf,
  refusedTokens,
  shareAppointment,
} from './helpers.ts';

// This file's pool counts what it sends (each test file has its own pool).
const wire = wireCounter();
addDriverOptions(wire.options);

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const OPENED = [
  'profile',
  'health_profile',
  'conditions',
  'medications',
  'allergies',
  'vaccinations',
  'appointment_history',
];

/** A patient with a full health record. */
async function recordedPatient(): Promise<TestUser> {
  const user = await patient();
  await db`update public.profiles set phone = '+972-50-1234567', city = 'Haifa',
    date_of_birth = '1990-05-15', sex = 'female' where id = ${user.id}`;
  const put = await health(user, 'PUT', '/profile', {
    json: {
      teudat_zehut: '332796184',
      blood_type: 'A+',
      kupat_holim: 'Maccabi',
      insurance_provider: 'Harel',
      family_doctor_name: 'Dr. Katz',
    },
  });
  expect(put.status).toBe(200);
  for (
    const [list, json] of [
      ['conditions', { name: 'Asthma', severity: 'mild' }],
      ['conditions', { name: 'Diabetes', severity: 'moderate', diagnosed_on: '2020-01-15' }],
      ['medications', { name: 'Metformin', dosage: '500mg', frequency: 'twice a day' }],
      ['allergies', { name: 'Penicillin', reaction: 'Hives', severity: 'severe' }],
      ['vaccinations', { name: 'Tetanus', vaccinated_on: '2019-06-01', dose: 'booster' }],
    ] as const
  ) {
    expect((await health(user, 'POST', `/${list}`, { json })).status).toBe(201);
  }
  return user;
}

async function accessLogOf(patientId: string) {
  return await db`
    select actor_id, actor_role::text, practitioner_id, opened from public.health_access_log
    where patient_id = ${patientId} order by created_at, id`;
}

let noa: TestUser;
let doctor: TestUser;
beforeAll(async () => {
  noa = await recordedPatient();
  doctor = await practitioner();
});

describe('GET /crm/patients/:id', () => {
  it("shows the patient's profile, health records and history with this practitioner", async () => {
    const other = await practitioner('Other');
    const older = await shareAppointment(doctor, noa, { daysAgo: 30, notes: 'RAS' });
    const newer = await shareAppointment(doctor, noa, { daysAgo: 3, status: 'no_show' });
    await shareAppointment(other, noa, { daysAgo: 10 });
    const [relative] =
      await db`insert into public.relatives (user_id, first_name, last_name, relation)
      values (${noa.id}, 'Tom', 'Cohen', 'child') returning id`;
    await shareAppointment(doctor, noa, { daysAgo: 5, relativeId: relative.id });

    const res = await crmPatient(doctor, noa.id);
    expect(res.status).toBe(200);
    const own = (list: string) => health(noa, 'GET', `/${list}`).then((r) => r.body);
    expect(res.body).toEqual({
      profile: {
        first_name: 'Noa',
        last_name: 'Cohen',
        phone: '+972-50-1234567',
        email: noa.email,
        date_of_birth: '1990-05-15',
        sex: 'female',
        city: 'Haifa',
        avatar_url: null,
      },
      patient: {
        // The practice's record of the patient (migration 20261202009100), linked to the account.
        id: await recordOf(doctor.id, noa.id),
        auth_user_id: noa.id,
        status: 'linked',
        first_name: 'Noa',
        last_name: 'Cohen',
        phone: '+972-50-1234567',
        email: noa.email,
        city: 'Haifa',
        date_of_birth: '1990-05-15',
        sex: 'female',
        avatar_url: null,
        insurance_provider: 'Harel',
        is_incomplete: false,
        missing_fields: [],
        has_teudat_zehut: true,
        teudat_zehut_masked: '*****6184',
      },
      health_profile: {
        user_id: noa.id,
        date_of_birth: null,
        sex: null,
        blood_type: 'A+',
        kupat_holim: 'maccabi',
        kupat_member_id: null,
        family_doctor_name: 'Dr. Katz',
        emergency_contact_name: null,
        emergency_contact_phone: null,
        insurance_provider: 'Harel',
        updated_at: expect.stringMatching(ISO_TIMESTAMP),
      },
      // Exactly what the patient reads of their own lists.
      conditions: await own('conditions'),
      medications: await own('medications'),
      allergies: await own('allergies'),
      vaccinations: await own('vaccinations'),
      // This practitioner's appointments with the patient in person, newest first.
      appointment_history: [
        {
          id: newer,
          appointment_date: expect.any(String),
          start_time: '09:00:00',
          end_time: '09:30:00',
          status: 'no_show',
          practitioner_notes: null,
        },
        {
          id: older,
          appointment_date: expect.any(String),
          start_time: '09:00:00',
          end_time: '09:30:00',
          status: 'completed',
          practitioner_notes: 'RAS',
        },
      ],
    });
    expect(res.body.conditions.map((c: { name: string }) => c.name)).toEqual([
      'Diabetes',
      'Asthma',
    ]);
    expect(JSON.stringify(res.body)).not.toContain('332796184');
  });

  it('writes one access-log row per reading, in the transaction of the read', async () => {
    const person = await recordedPatient();
    const doc = await practitioner();
    await shareAppointment(doc, person);
    expect((await crmPatient(doc, person.id)).status).toBe(200);
    expect((await crmPatient(doc, person.id)).status).toBe(200);
    expect(await accessLogOf(person.id)).toEqual([
      { actor_id: doc.id, actor_role: 'practitioner', practitioner_id: doc.id, opened: OPENED },
      { actor_id: doc.id, actor_role: 'practitioner', practitioner_id: doc.id, opened: OPENED },
    ]);
  });

  it('reads with one statement: the record and its access-log row together', async () => {
    const person = await recordedPatient();
    const doc = await practitioner();
    await shareAppointment(doc, person);
    await crmPatient(doc, person.id);
    const before = { ...wire.counts };
    expect((await crmPatient(doc, person.id)).status).toBe(200);
    // The gate; begin and the claims; the record; the commit.
    expect(wire.counts.statements - before.statements).toBe(5);
  });

  it('logs an admin acting for a practitioner as the admin', async () => {
    const person = await recordedPatient();
    const doc = await practitioner();
    const boss = await admin();
    await shareAppointment(doc, person);
    const res = await crmPatient(boss, person.id, doc.id);
    expect(res.status).toBe(200);
    expect(res.body.patient.teudat_zehut_masked).toBe('*****6184');
    expect(await accessLogOf(person.id)).toEqual([
      { actor_id: boss.id, actor_role: 'admin', practitioner_id: doc.id, opened: OPENED },
    ]);
  });

  it('counts an appointment in any status, cancelled included', async () => {
    const person = await recordedPatient();
    const doc = await practitioner();
    await shareAppointment(doc, person, { status: 'cancelled_by_patient' });
    expect((await crmPatient(doc, person.id)).status).toBe(200);
  });

  it('shows a patient without health records: nulls, empty lists, what is missing', async () => {
    const person = await patient('Dan');
    const doc = await practitioner();
    await shareAppointment(doc, person);
    const res = await crmPatient(doc, person.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      health_profile: null,
      conditions: [],
      medications: [],
      allergies: [],
      vaccinations: [],
      patient: {
        is_incomplete: true,
        missing_fields: [
          'phone',
          'city',
          'date_of_birth',
          'sex',
          'teudat_zehut',
          'insurance_provider',
        ],
        has_teudat_zehut: false,
        teudat_zehut_masked: null,
      },
    });
  });

  it('takes the date of birth and sex from the health profile when the profile has none', async () => {
    const person = await patient('Dan');
    const doc = await practitioner();
    await shareAppointment(doc, person);
    await health(person, 'PUT', '/profile', { json: { date_of_birth: '1980-01-02', sex: 'male' } });
    const res = await crmPatient(doc, person.id);
    expect(res.body.profile).toMatchObject({ date_of_birth: null, sex: null });
    expect(res.body.patient).toMatchObject({ date_of_birth: '1980-01-02', sex: 'male' });
  });

  describe('is 404, as for nobody, and writes nothing', () => {
    it.each([
      ['a practitioner who never saw the patient', async () => ({ doc: await practitioner() })],
      [
        'a practitioner who saw only a relative of the patient',
        async (person: TestUser) => {
          const doc = await practitioner();
          const [relative] = await db`insert into public.relatives
            (user_id, first_name, last_name, relation)
            values (${person.id}, 'Tom', 'Cohen', 'child') returning id`;
          await shareAppointment(doc, person, { relativeId: relative.id });
          return { doc };
        },
      ],
      [
        'a practitioner the patient saw as a practitioner (the other way round)',
        async (person: TestUser) => {
          const doc = await practitioner();
          await db`update public.profiles set role = 'practitioner' where id = ${person.id}`;
          await shareAppointment(person, doc);
          return { doc };
        },
      ],
      [
        'an admin acting for a practitioner who never saw the patient',
        async () => ({ doc: await admin(), forPractitioner: (await practitioner()).id }),
      ],
    ] as Array<
      [string, (person: TestUser) => Promise<{ doc: TestUser; forPractitioner?: string }>]
    >)(
      '%s',
      async (_what, arrange) => {
        const person = await recordedPatient();
        const { doc, forPractitioner } = await arrange(person);
        const before = await healthState(person, doc);
        const res = await crmPatient(doc, person.id, forPractitioner);
        const nobody = await crmPatient(doc, crypto.randomUUID(), forPractitioner);
        expect(res.status).toBe(404);
        expect(res.body.error).toEqual({ ...nobody.body.error });
        expect(res.body.error.message).toBe('We could not find this patient.');
        expect(await healthState(person, doc)).toEqual(before);
      },
    );
  });

  it('answers 500 for a teudat zehut that does not open, and leaves no access-log row', async () => {
    const person = await recordedPatient();
    const victim = await recordedPatient();
    const doc = await practitioner();
    await shareAppointment(doc, person);
    // Another user's sealed number copied into this row: bound to its owner, it does not open.
    await db`update public.health_profiles set teudat_zehut_encrypted = (
      select teudat_zehut_encrypted from public.health_profiles where user_id = ${victim.id})
      where user_id = ${person.id}`;
    const res = await crmPatient(doc, person.id);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
    expect(JSON.stringify(res.body)).not.toContain('6184');
    expect(await accessLogOf(person.id)).toEqual([]);
  });

  describe('refused requests write nothing', () => {
    let person: TestUser;
    beforeAll(async () => {
      person = await recordedPatient();
      await shareAppointment(doctor, person);
    });

    const refusal = async (
      caller: TestUser | undefined,
      path: string,
      status: number,
      code: string,
      headers?: Record<string, string>,
    ) => {
      const before = await healthState(person, doctor);
      const res = await call(crmApp, 'GET', `/crm/patients${path}`, {
        token: caller?.token,
        headers,
      });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(/^[A-Z].*\.$/);
      expect(await healthState(person, doctor)).toEqual(before);
      return res;
    };

    it.each([
      ['a malformed id', '/not-a-uuid', 400, 'validation_error'],
      ['a number', '/42', 400, 'validation_error'],
      ['an id with SQL in it', `/${encodeURIComponent("1' or '1'='1")}`, 400, 'validation_error'],
      ['an id in braces', `/%7B${crypto.randomUUID()}%7D`, 400, 'validation_error'],
      ['an id too long', `/${crypto.randomUUID()}0`, 400, 'validation_error'],
      ['an unknown id', `/${crypto.randomUUID()}`, 404, 'not_found'],
      ['the nil uuid', '/00000000-0000-0000-0000-000000000000', 404, 'not_found'],
      // The user id itself: the CRM names patients by their record, never by a user id.
      ['the user id', 'USER', 404, 'not_found'],
    ])('%s', async (_what, path, status, code) => {
      await refusal(doctor, path === 'USER' ? `/${person.id}` : path, status, code);
    });

    it('a malformed practitioner_id', async () => {
      await refusal(doctor, `/${person.id}?practitioner_id=nope`, 400, 'validation_error');
    });

    it('a practitioner naming another practitioner (403)', async () => {
      const other = await practitioner();
      await refusal(doctor, `/${person.id}?practitioner_id=${other.id}`, 403, 'forbidden');
    });

    it('an admin who names no practitioner, or someone who is none (400)', async () => {
      const boss = await admin();
      await refusal(boss, `/${person.id}`, 400, 'validation_error');
      await refusal(boss, `/${person.id}?practitioner_id=${person.id}`, 400, 'validation_error');
    });

    it('the patient themself, and another patient (403: the CRM is for practitioners)', async () => {
      await refusal(person, `/${person.id}`, 403, 'forbidden');
      await refusal(await patient(), `/${person.id}`, 403, 'forbidden');
    });

    it('every refused token (401)', async () => {
      for (const [, headers] of await refusedTokens(doctor)) {
        await refusal(undefined, `/${person.id}`, 401, 'unauthorized', headers);
      }
    });
  });
});

describe('GET /health/access-log', () => {
  it('tells the patient who read their records, when, and what; newest first', async () => {
    const person = await recordedPatient();
    const doc = await practitioner('Katz');
    const boss = await admin();
    await shareAppointment(doc, person);
    await crmPatient(doc, person.id);
    await crmPatient(boss, person.id, doc.id);
    const res = await health(person, 'GET', '/access-log');
    expect(res.status).toBe(200);
    const entry = (actor: TestUser, first: string, last: string, role: string) => ({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accessed_at: expect.stringMatching(ISO_TIMESTAMP),
      actor: { id: actor.id, first_name: first, last_name: last, role },
      practitioner: { id: doc.id, first_name: 'Dana', last_name: 'Katz' },
      opened: OPENED,
    });
    expect(res.body).toEqual([
      entry(boss, 'Ada', 'Admin', 'admin'),
      entry(doc, 'Dana', 'Katz', 'practitioner'),
    ]);
  });

  it('is empty for a patient nobody read, and shows nobody else their log', async () => {
    const person = await recordedPatient();
    const doc = await practitioner();
    await shareAppointment(doc, person);
    await crmPatient(doc, person.id);
    expect((await health(await patient(), 'GET', '/access-log')).body).toEqual([]);
    // Not the reader either: the log is the patient's.
    expect((await health(doc, 'GET', '/access-log')).body).toEqual([]);
  });

  it('keeps at most the 100 newest readings', async () => {
    const person = await patient();
    const doc = await practitioner();
    await shareAppointment(doc, person);
    await db`insert into public.health_access_log
        (patient_id, actor_id, actor_role, practitioner_id, opened, created_at)
      select ${person.id}, ${doc.id}, 'practitioner', ${doc.id}, array['profile'],
             now() - make_interval(mins => g)
      from generate_series(1, 120) g`;
    const res = await health(person, 'GET', '/access-log');
    expect(res.body).toHaveLength(100);
    const times = res.body.map((e: { accessed_at: string }) => Date.parse(e.accessed_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('answers a reader whose account is gone as null', async () => {
    const person = await recordedPatient();
    const doc = await practitioner();
    await shareAppointment(doc, person);
    await crmPatient(doc, person.id);
    await db`delete from auth.users where id = ${doc.id}`;
    const res = await health(person, 'GET', '/access-log');
    expect(res.body).toEqual([expect.objectContaining({ actor: null, practitioner: null })]);
  });
});
