import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../helpers/db.ts';
import { undocumentedRequestParts } from '../helpers/openapi-conformance.ts';
import type { CallOptions, CallResult } from '../helpers/http.ts';
import type { TestUser } from '../helpers/users.ts';
import {
  admin,
  app,
  type AppointmentStatus,
  auditOf,
  crm,
  footprint,
  insertAppointment,
  patient,
  practitioner,
} from './helpers.ts';

type Action = 'confirm' | 'cancel' | 'complete' | 'no-show';

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) =>
  new Date(Date.parse(date) + days * DAY_MS).toISOString().slice(0, 10);

// Every fixture of this file has a date of its own, so no two live appointments ever overlap.
let nextDay = 0;
/** A date years ahead: the appointment has not started. */
const futureDate = () => addDays('2031-01-01', nextDay++);
/** A date months back: the appointment has started (and ended). */
const pastDate = () => addDays('2026-06-30', -nextDay++);

async function appointmentOf(
  doc: TestUser,
  person: TestUser,
  status: AppointmentStatus,
  when: 'future' | 'past',
  extra: { relativeId?: string; reasonId?: string } = {},
) {
  return await insertAppointment({
    practitionerId: doc.id,
    patientId: person.id,
    date: when === 'future' ? futureDate() : pastDate(),
    start: '09:00',
    end: '09:30',
    status,
    ...extra,
  });
}

/** The stored appointment: what a step may change. */
async function stored(id: string) {
  const [row] = await db`
    select status, cancellation_reason, practitioner_notes,
           confirmed_at is not null as confirmed, cancelled_at is not null as cancelled,
           completed_at is not null as completed, updated_at::text
    from public.appointments where id = ${id}`;
  return { ...row };
}

const lastEventId = async () => {
  const [{ id }] = await db<
    { id: string }[]
  >`select coalesce(max(id), 0)::text as id from private.events`;
  return id;
};

/** The events written for these users after `since`, in order. */
async function eventsSince(since: string, userIds: string[]) {
  const rows = await db<{ user_id: string; event: string; payload: Record<string, unknown> }[]>`
    select user_id, event, payload from private.events
    where id > ${since}::bigint and user_id = any (${userIds}::uuid[])
    order by id`;
  return rows.map((r) => ({ ...r }));
}

async function notificationsOf(userIds: string[]) {
  const rows = await db<{ id: string; user_id: string; type: string; data: unknown }[]>`
    select id, user_id, type, data from public.notifications
    where user_id = any (${userIds}::uuid[]) order by created_at, id`;
  return rows.map((r) => ({ ...r }));
}

const step = (
  user: TestUser | undefined,
  id: string,
  action: Action,
  options: CallOptions = {},
  query = '',
) => crm(user, 'PATCH', `/appointments/${id}/${action}${query ? `?${query}` : ''}`, options);

const CANCELLED = 'This appointment was already cancelled.';
const COMPLETED = 'This appointment is already completed.';
const NO_SHOW = 'This appointment was already marked as a no-show.';
const CONFIRMED = 'This appointment is already confirmed.';
const CONFIRM_FIRST = 'This appointment has to be confirmed first.';
const NOT_STARTED = 'This appointment has not started yet.';

const TERMINAL: Array<[AppointmentStatus, string]> = [
  ['cancelled_by_patient', CANCELLED],
  ['cancelled_by_practitioner', CANCELLED],
  ['completed', COMPLETED],
  ['no_show', NO_SHOW],
];
const ACTIONS: Action[] = ['confirm', 'cancel', 'complete', 'no-show'];

/** [from status, has it started, action, the status after it or the 409's message]. */
const MACHINE: Array<[AppointmentStatus, 'future' | 'past', Action, string]> = [
  ['pending', 'future', 'confirm', 'confirmed'],
  ['pending', 'future', 'cancel', 'cancelled_by_practitioner'],
  ['pending', 'future', 'complete', CONFIRM_FIRST],
  ['pending', 'future', 'no-show', CONFIRM_FIRST],
  ['pending', 'past', 'confirm', 'confirmed'],
  ['pending', 'past', 'cancel', 'cancelled_by_practitioner'],
  ['pending', 'past', 'complete', CONFIRM_FIRST],
  ['pending', 'past', 'no-show', CONFIRM_FIRST],
  ['confirmed', 'future', 'confirm', CONFIRMED],
  ['confirmed', 'future', 'cancel', 'cancelled_by_practitioner'],
  ['confirmed', 'future', 'complete', NOT_STARTED],
  ['confirmed', 'future', 'no-show', NOT_STARTED],
  ['confirmed', 'past', 'confirm', CONFIRMED],
  ['confirmed', 'past', 'cancel', 'cancelled_by_practitioner'],
  ['confirmed', 'past', 'complete', 'completed'],
  ['confirmed', 'past', 'no-show', 'no_show'],
  // Nothing leaves a cancelled, completed or no-show appointment, whenever it is.
  ...TERMINAL.flatMap(([from, message]) =>
    (['future', 'past'] as const).flatMap((when) =>
      ACTIONS.map((action): [AppointmentStatus, 'future' | 'past', Action, string] => [
        from,
        when,
        action,
        message,
      ])
    )
  ),
];

const STATUSES = new Set<string>([
  'pending',
  'confirmed',
  'cancelled_by_patient',
  'cancelled_by_practitioner',
  'completed',
  'no_show',
]);

describe('crm appointments: the status machine through the API', () => {
  let doc: TestUser;
  let person: TestUser;
  beforeAll(async () => {
    [doc, person] = await Promise.all([practitioner(), patient()]);
  });

  it.each(MACHINE)('%s (%s) + %s → %s', async (from, when, action, expected) => {
    const id = await appointmentOf(doc, person, from, when);
    const before = await stored(id);
    const beforeFootprint = await footprint([doc.id, person.id]);
    const res = await step(doc, id, action);
    if (STATUSES.has(expected)) {
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      const after = await stored(id);
      expect(after.status).toBe(expected);
      // The database stamps the step.
      expect(after.confirmed).toBe(expected === 'confirmed' || before.confirmed);
      expect(after.cancelled).toBe(expected === 'cancelled_by_practitioner');
      expect(after.completed).toBe(expected === 'completed');
    } else {
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({ code: 'conflict', message: expected, details: {} });
      expect(await stored(id)).toEqual(before);
      expect(await footprint([doc.id, person.id])).toEqual(beforeFootprint);
    }
  });
});

describe('crm appointments: what each step writes', () => {
  const cases: Array<{
    action: Action;
    from: AppointmentStatus;
    when: 'future' | 'past';
    json?: unknown;
    status: AppointmentStatus;
    notification: string | null;
    audit: string;
    fields: string[];
    stored?: Record<string, unknown>;
  }> = [
    {
      action: 'confirm',
      from: 'pending',
      when: 'future',
      status: 'confirmed',
      notification: 'appointment_confirmed',
      audit: 'appointment.confirm',
      fields: ['status'],
    },
    {
      action: 'cancel',
      from: 'confirmed',
      when: 'future',
      json: { cancellation_reason: '  The practice is closed that day.  ' },
      status: 'cancelled_by_practitioner',
      notification: 'appointment_cancelled',
      audit: 'appointment.cancel',
      fields: ['status', 'cancellation_reason'],
      stored: { cancellation_reason: 'The practice is closed that day.' },
    },
    {
      action: 'cancel',
      from: 'pending',
      when: 'future',
      status: 'cancelled_by_practitioner',
      notification: 'appointment_cancelled',
      audit: 'appointment.cancel',
      fields: ['status'],
      stored: { cancellation_reason: null },
    },
    {
      action: 'complete',
      from: 'confirmed',
      when: 'past',
      json: { practitioner_notes: 'Blood pressure normal. See again in six months.' },
      status: 'completed',
      notification: 'appointment_completed',
      audit: 'appointment.complete',
      fields: ['status', 'practitioner_notes'],
      stored: { practitioner_notes: 'Blood pressure normal. See again in six months.' },
    },
    {
      action: 'no-show',
      from: 'confirmed',
      when: 'past',
      status: 'no_show',
      notification: null,
      audit: 'appointment.no_show',
      fields: ['status'],
    },
  ];

  it.each(cases)(
    '$action of a $from appointment: status, notification, events and audit row',
    async (c) => {
      const [doc, person] = await Promise.all([practitioner(), patient()]);
      const id = await appointmentOf(doc, person, c.from, c.when);
      const [appointment] = await db`
        select appointment_date::text, start_time::text, end_time::text
        from public.appointments where id = ${id}`;
      const notificationsBefore = await notificationsOf([doc.id, person.id]);
      const since = await lastEventId();

      const res = await step(doc, id, c.action, c.json === undefined ? {} : { json: c.json });
      expect(res.status).toBe(204);
      expect(await stored(id)).toMatchObject({ status: c.status, ...c.stored });

      const notifications = (await notificationsOf([doc.id, person.id])).slice(
        notificationsBefore.length,
      );
      expect(notifications.map(({ user_id, type, data }) => ({ user_id, type, data }))).toEqual(
        c.notification
          ? [{
            user_id: person.id,
            type: c.notification,
            data: { appointment_id: id, practitioner_id: doc.id },
          }]
          : [],
      );

      const payload = {
        id,
        status: c.status,
        ...appointment,
        practitioner_id: doc.id,
        patient_id: person.id,
      };
      const events = await eventsSince(since, [doc.id, person.id]);
      const expected = [
        { user_id: person.id, event: 'appointment:updated', payload },
        { user_id: doc.id, event: 'appointment:updated', payload },
        ...notifications.map((n) => ({
          user_id: person.id,
          event: 'notification:new',
          payload: expect.objectContaining({ id: n.id, user_id: person.id, type: n.type }),
        })),
      ];
      expect(events).toHaveLength(expected.length);
      expect(events).toEqual(expect.arrayContaining(expected));

      expect(await auditOf(doc.id)).toEqual([{
        action: c.audit,
        entity: 'appointments',
        entity_id: id,
        details: { practitioner_id: doc.id, fields: c.fields },
      }]);
    },
  );

  it('records an admin acting for the practitioner as the actor of the step', async () => {
    const [doc, person, boss] = await Promise.all([practitioner(), patient(), admin()]);
    const id = await appointmentOf(doc, person, 'pending', 'future');
    const res = await step(boss, id, 'confirm', {}, `practitioner_id=${doc.id}`);
    expect(res.status).toBe(204);
    expect((await stored(id)).status).toBe('confirmed');
    expect(await auditOf(boss.id)).toEqual([{
      action: 'appointment.confirm',
      entity: 'appointments',
      entity_id: id,
      details: { practitioner_id: doc.id, fields: ['status'] },
    }]);
    expect(await auditOf(doc.id)).toEqual([]);
  });

  it('takes an empty body, a JSON content type with no body, or no body at all', async () => {
    const [doc, person] = await Promise.all([practitioner(), patient()]);
    const json = { 'content-type': 'application/json' };
    const variants: Array<[Action, CallOptions]> = [
      ['confirm', {}],
      ['confirm', { headers: json, body: '' }],
      ['confirm', { json: {} }],
      ['cancel', {}],
      ['cancel', { headers: json, body: '  ' }],
      ['cancel', { json: {} }],
      ['cancel', { json: { cancellation_reason: '' } }],
      ['cancel', { json: { cancellation_reason: null } }],
    ];
    for (const [action, options] of variants) {
      if (options.json !== undefined) {
        const path = `/crm/appointments/${crypto.randomUUID()}/${action}`;
        expect(await undocumentedRequestParts(app, 'PATCH', path, options.json)).toEqual([]);
      }
      const id = await appointmentOf(doc, person, 'pending', 'future');
      const res = await step(doc, id, action, options);
      expect(res.status, `${action} ${JSON.stringify(options)}`).toBe(204);
      expect(await stored(id)).toMatchObject({
        status: action === 'confirm' ? 'confirmed' : 'cancelled_by_practitioner',
        cancellation_reason: null,
      });
    }
    for (const options of [{}, { headers: json, body: '' }, { json: { practitioner_notes: '' } }]) {
      const id = await appointmentOf(doc, person, 'confirmed', 'past');
      expect((await step(doc, id, 'complete', options)).status).toBe(204);
      expect(await stored(id)).toMatchObject({ status: 'completed', practitioner_notes: null });
    }
  });

  it('answers 404 for an unknown appointment and writes nothing', async () => {
    const doc = await practitioner();
    const before = await footprint([doc.id]);
    for (const action of ACTIONS) {
      const res = await step(doc, crypto.randomUUID(), action);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({
        code: 'not_found',
        message: 'We could not find this appointment.',
        details: {},
      });
    }
    expect(await footprint([doc.id])).toEqual(before);
  });
});

describe('crm appointments: who may do what', () => {
  let patientA: TestUser;
  let patientB: TestUser;
  let docX: TestUser;
  let docY: TestUser;
  let boss: TestUser;
  let xAppointment: string;
  let yAppointment: string;
  const PHONE = `+972 50 ${Math.floor(Math.random() * 9_000_000 + 1_000_000)}`;

  beforeAll(async () => {
    [patientA, patientB, docX, docY, boss] = await Promise.all([
      patient(),
      patient(),
      practitioner(),
      practitioner(),
      admin(),
    ]);
    await db`update public.profiles set phone = ${PHONE} where id = ${patientA.id}`;
    xAppointment = await appointmentOf(docX, patientA, 'pending', 'future');
    yAppointment = await appointmentOf(docY, patientB, 'pending', 'future');
  });

  type Caller =
    | 'patient A'
    | 'patient B'
    | 'practitioner X'
    | 'practitioner Y'
    | 'practitioner X naming Y'
    | 'admin'
    | 'admin for X'
    | 'admin for Y'
    | 'nobody';

  const CALLERS: Caller[] = [
    'patient A',
    'patient B',
    'practitioner X',
    'practitioner Y',
    'practitioner X naming Y',
    'admin',
    'admin for X',
    'admin for Y',
    'nobody',
  ];

  /** The caller's user and the query string it adds (practitioner_id). */
  function as(caller: Caller): [TestUser | undefined, string] {
    switch (caller) {
      case 'patient A':
        return [patientA, ''];
      case 'patient B':
        return [patientB, ''];
      case 'practitioner X':
        return [docX, ''];
      case 'practitioner Y':
        return [docY, ''];
      case 'practitioner X naming Y':
        return [docX, `practitioner_id=${docY.id}`];
      case 'admin':
        return [boss, ''];
      case 'admin for X':
        return [boss, `practitioner_id=${docX.id}`];
      case 'admin for Y':
        return [boss, `practitioner_id=${docY.id}`];
      case 'nobody':
        return [undefined, ''];
    }
  }

  const withQuery = (path: string, query: string) =>
    query ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path;

  const REFUSED: Record<Caller, number> = {
    'patient A': 403,
    'patient B': 403,
    'practitioner X': 0,
    'practitioner Y': 0,
    'practitioner X naming Y': 403,
    'admin': 400,
    'admin for X': 0,
    'admin for Y': 0,
    'nobody': 401,
  };

  /** Nothing of X's appointment (its id, its patient's phone) in an answer. */
  const expectNoLeak = (res: CallResult) => {
    const text = JSON.stringify(res.body ?? '');
    expect(text).not.toContain(xAppointment);
    expect(text).not.toContain(PHONE);
  };

  const ids = (res: CallResult) => res.body.appointments.map((a: { id: string }) => a.id);

  it.each(CALLERS)('GET /appointments as %s', async (caller) => {
    const [user, query] = as(caller);
    const res = await crm(user, 'GET', withQuery('/appointments', query));
    const expected = REFUSED[caller] ||
      200;
    expect(res.status).toBe(expected);
    if (caller === 'practitioner X' || caller === 'admin for X') {
      expect(ids(res)).toEqual([xAppointment]);
      expect(res.body.appointments[0].profiles.phone).toBe(PHONE);
      expect(res.body.total).toBe(1);
    } else if (caller === 'practitioner Y' || caller === 'admin for Y') {
      expect(ids(res)).toEqual([yAppointment]);
      expectNoLeak(res);
    } else {
      expectNoLeak(res);
    }
  });

  it.each(CALLERS)('GET /appointments/:id as %s', async (caller) => {
    const [user, query] = as(caller);
    const res = await crm(user, 'GET', withQuery(`/appointments/${xAppointment}`, query));
    const expected = REFUSED[caller] ||
      (caller === 'practitioner X' || caller === 'admin for X' ? 200 : 404);
    expect(res.status).toBe(expected);
    if (expected === 200) {
      expect(res.body).toMatchObject({ id: xAppointment, patient_id: patientA.id });
    } else {
      expectNoLeak(res);
    }
  });

  const PATCH_CELLS = ACTIONS.flatMap((action) => CALLERS.map((caller) => [action, caller]));

  it.each(PATCH_CELLS as Array<[Action, Caller]>)(
    'PATCH /appointments/:id/%s as %s',
    async (action, caller) => {
      const [user, query] = as(caller);
      const started = action === 'complete' || action === 'no-show';
      const id = await appointmentOf(
        docX,
        patientA,
        started ? 'confirmed' : 'pending',
        started ? 'past' : 'future',
      );
      const before = await stored(id);
      const users = [patientA.id, patientB.id, docX.id, docY.id, boss.id];
      const beforeFootprint = await footprint(users);
      const res = await step(user, id, action, {}, query);
      const allowed = caller === 'practitioner X' || caller === 'admin for X';
      const expected = REFUSED[caller] || (allowed ? 204 : 404);
      expect(res.status).toBe(expected);
      if (allowed) {
        expect((await stored(id)).status).not.toBe(before.status);
      } else {
        expect(await stored(id)).toEqual(before);
        expect(await footprint(users)).toEqual(beforeFootprint);
        expect(JSON.stringify(res.body)).not.toContain(id);
        expectNoLeak(res);
      }
    },
  );
});

describe('crm appointments: bad input', () => {
  let doc: TestUser;
  let person: TestUser;
  let boss: TestUser;
  beforeAll(async () => {
    [doc, person, boss] = await Promise.all([practitioner(), patient(), admin()]);
  });

  /** [name, query string, field named in fieldErrors]: each a 400 validation_error. */
  const badLists: Array<[string, string, string]> = [
    ['an impossible date', 'date=2026-02-30', 'date'],
    ['a date in another format', 'date=08/02/2026', 'date'],
    ['a date that is a word', 'date=tomorrow', 'date'],
    ['an impossible start', 'from=2026-13-01&to=2026-12-31', 'from'],
    ['an end before the start', 'from=2026-03-10&to=2026-03-01', 'to'],
    ['a period over 366 days', 'from=2026-01-01&to=2027-01-03', 'to'],
    ['a start without an end', 'from=2026-03-01', 'to'],
    ['an end without a start', 'to=2026-03-01', 'from'],
    ['a date with a period', 'date=2026-03-01&from=2026-03-01&to=2026-03-02', 'date'],
    ['an unknown status', 'status=cancelled', 'status'],
    ['a status in capitals', 'status=PENDING', 'status'],
    ['limit=0', 'limit=0', 'limit'],
    ['limit=501', 'limit=501', 'limit'],
    ['limit=abc', 'limit=abc', 'limit'],
    ['a fractional limit', 'limit=1.5', 'limit'],
    ['a negative limit', 'limit=-1', 'limit'],
    ['offset=-1', 'offset=-1', 'offset'],
    ['offset=abc', 'offset=abc', 'offset'],
    ['a malformed practitioner_id', 'practitioner_id=nope', 'practitioner_id'],
  ];

  it.each(badLists)('GET /appointments refuses %s (400)', async (_name, query, field) => {
    const before = await footprint([doc.id]);
    const res = await crm(doc, 'GET', `/appointments?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
    expect(typeof res.body.error.message).toBe('string');
    expect(await footprint([doc.id])).toEqual(before);
  });

  it('GET /appointments takes a period of exactly 366 days, "" parameters and unknown ones', async () => {
    for (
      const query of [
        'from=2026-01-01&to=2027-01-02',
        'from=2026-03-01&to=2026-03-01',
        'date=&from=&to=&status=&limit=&offset=',
        '_t=1733000000000&foo=bar',
      ]
    ) {
      const res = await crm(doc, 'GET', `/appointments?${query}`);
      expect(res.status, query).toBe(200);
      expect(res.body).toEqual({ appointments: [], total: 0 });
      // A client that follows the document may send it.
      expect(await undocumentedRequestParts(app, 'GET', `/crm/appointments?${query}`)).toEqual([]);
    }
  });

  const MALFORMED_IDS = [
    'abc',
    '123',
    '7c9e6679-7425-40de-944b-e07fc1f90ae',
    '7c9e6679-7425-40de-944b-e07fc1f90ae77',
    '7c9e6679742540de944be07fc1f90ae7x',
    'zc9e6679-7425-40de-944b-e07fc1f90ae7',
    encodeURIComponent("' or 1=1 --"),
    encodeURIComponent('{7c9e6679-7425-40de-944b-e07fc1f90ae7}'),
  ];

  /** [name, path after /appointments/<id>, who asks, expected status and code]. */
  function badGets(id: string): Array<[string, string, TestUser, number, string]> {
    return [
      ...MALFORMED_IDS.map((bad): [string, string, TestUser, number, string] => [
        `the malformed id ${bad}`,
        `/appointments/${bad}`,
        doc,
        400,
        'validation_error',
      ]),
      [
        'a malformed practitioner_id',
        `/appointments/${id}?practitioner_id=1`,
        doc,
        400,
        'validation_error',
      ],
      ['an admin naming nobody', `/appointments/${id}`, boss, 400, 'validation_error'],
      [
        'an admin naming an unknown practitioner',
        `/appointments/${id}?practitioner_id=${crypto.randomUUID()}`,
        boss,
        400,
        'validation_error',
      ],
      [
        'an admin naming a patient',
        `/appointments/${id}?practitioner_id=${person.id}`,
        boss,
        400,
        'validation_error',
      ],
      ['an unknown id', `/appointments/${crypto.randomUUID()}`, doc, 404, 'not_found'],
    ];
  }

  it('GET /appointments/:id refuses ten kinds of bad input', async () => {
    const id = await appointmentOf(doc, person, 'pending', 'future');
    const cases = badGets(id);
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const before = await footprint([doc.id, boss.id]);
    for (const [name, path, user, status, code] of cases) {
      const res = await crm(user, 'GET', path);
      expect([res.status, res.body.error.code], name).toEqual([status, code]);
    }
    expect(await footprint([doc.id, boss.id])).toEqual(before);
  });

  const json = (body: string, type = 'application/json'): CallOptions => ({
    body,
    headers: { 'content-type': type },
  });

  /** Bad requests every step refuses: [name, id or null for the fixture's, options, status, code]. */
  const common: Array<[string, string | null, CallOptions, number, string]> = [
    ...MALFORMED_IDS.map((bad): [string, string | null, CallOptions, number, string] => [
      `the malformed id ${bad}`,
      bad,
      {},
      400,
      'validation_error',
    ]),
    ['an unknown id', crypto.randomUUID(), {}, 404, 'not_found'],
    ['a body that is not JSON', null, json('{"x":'), 400, 'bad_request'],
    ['a body that is a list', null, { json: [] }, 400, 'validation_error'],
    ['a body that is null', null, json('null'), 400, 'validation_error'],
    ['a body that is a string', null, { json: 'now' }, 400, 'validation_error'],
    ['a text body', null, json('cancel', 'text/plain'), 415, 'unsupported_media_type'],
    [
      'a form body',
      null,
      json('a=1', 'application/x-www-form-urlencoded'),
      415,
      'unsupported_media_type',
    ],
    ['a body without a content type', null, { body: '{}' }, 415, 'unsupported_media_type'],
  ];

  const specific: Record<Action, Array<[string, string | null, CallOptions, number, string]>> = {
    'confirm': [],
    'no-show': [],
    'cancel': [
      [
        'a reason too long',
        null,
        { json: { cancellation_reason: 'x'.repeat(1001) } },
        400,
        'validation_error',
      ],
      [
        'a reason as a number',
        null,
        { json: { cancellation_reason: 42 } },
        400,
        'validation_error',
      ],
      [
        'a reason as a list',
        null,
        { json: { cancellation_reason: ['x'] } },
        400,
        'validation_error',
      ],
      ['a reason as true', null, { json: { cancellation_reason: true } }, 400, 'validation_error'],
    ],
    'complete': [
      [
        'notes too long',
        null,
        { json: { practitioner_notes: 'x'.repeat(5001) } },
        400,
        'validation_error',
      ],
      ['notes as a number', null, { json: { practitioner_notes: 7 } }, 400, 'validation_error'],
      [
        'notes as an object',
        null,
        { json: { practitioner_notes: { a: 1 } } },
        400,
        'validation_error',
      ],
      ['notes as false', null, { json: { practitioner_notes: false } }, 400, 'validation_error'],
    ],
  };

  it.each(ACTIONS)(
    'PATCH /appointments/:id/%s refuses bad input and writes nothing',
    async (action) => {
      const started = action === 'complete' || action === 'no-show';
      const id = await appointmentOf(
        doc,
        person,
        started ? 'confirmed' : 'pending',
        started ? 'past' : 'future',
      );
      const cases = [
        ...common,
        ...specific[action],
        ['a malformed practitioner_id', null, {}, 400, 'validation_error'],
        ['an admin naming nobody', null, {}, 400, 'validation_error'],
      ] as Array<[string, string | null, CallOptions, number, string]>;
      expect(cases.length).toBeGreaterThanOrEqual(10);
      const before = await stored(id);
      const beforeFootprint = await footprint([doc.id, person.id, boss.id]);
      for (const [name, target, options, status, code] of cases) {
        const user = name === 'an admin naming nobody' ? boss : doc;
        const query = name === 'a malformed practitioner_id' ? 'practitioner_id=x' : '';
        const res = await step(user, target ?? id, action, options, query);
        expect([res.status, res.body?.error?.code], name).toEqual([status, code]);
        if (name.startsWith('a reason') || name.startsWith('notes')) {
          // The document says so too.
          const path = `/crm/appointments/${id}/${action}`;
          expect(await undocumentedRequestParts(app, 'PATCH', path, options.json)).not.toEqual([]);
          expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([
            action === 'cancel' ? 'cancellation_reason' : 'practitioner_notes',
          ]);
        }
      }
      expect(await stored(id)).toEqual(before);
      expect(await footprint([doc.id, person.id, boss.id])).toEqual(beforeFootprint);
    },
  );

  it('refuses a body over the size limit (413) and writes nothing', async () => {
    const id = await appointmentOf(doc, person, 'pending', 'future');
    const before = await footprint([doc.id, person.id]);
    const res = await step(doc, id, 'cancel', {
      json: { cancellation_reason: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect([res.status, res.body.error.code]).toEqual([413, 'payload_too_large']);
    expect(await footprint([doc.id, person.id])).toEqual(before);
  });
});

describe('crm appointments: the list', () => {
  let doc: TestUser;
  let other: TestUser;
  let people: TestUser[];
  let relativeId: string;
  let reasonId: string;
  const at = (id: string) => id;

  beforeAll(async () => {
    [doc, other, ...people] = await Promise.all([
      practitioner(),
      practitioner(),
      patient(),
      patient(),
      patient(),
    ]);
    const [relative] = await db<{ id: string }[]>`
      insert into public.relatives (user_id, first_name, last_name, relation)
      values (${people[0].id}, 'Lia', 'Cohen', 'child') returning id`;
    relativeId = relative.id;
    const [reason] = await db<{ id: string }[]>`
      insert into public.appointment_reasons (practitioner_id, label, label_fr, label_he)
      values (${doc.id}, 'Follow-up', 'Suivi', 'מעקב') returning id`;
    reasonId = reason.id;
    await db`update public.profiles set phone = '+972 50 000 0000', avatar_url = 'https://example.test/a.png'
             where id = ${people[0].id}`;
  });

  async function book(
    person: TestUser,
    date: string,
    start: string,
    end: string,
    status: AppointmentStatus = 'pending',
    extra: { relativeId?: string; reasonId?: string } = {},
  ) {
    return at(
      await insertAppointment({
        practitionerId: doc.id,
        patientId: person.id,
        date,
        start,
        end,
        status,
        ...extra,
      }),
    );
  }

  it('answers every field of an appointment, the patient card and the nested objects', async () => {
    const date = '2032-05-04';
    const id = await book(people[0], date, '10:00', '10:30', 'confirmed', { relativeId, reasonId });
    const [row] = await db`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at,
             to_char(confirmed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as confirmed_at
      from public.appointments where id = ${id}`;
    await db`update public.appointments set patient_address_line = '12 Jaffa St', patient_zip_code = '9414',
               patient_city = 'Jerusalem', visited_before = true where id = ${id}`;
    const card = {
      id: people[0].id,
      first_name: 'Noa',
      last_name: 'Cohen',
      phone: '+972 50 000 0000',
      avatar_url: 'https://example.test/a.png',
    };
    const expected = {
      id,
      appointment_date: date,
      start_time: '10:00:00',
      end_time: '10:30:00',
      status: 'confirmed',
      profiles: card,
      appointment_reasons: { label: 'Follow-up', label_fr: 'Suivi', label_he: 'מעקב' },
      relatives: { id: relativeId, first_name: 'Lia', last_name: 'Cohen' },
      patient_id: people[0].id,
      // Made for a relative: the account holder's records stay closed to the practice, so the
      // appointment names no patient record (migration 20261202009100).
      patient_record_id: null,
      patient_record: null,
      source: 'dokal_app',
      visited_before: true,
      patient_address_line: '12 Jaffa St',
      patient_zip_code: '9414',
      patient_city: 'Jerusalem',
      practitioner_notes: null,
      cancellation_reason: null,
      reason_id: reasonId,
      relative_id: relativeId,
      confirmed_at: row.confirmed_at,
      cancelled_at: null,
      completed_at: null,
      created_at: row.created_at,
    };
    const list = await crm(doc, 'GET', `/appointments?date=${date}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ appointments: [expected], total: 1 });
    expect(Object.keys(list.body.appointments[0])).toEqual(Object.keys(expected));
    const one = await crm(doc, 'GET', `/appointments/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(expected);
    // Without relative and reason, both are null; in person, the patient's record is named.
    const plain = await book(people[1], date, '11:00', '11:30');
    const [record] = await db<{ id: string }[]>`
      select id from public.patient_records
      where practitioner_id = ${doc.id} and auth_user_id = ${people[1].id}`;
    expect((await crm(doc, 'GET', `/appointments/${plain}`)).body).toMatchObject({
      patient_id: people[1].id,
      patient_record_id: record.id,
      patient_record: {
        id: record.id,
        first_name: people[1] === people[0] ? 'Noa' : expect.any(String),
        last_name: expect.any(String),
        phone: null,
        avatar_url: null,
      },
      relatives: null,
      relative_id: null,
      appointment_reasons: null,
      reason_id: null,
      confirmed_at: null,
    });
  });

  it('filters by date, by period and by status, ordered by date, start time and id', async () => {
    const d = (n: number) => addDays('2033-03-01', n);
    const late = await book(people[0], d(0), '15:00', '15:30');
    const early = await book(people[1], d(0), '08:00', '08:30', 'confirmed');
    // Cancelled ones may share a time with a live one: the id orders them.
    const sameA = await book(people[2], d(0), '12:00', '12:30', 'cancelled_by_patient');
    const sameB = await book(people[1], d(0), '12:00', '12:30', 'cancelled_by_practitioner');
    const nextDay = await book(people[0], d(1), '07:00', '07:20', 'completed');
    const lastDay = await book(people[1], d(9), '09:00', '09:30', 'no_show');
    const outside = await book(people[2], d(10), '09:00', '09:30');
    const before = await book(people[2], d(-1), '09:00', '09:30');
    await insertAppointment({
      practitionerId: other.id,
      patientId: people[0].id,
      date: d(0),
      start: '10:00',
      end: '10:30',
    });
    const [x, y] = [sameA, sameB].sort();
    const list = async (query: string) => {
      const res = await crm(doc, 'GET', `/appointments?${query}`);
      expect(res.status, query).toBe(200);
      return {
        ids: res.body.appointments.map((a: { id: string }) => a.id),
        total: res.body.total,
      };
    };
    expect(await list(`date=${d(0)}`)).toEqual({ ids: [early, x, y, late], total: 4 });
    expect(await list(`from=${d(0)}&to=${d(9)}`)).toEqual({
      ids: [early, x, y, late, nextDay, lastDay],
      total: 6,
    });
    expect(await list(`from=${d(-1)}&to=${d(10)}&status=pending`)).toEqual({
      ids: [before, late, outside],
      total: 3,
    });
    expect(await list(`from=${d(0)}&to=${d(9)}&status=cancelled_by_practitioner`)).toEqual({
      ids: [sameB],
      total: 1,
    });
    expect(await list(`date=${d(1)}&status=no_show`)).toEqual({ ids: [], total: 0 });
    const all = await list(`from=${d(-1)}&to=${d(10)}&_t=123`);
    expect(all).toEqual({ ids: [before, early, x, y, late, nextDay, lastDay, outside], total: 8 });
  });

  it('pages with limit and offset, the total counting every match', async () => {
    const d = (n: number) => addDays('2034-06-01', n);
    const booked: string[] = [];
    for (let i = 0; i < 7; i++) {
      booked.push(await book(people[i % 3], d(Math.floor(i / 2)), `0${i + 1}:00`, `0${i + 1}:30`));
    }
    const period = `from=${d(0)}&to=${d(10)}`;
    const pages: string[] = [];
    for (const offset of [0, 3, 6]) {
      const res = await crm(doc, 'GET', `/appointments?${period}&limit=3&offset=${offset}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(7);
      expect(res.body.appointments.length).toBe(offset === 6 ? 1 : 3);
      pages.push(...res.body.appointments.map((a: { id: string }) => a.id));
    }
    expect(pages).toEqual(booked);
    const beyond = await crm(doc, 'GET', `/appointments?${period}&offset=50`);
    expect(beyond.body).toEqual({ appointments: [], total: 7 });
    const defaults = await crm(doc, 'GET', `/appointments?${period}`);
    expect(defaults.body.appointments.length).toBe(7);
    const most = await crm(doc, 'GET', `/appointments?${period}&limit=500`);
    expect(most.body.total).toBe(7);
  });

  it('lists every appointment of the practitioner without filters, and only theirs', async () => {
    const res = await crm(other, 'GET', '/appointments');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(res.body.appointments.map((a: { patient_id: string }) => a.patient_id)).toEqual([
      people[0].id,
    ]);
  });
});
