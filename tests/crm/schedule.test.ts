import { describe, expect, it } from 'vitest';
import { db, snapshot } from '../helpers/db.ts';
import { auditOf, crm, CRM_TABLES, practitioner } from './helpers.ts';

const UUID = /^[0-9a-f-]{36}$/;

const monday = {
  day_of_week: 1,
  start_time: '09:00',
  end_time: '12:00',
  slot_duration_minutes: 30,
};

function storedRanges(practitionerId: string) {
  return db`
    select day_of_week, start_time::text, end_time::text, slot_duration_minutes, is_active
    from public.practitioner_weekly_schedule where practitioner_id = ${practitionerId}
    order by day_of_week, start_time`;
}

describe('crm schedule', () => {
  it('adds a range, answers 201 with the row in HH:MM:SS, and lists it', async () => {
    const doc = await practitioner();
    const res = await crm(doc, 'POST', '/schedule', { json: { ...monday, is_active: true } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      day_of_week: 1,
      start_time: '09:00:00',
      end_time: '12:00:00',
      slot_duration_minutes: 30,
      is_active: true,
    });
    const list = await crm(doc, 'GET', '/schedule?_t=1');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([res.body]);
  });

  it('accepts HH:MM:SS, defaults is_active and the slot length to the consultation duration', async () => {
    const doc = await practitioner();
    await db`update public.practitioners set consultation_duration_minutes = 20 where id = ${doc.id}`;
    const res = await crm(doc, 'POST', '/schedule', {
      json: { day_of_week: 0, start_time: '08:15:00', end_time: '10:45:30' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      day_of_week: 0,
      start_time: '08:15:00',
      end_time: '10:45:30',
      slot_duration_minutes: 20,
      is_active: true,
    });
  });

  it('accepts hours that run until midnight (24:00), whose last slot ends at 24:00', async () => {
    const doc = await practitioner();
    const res = await crm(doc, 'POST', '/schedule', {
      json: { day_of_week: 1, start_time: '23:00', end_time: '24:00', slot_duration_minutes: 30 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ start_time: '23:00:00', end_time: '24:00:00' });
    const [{ monday: nextMonday }] = await db`
      select (d + ((8 - extract(isodow from d)::int) % 7 + 7))::text as monday
      from (select (now() at time zone 'Asia/Jerusalem')::date as d) today`;
    const [last] = await db`
      select slot_start::text, slot_end::text
      from app.practitioner_free_slots(array[${doc.id}::uuid], ${nextMonday}::date, ${nextMonday}::date)
      order by slot_start desc limit 1`;
    expect(last).toEqual({ slot_start: '23:30:00', slot_end: '24:00:00' });
    const moved = await crm(doc, 'PATCH', `/schedule/${res.body.id}`, {
      json: { end_time: '23:30' },
    });
    expect(moved.body).toMatchObject({ end_time: '23:30:00' });
  });

  it('lists ranges by day then start time', async () => {
    const doc = await practitioner();
    for (
      const r of [
        { day_of_week: 3, start_time: '14:00', end_time: '16:00' },
        { day_of_week: 1, start_time: '13:00', end_time: '15:00' },
        { day_of_week: 1, start_time: '08:00', end_time: '10:00' },
      ]
    ) {
      expect((await crm(doc, 'POST', '/schedule', { json: r })).status).toBe(201);
    }
    const list = await crm(doc, 'GET', '/schedule');
    expect(
      list.body.map((
        r: { day_of_week: number; start_time: string },
      ) => [r.day_of_week, r.start_time]),
    )
      .toEqual([[1, '08:00:00'], [1, '13:00:00'], [3, '14:00:00']]);
  });

  it('refuses an overlapping range of the same day with 409 and a clear message', async () => {
    const doc = await practitioner();
    await crm(doc, 'POST', '/schedule', { json: monday });
    const before = await snapshot(CRM_TABLES);
    const res = await crm(doc, 'POST', '/schedule', {
      json: { day_of_week: 1, start_time: '11:30', end_time: '13:00' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.message).toBe('This time range overlaps another range of the same day.');
    expect(await snapshot(CRM_TABLES)).toEqual(before);
  });

  it('allows ranges that only touch, and the same hours on another day or of another practitioner', async () => {
    const doc = await practitioner();
    const other = await practitioner();
    expect((await crm(doc, 'POST', '/schedule', { json: monday })).status).toBe(201);
    expect(
      (await crm(doc, 'POST', '/schedule', {
        json: { ...monday, start_time: '12:00', end_time: '14:00' },
      })).status,
    )
      .toBe(201);
    expect(
      (await crm(doc, 'POST', '/schedule', {
        json: { ...monday, start_time: '07:00', end_time: '09:00' },
      })).status,
    )
      .toBe(201);
    expect((await crm(doc, 'POST', '/schedule', { json: { ...monday, day_of_week: 2 } })).status)
      .toBe(201);
    expect((await crm(other, 'POST', '/schedule', { json: monday })).status).toBe(201);
    expect(await storedRanges(doc.id)).toHaveLength(4);
  });

  it('changes some fields, keeps the rest, and checks a lone end against the stored other end', async () => {
    const doc = await practitioner();
    const { body: range } = await crm(doc, 'POST', '/schedule', { json: monday });
    const res = await crm(doc, 'PATCH', `/schedule/${range.id}`, {
      json: { end_time: '13:30', is_active: false },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...range, end_time: '13:30:00', is_active: false });

    const before = await snapshot(CRM_TABLES);
    const early = await crm(doc, 'PATCH', `/schedule/${range.id}`, { json: { end_time: '08:30' } });
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe('validation_error');
    expect(early.body.error.details.fieldErrors).toEqual({
      end_time: ['The end time must be after the start time.'],
    });
    const late = await crm(doc, 'PATCH', `/schedule/${range.id}`, {
      json: { start_time: '13:30' },
    });
    expect(late.status).toBe(400);
    expect(late.body.error.details.fieldErrors).toHaveProperty('start_time');
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    expect(await storedRanges(doc.id)).toEqual([
      {
        day_of_week: 1,
        start_time: '09:00:00',
        end_time: '13:30:00',
        slot_duration_minutes: 30,
        is_active: false,
      },
    ]);
  });

  it('refuses a change that makes two ranges overlap with 409', async () => {
    const doc = await practitioner();
    await crm(doc, 'POST', '/schedule', { json: monday });
    const { body: afternoon } = await crm(doc, 'POST', '/schedule', {
      json: { ...monday, start_time: '14:00', end_time: '16:00' },
    });
    const before = await snapshot(CRM_TABLES);
    const res = await crm(doc, 'PATCH', `/schedule/${afternoon.id}`, {
      json: { start_time: '11:00' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('This time range overlaps another range of the same day.');
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    const moved = await crm(doc, 'PATCH', `/schedule/${afternoon.id}`, {
      json: { start_time: '12:00' },
    });
    expect(moved.status).toBe(200);
  });

  it('an empty change answers the stored row and writes nothing', async () => {
    const doc = await practitioner();
    const { body: range } = await crm(doc, 'POST', '/schedule', { json: monday });
    const before = await snapshot(CRM_TABLES);
    const res = await crm(doc, 'PATCH', `/schedule/${range.id}`, { json: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(range);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
  });

  it('deletes a range with 204, then 404 for it', async () => {
    const doc = await practitioner();
    const { body: range } = await crm(doc, 'POST', '/schedule', { json: monday });
    const res = await crm(doc, 'DELETE', `/schedule/${range.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect(await storedRanges(doc.id)).toEqual([]);
    const again = await crm(doc, 'DELETE', `/schedule/${range.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
  });

  it("hides another practitioner's ranges: 404 on change and delete, rows unchanged", async () => {
    const owner = await practitioner();
    const intruder = await practitioner();
    const { body: range } = await crm(owner, 'POST', '/schedule', { json: monday });
    const before = await snapshot(CRM_TABLES);
    for (
      const [method, json] of [['PATCH', { is_active: false }], ['DELETE', undefined]] as const
    ) {
      const res = await crm(intruder, method, `/schedule/${range.id}`, { json });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await crm(intruder, 'GET', '/schedule')).body).toEqual([]);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    expect((await crm(owner, 'GET', '/schedule')).body).toEqual([range]);
  });

  it('records one audit row per write, in the same transaction, and none for refused writes', async () => {
    const doc = await practitioner();
    const { body: range } = await crm(doc, 'POST', '/schedule', { json: monday });
    await crm(doc, 'POST', '/schedule', { json: monday });
    await crm(doc, 'PATCH', `/schedule/${range.id}`, {
      json: { slot_duration_minutes: 15, is_active: false },
    });
    await crm(doc, 'PATCH', `/schedule/${range.id}`, { json: { end_time: '08:00' } });
    await crm(doc, 'DELETE', `/schedule/${range.id}`);
    await crm(doc, 'DELETE', `/schedule/${range.id}`);
    const entity = 'practitioner_weekly_schedule';
    expect(await auditOf(doc.id)).toEqual([
      {
        action: 'schedule.create',
        entity,
        entity_id: range.id,
        details: { practitioner_id: doc.id },
      },
      {
        action: 'schedule.update',
        entity,
        entity_id: range.id,
        details: { practitioner_id: doc.id, fields: ['slot_duration_minutes', 'is_active'] },
      },
      {
        action: 'schedule.delete',
        entity,
        entity_id: range.id,
        details: { practitioner_id: doc.id },
      },
    ]);
  });

  type Args = { json?: unknown; body?: string; headers?: Record<string, string> };
  const badPosts: Array<[string, Args, number, string, string?]> = [
    [
      'a missing day',
      { json: { start_time: '09:00', end_time: '10:00' } },
      400,
      'validation_error',
      'day_of_week',
    ],
    ['day 7', { json: { ...monday, day_of_week: 7 } }, 400, 'validation_error', 'day_of_week'],
    ['day -1', { json: { ...monday, day_of_week: -1 } }, 400, 'validation_error', 'day_of_week'],
    [
      'a fractional day',
      { json: { ...monday, day_of_week: 1.5 } },
      400,
      'validation_error',
      'day_of_week',
    ],
    [
      'a day as text',
      { json: { ...monday, day_of_week: 'monday' } },
      400,
      'validation_error',
      'day_of_week',
    ],
    [
      'a missing start',
      { json: { ...monday, start_time: undefined } },
      400,
      'validation_error',
      'start_time',
    ],
    [
      'start 24:00',
      { json: { ...monday, start_time: '24:00' } },
      400,
      'validation_error',
      'start_time',
    ],
    [
      'start 9:00',
      { json: { ...monday, start_time: '9:00' } },
      400,
      'validation_error',
      'start_time',
    ],
    ['end 12:60', { json: { ...monday, end_time: '12:60' } }, 400, 'validation_error', 'end_time'],
    ['end 24:30', { json: { ...monday, end_time: '24:30' } }, 400, 'validation_error', 'end_time'],
    [
      'end 24:00:01',
      { json: { ...monday, end_time: '24:00:01' } },
      400,
      'validation_error',
      'end_time',
    ],
    [
      'end before start',
      { json: { ...monday, end_time: '08:00' } },
      400,
      'validation_error',
      'end_time',
    ],
    [
      'end equal to start',
      { json: { ...monday, end_time: '09:00:00' } },
      400,
      'validation_error',
      'end_time',
    ],
    [
      'slots of 4 minutes',
      { json: { ...monday, slot_duration_minutes: 4 } },
      400,
      'validation_error',
      'slot_duration_minutes',
    ],
    [
      'slots of 241 minutes',
      { json: { ...monday, slot_duration_minutes: 241 } },
      400,
      'validation_error',
      'slot_duration_minutes',
    ],
    [
      'slots of 12.5 minutes',
      { json: { ...monday, slot_duration_minutes: 12.5 } },
      400,
      'validation_error',
      'slot_duration_minutes',
    ],
    [
      'is_active as text',
      { json: { ...monday, is_active: 'yes' } },
      400,
      'validation_error',
      'is_active',
    ],
    ['an array body', { json: [monday] }, 400, 'validation_error'],
    [
      'malformed JSON',
      { body: '{"day_of_week":', headers: { 'content-type': 'application/json' } },
      400,
      'bad_request',
    ],
    [
      'a form body',
      { body: 'day_of_week=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
  ];

  it.each(badPosts)(
    'refuses to add %s without changing anything',
    async (_name, args, status, code, field) => {
      const doc = await practitioner();
      await crm(doc, 'POST', '/schedule', { json: { ...monday, day_of_week: 4 } });
      const before = await snapshot(CRM_TABLES);
      const res = await crm(doc, 'POST', '/schedule', args);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toEqual(expect.any(String));
      if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
      expect(await snapshot(CRM_TABLES)).toEqual(before);
    },
  );

  const badPatches: Array<[string, unknown, string]> = [
    ['a start time of 25:00', { start_time: '25:00' }, 'start_time'],
    ['slots of 0 minutes', { slot_duration_minutes: 0 }, 'slot_duration_minutes'],
    ['a null start', { start_time: null }, 'start_time'],
    ['a null is_active', { is_active: null }, 'is_active'],
    ['day 8', { day_of_week: 8 }, 'day_of_week'],
    ['both ends reversed', { start_time: '15:00', end_time: '14:00' }, 'end_time'],
  ];

  it.each(badPatches)(
    'refuses to change with %s without changing anything',
    async (_name, json, field) => {
      const doc = await practitioner();
      const { body: range } = await crm(doc, 'POST', '/schedule', { json: monday });
      const before = await snapshot(CRM_TABLES);
      const res = await crm(doc, 'PATCH', `/schedule/${range.id}`, { json });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
      expect(await snapshot(CRM_TABLES)).toEqual(before);
      expect((await crm(doc, 'GET', '/schedule')).body).toEqual([range]);
    },
  );

  it('refuses a malformed id with 400 validation_error', async () => {
    const doc = await practitioner();
    for (const method of ['PATCH', 'DELETE']) {
      const res = await crm(doc, method, '/schedule/not-a-uuid', {
        json: method === 'PATCH' ? {} : undefined,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details.fieldErrors).toHaveProperty('id');
    }
  });
});
