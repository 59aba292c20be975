import { describe, expect, it } from 'vitest';
import { app as patientApp } from '../../functions/appointments/app.ts';
import { db } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { israelDate, openPractice, type Practice } from '../helpers/practice.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { admin, auditOf, crm } from './helpers.ts';

const patient = (firstName = 'Noa', locale?: string) =>
  createUser({ firstName, lastName: 'Cohen' }).then(async (user) => {
    if (locale) {
      await db`insert into public.user_settings (user_id, locale) values (${user.id}, ${locale})`;
    }
    return user;
  });

let nextDay = 0;
/** A day of its own far ahead, so no two fixtures overlap. */
const day = () => israelDate(400 + nextDay++);

/** A patient who had an appointment in person with the practice: their record's id. */
async function seenPatient(practice: Practice, person: TestUser): Promise<string> {
  await db`insert into public.appointments (patient_id, practitioner_id, appointment_date,
    start_time, end_time, status)
    values (${person.id}, ${practice.id}, ${israelDate(-30 - nextDay++)}, '09:00', '09:30',
            'completed')`;
  const [{ id }] = await db`select id from public.patient_records
    where practitioner_id = ${practice.id} and auth_user_id = ${person.id}`;
  return id;
}

const body = (extra: Record<string, unknown> = {}) => ({
  reason_id: null,
  appointment_date: day(),
  start_time: '10:00:00',
  end_time: '10:30:00',
  visited_before: true,
  status: 'confirmed',
  notes: null,
  ...extra,
});

const create = (user: TestUser | undefined, json: unknown, query = '', options: CallOptions = {}) =>
  crm(user, 'POST', `/appointments${query}`, { json, ...options });

/** What a booking may write for these people and practitioners (counted per person). */
async function writtenFor(...people: Array<{ id: string }>) {
  const ids = people.map((p) => p.id);
  const [counts] = await db`
    select
      (select count(*)::int from public.appointments
        where patient_id = any(${ids}::uuid[]) or practitioner_id = any(${ids}::uuid[]))
        as appointments,
      (select count(*)::int from public.patient_records
        where practitioner_id = any(${ids}::uuid[])) as records,
      (select count(*)::int from public.notifications where user_id = any(${ids}::uuid[]))
        as notifications,
      (select count(*)::int from public.conversations
        where patient_id = any(${ids}::uuid[]) or practitioner_id = any(${ids}::uuid[]))
        as conversations,
      (select count(*)::int from private.events where user_id = any(${ids}::uuid[])) as events,
      (select count(*)::int from public.audit_log where actor_id = any(${ids}::uuid[]))
        as audit_log`;
  return { ...counts };
}

describe('POST /crm/appointments', () => {
  it('books a patient of the practice: confirmed, from the CRM, the patient told', async () => {
    const practice = await openPractice({ firstName: 'Dov', lastName: 'Levi' });
    const noa = await patient('Noa', 'en');
    const recordId = await seenPatient(practice, noa);
    const date = day();
    const res = await create(
      practice.user,
      body({
        patient_record_id: recordId,
        appointment_date: date,
        start_time: '07:15',
        end_time: '07:50',
        notes: '  Bring the scans.  ',
      }),
    );
    expect(res.status).toBe(201);
    const id = res.body.id;
    // The CRM's appointment object, as GET /crm/appointments/:id answers it.
    expect(res.body).toEqual((await crm(practice.user, 'GET', `/appointments/${id}`)).body);
    expect(res.body).toMatchObject({
      appointment_date: date,
      start_time: '07:15:00',
      end_time: '07:50:00',
      status: 'confirmed',
      source: 'dokal_crm',
      visited_before: true,
      patient_id: noa.id,
      patient_record_id: recordId,
      patient_record: { id: recordId, first_name: 'Noa', last_name: 'Cohen' },
      profiles: { id: noa.id, first_name: 'Noa' },
      practitioner_notes: 'Bring the scans.',
      confirmed_at: expect.stringMatching(/Z$/),
    });
    const [told] = await db`select type::text, title, body, data from public.notifications
      where user_id = ${noa.id} and data ->> 'appointment_id' = ${id}`;
    expect(told).toMatchObject({
      type: 'appointment_created',
      title: 'Appointment booked',
      data: { appointment_id: id, practitioner_id: practice.id },
    });
    expect(told.body).toContain('Dov Levi');
    expect(told.body).toContain('07:15');
    // The patient sees it in the app.
    const upcoming = await call(patientApp, 'GET', '/appointments/upcoming', { token: noa.token });
    expect(upcoming.body.map((a: { id: string }) => a.id)).toContain(id);
    expect(await auditOf(practice.id)).toContainEqual({
      action: 'appointment.create',
      entity: 'appointments',
      entity_id: id,
      details: {
        practitioner_id: practice.id,
        fields: expect.arrayContaining(['patient_record_id', 'appointment_date', 'notes']),
      },
    });
  });

  it('books a walk-in named inline: a draft record, no account, nobody else told', async () => {
    const practice = await openPractice();
    const before = await writtenFor(practice.user);
    const res = await create(
      practice.user,
      body({
        patient: { first_name: ' Avi ', last_name: 'Ben Ami', phone: '+972 52-765-4321' },
        appointment_date: israelDate(-1),
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      patient_id: null,
      profiles: null,
      status: 'confirmed',
      patient_record: { first_name: 'Avi', last_name: 'Ben Ami', phone: '+972 52-765-4321' },
    });
    const [record] = await db`select auth_user_id, created_by from public.patient_records
      where id = ${res.body.patient_record_id}`;
    expect(record).toEqual({ auth_user_id: null, created_by: practice.id });
    const after = await writtenFor(practice.user);
    expect(after).toEqual({
      ...before,
      appointments: before.appointments + 1,
      records: before.records + 1,
      events: before.events + 1,
      audit_log: before.audit_log + 2,
    });
    // The practice finds the walk-in among its patients, and books them again by record.
    const search = await crm(practice.user, 'GET', '/patients/search?q=ben%20ami');
    expect(search.body.patients.map((p: { id: string }) => p.id)).toEqual([
      res.body.patient_record_id,
    ]);
    const again = await create(
      practice.user,
      body({ patient_record_id: res.body.patient_record_id }),
    );
    expect(again.status).toBe(201);
  });

  it('takes a draft created by POST /crm/patients at once', async () => {
    const practice = await openPractice();
    const draft = await crm(practice.user, 'POST', '/patients', {
      json: { first_name: 'Dina', last_name: 'Kaplan', phone: '0541112233' },
    });
    expect(draft.status).toBe(201);
    const res = await create(practice.user, body({ patient_record_id: draft.body.id }));
    expect(res.status).toBe(201);
    expect(res.body.patient_record_id).toBe(draft.body.id);
  });

  it('refuses an overlap with the practice’s own diary or with the patient (409)', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const recordId = await seenPatient(practice, noa);
    const date = day();
    expect(
      (await create(practice.user, body({ patient_record_id: recordId, appointment_date: date })))
        .status,
    ).toBe(201);
    const walkIn = { first_name: 'Avi', last_name: 'Levi', phone: '0501234567' };
    const before = await writtenFor(practice.user, noa);
    const overlap = await create(
      practice.user,
      body({
        patient: walkIn,
        appointment_date: date,
        start_time: '10:15',
        end_time: '10:45',
      }),
    );
    expectRefusal(overlap, 409);
    expect(overlap.body.error.message).toBe(
      'Someone else has just booked this time. Please choose another slot.',
    );
    // The walk-in's draft went with the refused booking.
    expect(await writtenFor(practice.user, noa)).toEqual(before);
    // The same patient elsewhere at that time.
    const other = await openPractice();
    const otherRecord = await seenPatient(other, noa);
    const clash = await create(
      other.user,
      body({
        patient_record_id: otherRecord,
        appointment_date: date,
      }),
    );
    expectRefusal(clash, 409);
    expect(clash.body.error.message).toBe(
      'There is already an appointment for this person at this time.',
    );
  });

  describe('who may book', () => {
    it.each([
      ['practitioner X for their own patient', 201],
      ['admin with practitioner_id', 201],
      ['practitioner_id in the body, the caller’s own', 201],
      ['practitioner Y for X’s patient', 404],
      ['practitioner Y naming X', 403],
      ['admin without practitioner_id', 400],
      ['patient A, the patient', 403],
      ['patient B', 403],
      ['no token', 401],
    ])('%s: %i', async (who, status) => {
      const practice = await openPractice();
      const a = await patient('Ada');
      const recordId = await seenPatient(practice, a);
      const y = await createUser({ role: 'practitioner' });
      const boss = await admin();
      const b = await patient('Ben');
      const plan: Record<string, [TestUser | undefined, string, Record<string, unknown>]> = {
        'practitioner X for their own patient': [practice.user, '', {}],
        'admin with practitioner_id': [boss, `?practitioner_id=${practice.id}`, {}],
        'practitioner_id in the body, the caller’s own': [practice.user, '', {
          practitioner_id: practice.id,
        }],
        'practitioner Y for X’s patient': [y, '', {}],
        'practitioner Y naming X': [y, `?practitioner_id=${practice.id}`, {}],
        'admin without practitioner_id': [boss, '', {}],
        'patient A, the patient': [a, '', {}],
        'patient B': [b, '', {}],
        'no token': [undefined, '', {}],
      };
      const [caller, query, extra] = plan[who];
      const people = [practice.user, a, y, boss, b];
      const before = await writtenFor(...people);
      const res = await create(caller, body({ patient_record_id: recordId, ...extra }), query);
      if (status === 201) {
        expect(res.status).toBe(201);
        expect(res.body.patient_id).toBe(a.id);
        if (caller === boss) {
          expect((await auditOf(boss.id)).map((r) => r.action)).toEqual(['appointment.create']);
        }
      } else {
        expectRefusal(res, status, who);
        expect(await writtenFor(...people)).toEqual(before);
      }
    });
  });

  describe('refuses bad input and writes nothing', () => {
    const cases: Array<[string, (recordId: string) => unknown, number, string?]> = [
      ['no patient', () => body(), 400, 'patient_record_id'],
      [
        'both a record and a walk-in',
        (id) =>
          body({
            patient_record_id: id,
            patient: { first_name: 'A', last_name: 'B', phone: '0501234567' },
          }),
        400,
        'patient_record_id',
      ],
      ['a malformed record id', () => body({ patient_record_id: 'abc' }), 400, 'patient_record_id'],
      ['an unknown record', () => body({ patient_record_id: crypto.randomUUID() }), 404],
      [
        'a walk-in without a phone',
        () => body({ patient: { first_name: 'Avi', last_name: 'Levi' } }),
        400,
        'patient',
      ],
      [
        'a walk-in with a blank name',
        () => body({ patient: { first_name: '  ', last_name: 'Levi', phone: '0501234567' } }),
        400,
        'patient',
      ],
      [
        'a walk-in with letters for a phone',
        () => body({ patient: { first_name: 'Avi', last_name: 'Levi', phone: 'call me' } }),
        400,
        'patient',
      ],
      [
        'a date that does not exist',
        (id) => body({ patient_record_id: id, appointment_date: '2031-02-29' }),
        400,
        'appointment_date',
      ],
      [
        'a time that does not exist',
        (id) => body({ patient_record_id: id, start_time: '24:30' }),
        400,
        'start_time',
      ],
      [
        'the end before the start',
        (id) => body({ patient_record_id: id, end_time: '09:00' }),
        400,
        'end_time',
      ],
      [
        'the end at the start',
        (id) => body({ patient_record_id: id, end_time: '10:00' }),
        400,
        'end_time',
      ],
      [
        'a status other than confirmed',
        (id) => body({ patient_record_id: id, status: 'pending' }),
        400,
        'status',
      ],
      [
        'visited_before as text',
        (id) => body({ patient_record_id: id, visited_before: 'yes' }),
        400,
        'visited_before',
      ],
      [
        'notes too long',
        (id) => body({ patient_record_id: id, notes: 'x'.repeat(5001) }),
        400,
        'notes',
      ],
      [
        'an unknown reason',
        (id) => body({ patient_record_id: id, reason_id: crypto.randomUUID() }),
        400,
        'reason_id',
      ],
      [
        'a practitioner_id in the body that is not the query’s',
        (id) => body({ patient_record_id: id, practitioner_id: crypto.randomUUID() }),
        400,
        'practitioner_id',
      ],
      ['a list', () => [body()], 400],
    ];

    it.each(cases)('%s', async (_what, make, status, field) => {
      const practice = await openPractice();
      const noa = await patient();
      const recordId = await seenPatient(practice, noa);
      const before = await writtenFor(practice.user, noa);
      const json = make(recordId);
      const query = _what.startsWith('a practitioner_id') ? `?practitioner_id=${practice.id}` : '';
      const res = await create(practice.user, json, query);
      expectRefusal(res, status);
      if (field) expect(Object.keys(res.body.error.details.fieldErrors ?? {})).toContain(field);
      expect(await writtenFor(practice.user, noa)).toEqual(before);
    });

    it('a body that is not JSON, or not JSON at all (400, 415)', async () => {
      const practice = await openPractice();
      const before = await writtenFor(practice.user);
      expectRefusal(
        await crm(practice.user, 'POST', '/appointments', {
          body: '{"patient":',
          headers: { 'content-type': 'application/json' },
        }),
        400,
      );
      expectRefusal(
        await crm(practice.user, 'POST', '/appointments', {
          body: 'patient=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        415,
      );
      expect(await writtenFor(practice.user)).toEqual(before);
    });
  });

  it('never lets a practice link itself to an account through the Data API', async () => {
    const practice = await openPractice();
    const stranger = await patient('Sara');
    const { signedIn } = await import('../helpers/lifecycle.ts');
    await expect(
      signedIn(
        practice.user,
        (tx) =>
          tx`insert into public.appointments (patient_id, practitioner_id, appointment_date,
           start_time, end_time, status, source)
         values (${stranger.id}, ${practice.id}, ${day()}, '10:00', '10:30', 'confirmed',
                 'dokal_crm')`,
      ),
    ).rejects.toMatchObject({ code: 'DK400' });
    const [{ n }] = await db`select count(*)::int as n from public.patient_records
      where auth_user_id = ${stranger.id}`;
    expect(n).toBe(0);
  });

  it('keeps the app’s booking rules for patients: a patient cannot book as the practice', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const recordId = await seenPatient(practice, noa);
    const { signedIn } = await import('../helpers/lifecycle.ts');
    await expect(
      signedIn(
        noa,
        (tx) =>
          tx`insert into public.appointments (patient_record_id, practitioner_id,
           appointment_date, start_time, end_time, status, source)
         values (${recordId}, ${practice.id}, ${day()}, '07:00', '07:30', 'confirmed',
                 'dokal_crm')`,
      ),
    ).rejects.toMatchObject({ code: '42501' });
  });
});
