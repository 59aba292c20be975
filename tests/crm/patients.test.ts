import { beforeAll, describe, expect, it } from 'vitest';
import { wireCounter } from '../../dev/lib/round-trips.ts';
import { addDriverOptions } from '../../shared/db/client.ts';
import { db } from '../helpers/db.ts';
import type { CallOptions } from '../helpers/http.ts';
import { israelDate } from '../helpers/practice.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { health, validTeudatZehut } from '../health/helpers.ts';
import { admin, auditOf, crm, practitioner } from './helpers.ts';

// This file's pool counts what it sends (each test file has its own pool).
const wire = wireCounter();
addDriverOptions(wire.options);

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

let nextDay = 0;
/** An appointment of `person` with `doc`, days of its own so none overlap. */
async function seen(
  doc: TestUser,
  person: TestUser,
  options: { daysAgo?: number; status?: string; relativeId?: string } = {},
) {
  const [{ id }] = await db`insert into public.appointments (patient_id, practitioner_id,
      relative_id, appointment_date, start_time, end_time, status)
    values (${person.id}, ${doc.id}, ${options.relativeId ?? null},
            ${israelDate(-(options.daysAgo ?? 100 + nextDay++))}, '09:00', '09:30',
            ${options.status ?? 'completed'})
    returning id`;
  return id as string;
}

const recordOf = async (doc: TestUser, person: TestUser) => {
  const [row] = await db`select id from public.patient_records
    where practitioner_id = ${doc.id} and auth_user_id = ${person.id}`;
  return row?.id as string;
};

const person = (firstName: string, lastName: string) => createUser({ firstName, lastName });

/** Everything the patient routes may write for these people (counted per person). */
async function writtenFor(...people: Array<{ id: string }>) {
  const ids = people.map((p) => p.id);
  const [counts] = await db`
    select
      (select count(*)::int from public.patient_records
        where practitioner_id = any(${ids}::uuid[])) as records,
      (select coalesce(string_agg(r::text, ',' order by r.id), '') from public.patient_records r
        where practitioner_id = any(${ids}::uuid[])) as rows,
      (select count(*)::int from public.audit_log where actor_id = any(${ids}::uuid[]))
        as audit_log,
      (select count(*)::int from public.health_access_log
        where actor_id = any(${ids}::uuid[])) as access_log`;
  return { ...counts };
}

const list = (user: TestUser | undefined, query = '', options: CallOptions = {}) =>
  crm(user, 'GET', `/patients${query}`, options);

describe('GET /crm/patients', () => {
  let doc: TestUser;
  let noa: TestUser;
  let zoe: TestUser;
  let draftId: string;
  beforeAll(async () => {
    doc = await practitioner();
    noa = await person('Noa', 'Cohen');
    zoe = await person('Zoé', 'Ëlbaz');
    await db`update public.profiles set phone = '+972 50-123-4567', city = 'Haifa'
      where id = ${noa.id}`;
    await seen(doc, noa, { daysAgo: 40 });
    await seen(doc, noa, { daysAgo: 10, status: 'no_show' });
    await seen(doc, zoe, { daysAgo: 20 });
    // Someone seen only for a relative is not a patient of the practice; a stranger neither.
    const parent = await person('Pat', 'Parent');
    const [kid] = await db`insert into public.relatives (user_id, first_name, last_name, relation)
      values (${parent.id}, 'Kid', 'Parent', 'child') returning id`;
    await seen(doc, parent, { relativeId: kid.id });
    await seen(await practitioner(), await person('Other', 'Practice'));
    const draft = await crm(doc, 'POST', '/patients', {
      json: { first_name: 'Avi', last_name: 'Ben-David', phone: '052 765 4321' },
    });
    expect(draft.status).toBe(201);
    draftId = draft.body.id;
  });

  it('lists the practice’s patients by name, with their appointments, and the total', async () => {
    const res = await list(doc);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(res.body.patients.map((p: { last_name: string }) => p.last_name)).toEqual([
      'Ben-David',
      'Cohen',
      'Ëlbaz',
    ]);
    const cohen = res.body.patients[1];
    expect(cohen).toEqual({
      id: await recordOf(doc, noa),
      auth_user_id: noa.id,
      status: 'linked',
      first_name: 'Noa',
      last_name: 'Cohen',
      phone: '+972 50-123-4567',
      email: noa.email,
      city: 'Haifa',
      date_of_birth: null,
      sex: null,
      avatar_url: null,
      insurance_provider: null,
      is_incomplete: true,
      missing_fields: ['date_of_birth', 'sex', 'teudat_zehut', 'insurance_provider'],
      has_teudat_zehut: false,
      teudat_zehut_masked: null,
      teudat_zehut: null,
      appointments_count: 2,
      last_appointment: {
        id: expect.any(String),
        appointment_date: israelDate(-10),
        start_time: '09:00:00',
        end_time: '09:30:00',
        status: 'no_show',
      },
      created_at: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect(res.body.patients[0]).toMatchObject({
      id: draftId,
      auth_user_id: null,
      status: 'draft',
      appointments_count: 0,
      last_appointment: null,
    });
  });

  it('pages with limit and offset, the total counting every match', async () => {
    const page = await list(doc, '?limit=1&offset=1');
    expect(page.body.total).toBe(3);
    expect(page.body.patients.map((p: { last_name: string }) => p.last_name)).toEqual(['Cohen']);
    expect((await list(doc, '?limit=2&offset=5')).body).toEqual({ patients: [], total: 3 });
  });

  it.each([
    ['a name in any case', 'noa', ['Cohen']],
    ['a name without its accents', 'zoe elbaz', ['Ëlbaz']],
    ['words in any order', 'cohen NOA', ['Cohen']],
    ['part of a hyphenated name', 'ben david', ['Ben-David']],
    ['an e-mail', 'test.dokal', ['Cohen', 'Ëlbaz']],
    ['the local form of a phone', '050123', ['Cohen']],
    ['the international form of a phone', '+972 52-765', ['Ben-David']],
    ['nobody', 'nobody', []],
  ])('searches %s', async (_what, q, expected) => {
    const res = await list(doc, `?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    expect(res.body.patients.map((p: { last_name: string }) => p.last_name)).toEqual(expected);
    expect(res.body.total).toBe(expected.length);
  });

  it('filters by status and by completeness', async () => {
    const drafts = await list(doc, '?status=draft');
    expect(drafts.body.patients.map((p: { id: string }) => p.id)).toEqual([draftId]);
    expect((await list(doc, '?status=linked')).body.total).toBe(2);
    expect((await list(doc, '?incomplete=false')).body.total).toBe(0);
    expect((await list(doc, '?incomplete=true&status=&q=&_t=123')).body.total).toBe(3);
  });

  it('answers in one statement (the gate, the transaction, the page, the commit)', async () => {
    await list(doc);
    const before = { ...wire.counts };
    expect((await list(doc, '?q=noa')).status).toBe(200);
    expect(wire.counts.statements - before.statements).toBe(5);
  });
});

describe('GET /crm/patients/search', () => {
  it('finds patients from two characters, at most `limit`', async () => {
    const doc = await practitioner();
    for (const name of ['Dana', 'Dan', 'Daniel']) await seen(doc, await person(name, 'Mizrahi'));
    const res = await crm(doc, 'GET', '/patients/search?q=da&limit=2');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(res.body.patients).toHaveLength(2);
    expect(Object.keys(res.body.patients[0])).toEqual(
      expect.arrayContaining(['id', 'first_name', 'last_name', 'phone', 'email', 'avatar_url']),
    );
    // One character finds nobody (the CRM asks on every keystroke).
    expect((await crm(doc, 'GET', '/patients/search?q=d')).body).toEqual({
      patients: [],
      total: 0,
    });
  });
});

describe('POST and PATCH /crm/patients', () => {
  it('creates a draft usable at once, audited by field names only', async () => {
    const doc = await practitioner();
    const res = await crm(doc, 'POST', '/patients', {
      json: {
        first_name: ' Rina ',
        last_name: 'Azoulay',
        phone: '054-111-2233',
        email: 'rina@example.com',
        city: '',
        sex: 'female',
        date_of_birth: '1985-03-04',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'draft',
      auth_user_id: null,
      first_name: 'Rina',
      city: null,
      sex: 'female',
      date_of_birth: '1985-03-04',
      missing_fields: ['city', 'teudat_zehut', 'insurance_provider'],
      is_incomplete: true,
      appointments_count: 0,
    });
    expect((await crm(doc, 'GET', `/patients/${res.body.id}`)).body.patient).toMatchObject({
      id: res.body.id,
      status: 'draft',
      first_name: 'Rina',
    });
    const [audit] = await auditOf(doc.id);
    expect(audit).toEqual({
      action: 'patient_record.create',
      entity: 'patient_records',
      entity_id: res.body.id,
      details: {
        practitioner_id: doc.id,
        fields: ['first_name', 'last_name', 'phone', 'email', 'sex', 'date_of_birth'],
      },
    });
    expect(JSON.stringify(audit)).not.toContain('Rina');
  });

  it('changes the practice’s values; null gives a linked record the account’s again', async () => {
    const doc = await practitioner();
    const noa = await person('Noa', 'Cohen');
    await seen(doc, noa);
    const id = await recordOf(doc, noa);
    const tz = validTeudatZehut('12345678');
    const patch = await crm(doc, 'PATCH', `/patients/${id}`, {
      json: {
        first_name: 'Noa-Lee',
        last_name: 'Cohen',
        phone: '050 000 0000',
        email: null,
        city: 'Eilat',
        date_of_birth: '1990-01-01',
        sex: 'female',
        teudat_zehut: tz,
        insurance_provider: 'Harel',
      },
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({
      id,
      first_name: 'Noa-Lee',
      email: noa.email,
      has_teudat_zehut: true,
      teudat_zehut_masked: `*****${tz.slice(-4)}`,
      teudat_zehut: null,
      missing_fields: [],
      is_incomplete: false,
    });
    // The account's own profile is untouched.
    const [profile] = await db`select first_name, phone from public.profiles where id = ${noa.id}`;
    expect(profile).toEqual({ first_name: 'Noa', phone: null });
    // The number is sealed, never stored in clear; the masked value sent back keeps it.
    const [stored] = await db`select teudat_zehut_encrypted from public.patient_records
      where id = ${id}`;
    expect(stored.teudat_zehut_encrypted).toMatch(/^v1\./);
    expect(stored.teudat_zehut_encrypted).not.toContain(tz);
    const kept = await crm(doc, 'PATCH', `/patients/${id}`, {
      json: { teudat_zehut: `*****${tz.slice(-4)}`, first_name: null },
    });
    expect(kept.body).toMatchObject({
      first_name: 'Noa',
      teudat_zehut_masked: `*****${tz.slice(-4)}`,
    });
    const shown = await crm(doc, 'GET', `/patients/${id}`);
    expect(shown.body.patient).toMatchObject({
      first_name: 'Noa',
      city: 'Eilat',
      teudat_zehut_masked: `*****${tz.slice(-4)}`,
    });
    // Cleared: the account's own number from the health profile shows instead.
    await health(noa, 'PUT', '/profile', { json: { teudat_zehut: '332796184' } });
    const cleared = await crm(doc, 'PATCH', `/patients/${id}`, { json: { teudat_zehut: null } });
    expect(cleared.body.teudat_zehut_masked).toBe('*****6184');
    expect((await list(doc, '?q=6184')).body.total).toBe(0);
    expect((await list(doc)).body.patients[0].teudat_zehut_masked).toBe('*****6184');
    expect((await auditOf(doc.id)).map((a) => [a.action, a.details.fields])).toEqual([
      [
        'patient_record.update',
        [
          'first_name',
          'last_name',
          'phone',
          'email',
          'city',
          'date_of_birth',
          'sex',
          'teudat_zehut',
          'insurance_provider',
        ],
      ],
      ['patient_record.update', ['first_name']],
      ['patient_record.update', ['teudat_zehut']],
    ]);
  });

  describe('who may list, search, create and change', () => {
    it.each([
      ['practitioner X', 200],
      ['admin with practitioner_id', 200],
      ['practitioner Y', 404],
      ['practitioner Y naming X', 403],
      ['admin without practitioner_id', 400],
      ['patient A, the patient', 403],
      ['patient B', 403],
      ['no token', 401],
    ])('%s: %i', async (who, status) => {
      const x = await practitioner();
      const a = await person('Ada', 'Amar');
      await seen(x, a);
      const id = await recordOf(x, a);
      const y = await practitioner();
      const boss = await admin();
      const b = await person('Ben', 'Bar');
      const plan: Record<string, [TestUser | undefined, string]> = {
        'practitioner X': [x, ''],
        'admin with practitioner_id': [boss, `?practitioner_id=${x.id}`],
        'practitioner Y': [y, ''],
        'practitioner Y naming X': [y, `?practitioner_id=${x.id}`],
        'admin without practitioner_id': [boss, ''],
        'patient A, the patient': [a, ''],
        'patient B': [b, ''],
        'no token': [undefined, ''],
      };
      const [caller, query] = plan[who];
      const people = [x, y, boss, a, b];
      const before = await writtenFor(...people);
      const listed = await crm(caller, 'GET', `/patients${query}`);
      const found = await crm(
        caller,
        'GET',
        `/patients/search${query ? `${query}&` : '?'}q=ada`,
      );
      const patched = await crm(caller, 'PATCH', `/patients/${id}${query}`, {
        json: { city: 'Acre' },
      });
      if (status === 200) {
        expect(listed.body.patients.map((p: { id: string }) => p.id)).toEqual([id]);
        expect(found.body.patients.map((p: { id: string }) => p.id)).toEqual([id]);
        expect(patched.status).toBe(200);
        expect(patched.body.city).toBe('Acre');
      } else if (status === 404) {
        // Another practice: its own (empty) list, and X's record is nobody.
        expect(listed.body).toEqual({ patients: [], total: 0 });
        expect(found.body).toEqual({ patients: [], total: 0 });
        expectRefusal(patched, 404, who);
        expect(await writtenFor(...people)).toEqual(before);
      } else {
        for (const res of [listed, found, patched]) expectRefusal(res, status, who);
        expect(await writtenFor(...people)).toEqual(before);
      }
      const created = await crm(caller, 'POST', `/patients${query}`, {
        json: { first_name: 'New', last_name: 'One', phone: '0501234567' },
      });
      expect(created.status).toBe(status === 404 ? 201 : status === 200 ? 201 : status);
    });
  });

  describe('refuses bad input and writes nothing', () => {
    let doc: TestUser;
    let id: string;
    beforeAll(async () => {
      doc = await practitioner();
      const noa = await person('Noa', 'Cohen');
      await seen(doc, noa);
      id = await recordOf(doc, noa);
    });

    const posts: Array<[string, unknown]> = [
      ['no first name', { last_name: 'Levi', phone: '0501234567' }],
      ['a blank last name', { first_name: 'Avi', last_name: ' ', phone: '0501234567' }],
      ['no phone', { first_name: 'Avi', last_name: 'Levi' }],
      ['a phone of letters', { first_name: 'Avi', last_name: 'Levi', phone: 'call me' }],
      ['a phone too short', { first_name: 'Avi', last_name: 'Levi', phone: '123' }],
      ['a name too long', { first_name: 'A'.repeat(101), last_name: 'Levi', phone: '0501234567' }],
      ['an e-mail that is none', {
        first_name: 'Avi',
        last_name: 'Levi',
        phone: '0501234567',
        email: 'avi@',
      }],
      ['an unknown sex', { first_name: 'Avi', last_name: 'Levi', phone: '0501234567', sex: 'x' }],
      ['a birth date ahead', {
        first_name: 'Avi',
        last_name: 'Levi',
        phone: '0501234567',
        date_of_birth: israelDate(30),
      }],
      ['a birth date that does not exist', {
        first_name: 'Avi',
        last_name: 'Levi',
        phone: '0501234567',
        date_of_birth: '1990-02-30',
      }],
      ['a number for a name', { first_name: 42, last_name: 'Levi', phone: '0501234567' }],
      ['a list', [{ first_name: 'Avi', last_name: 'Levi', phone: '0501234567' }]],
    ];

    it.each(posts)('POST: %s', async (_what, json) => {
      const before = await writtenFor(doc);
      expectRefusal(await crm(doc, 'POST', '/patients', { json }), 400);
      expect(await writtenFor(doc)).toEqual(before);
    });

    const patches: Array<[string, string, unknown, number]> = [
      ['a teudat zehut with a wrong check digit', '', { teudat_zehut: '123456789' }, 400],
      ['a teudat zehut of letters', '', { teudat_zehut: 'abcdefgh' }, 400],
      ['a phone of letters', '', { phone: 'call me' }, 400],
      ['an e-mail that is none', '', { email: 'no-at-sign' }, 400],
      ['a birth date before 1900', '', { date_of_birth: '1899-12-31' }, 400],
      ['an unknown sex', '', { sex: 'unknown' }, 400],
      ['an insurance too long', '', { insurance_provider: 'x'.repeat(101) }, 400],
      ['a city as a number', '', { city: 7 }, 400],
      ['a malformed id', 'not-a-uuid', { city: 'Acre' }, 400],
      ['an unknown id', crypto.randomUUID(), { city: 'Acre' }, 404],
      ['a user id', 'USER', { city: 'Acre' }, 404],
    ];

    it.each(patches)('PATCH: %s', async (_what, target, json, status) => {
      const [{ auth_user_id }] = await db`select auth_user_id from public.patient_records
        where id = ${id}`;
      const path = target === 'USER' ? auth_user_id : target || id;
      const before = await writtenFor(doc);
      expectRefusal(await crm(doc, 'PATCH', `/patients/${path}`, { json }), status);
      expect(await writtenFor(doc)).toEqual(before);
    });

    it.each([
      ['a limit of 0', '?limit=0'],
      ['a limit too high', '?limit=101'],
      ['a limit that is no number', '?limit=ten'],
      ['a negative offset', '?offset=-1'],
      ['an unknown status', '?status=active'],
      ['incomplete as yes', '?incomplete=yes'],
      ['a search too long', `?q=${'a'.repeat(101)}`],
      ['a malformed practitioner_id', '?practitioner_id=nope'],
      ['a search: without q', '/search'],
      ['a search: limit too high', '/search?q=ab&limit=51'],
    ])('GET: %s', async (_what, query) => {
      const path = query.startsWith('/search') ? query : query;
      const before = await writtenFor(doc);
      expectRefusal(await crm(doc, 'GET', `/patients${path}`), 400);
      expect(await writtenFor(doc)).toEqual(before);
    });
  });
});

describe('GET /crm/patients/:id for a draft', () => {
  it('shows the practice’s own values, no health records, no access-log row', async () => {
    const doc = await practitioner();
    const draft = await crm(doc, 'POST', '/patients', {
      json: { first_name: 'Avi', last_name: 'Levi', phone: '0501234567', city: 'Acre' },
    });
    const booked = await crm(doc, 'POST', '/appointments', {
      json: {
        patient_record_id: draft.body.id,
        reason_id: null,
        appointment_date: israelDate(-2),
        start_time: '09:00',
        end_time: '09:20',
        visited_before: false,
        status: 'confirmed',
        notes: 'Walked in.',
      },
    });
    expect(booked.status).toBe(201);
    const res = await crm(doc, 'GET', `/patients/${draft.body.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      profile: { first_name: 'Avi', last_name: 'Levi', phone: '0501234567', city: 'Acre' },
      patient: { id: draft.body.id, auth_user_id: null, status: 'draft' },
      health_profile: null,
      conditions: [],
      appointment_history: [{ id: booked.body.id, practitioner_notes: 'Walked in.' }],
    });
    const [{ n }] = await db`select count(*)::int as n from public.health_access_log
      where actor_id = ${doc.id}`;
    expect(n).toBe(0);
    // Another practice does not see it.
    expectRefusal(await crm(await practitioner(), 'GET', `/patients/${draft.body.id}`), 404);
  });
});
