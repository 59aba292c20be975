import { describe, expect, it } from 'vitest';
import { db, snapshot } from '../helpers/db.ts';
import { auditOf, crm, CRM_TABLES, practitioner } from './helpers.ts';

const closed = { date: '2030-03-15', is_available: false, reason: 'Vacances' };
const special = {
  date: '2030-03-20',
  is_available: true,
  start_time: '10:00',
  end_time: '14:00',
  reason: 'Horaires reduits',
};

describe('crm overrides', () => {
  it('saves a closed day and a day of special hours, answering 200 with the row', async () => {
    const doc = await practitioner();
    const off = await crm(doc, 'POST', '/overrides', { json: closed });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      date: '2030-03-15',
      is_available: false,
      start_time: null,
      end_time: null,
      reason: 'Vacances',
    });
    const open = await crm(doc, 'POST', '/overrides', { json: special });
    expect(open.status).toBe(200);
    expect(open.body).toEqual({
      id: expect.any(String),
      date: '2030-03-20',
      is_available: true,
      start_time: '10:00:00',
      end_time: '14:00:00',
      reason: 'Horaires reduits',
    });
    expect((await crm(doc, 'GET', '/overrides')).body).toEqual([off.body, open.body]);
  });

  it('accepts special hours that run until midnight (24:00)', async () => {
    const doc = await practitioner();
    const res = await crm(doc, 'POST', '/overrides', {
      json: { ...special, start_time: '20:00', end_time: '24:00' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ start_time: '20:00:00', end_time: '24:00:00' });
  });

  it('replaces the exception of a date already set, keeping one row and its id', async () => {
    const doc = await practitioner();
    const first = await crm(doc, 'POST', '/overrides', { json: closed });
    const second = await crm(doc, 'POST', '/overrides', {
      json: {
        date: closed.date,
        is_available: true,
        start_time: '08:00:00',
        end_time: '09:30',
        reason: '',
      },
    });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      id: first.body.id,
      date: closed.date,
      is_available: true,
      start_time: '08:00:00',
      end_time: '09:30:00',
      reason: null,
    });
    const rows =
      await db`select count(*)::int as n from public.practitioner_schedule_overrides where practitioner_id = ${doc.id}`;
    expect(rows[0].n).toBe(1);
    expect((await auditOf(doc.id)).map((a) => [a.action, a.entity, a.entity_id])).toEqual([
      ['override.create', 'practitioner_schedule_overrides', first.body.id],
      ['override.update', 'practitioner_schedule_overrides', first.body.id],
    ]);
  });

  it('keeps the same date of two practitioners apart', async () => {
    const a = await practitioner();
    const b = await practitioner();
    await crm(a, 'POST', '/overrides', { json: closed });
    await crm(b, 'POST', '/overrides', { json: special });
    await crm(b, 'POST', '/overrides', { json: { ...special, date: closed.date } });
    expect((await crm(a, 'GET', '/overrides')).body).toEqual([expect.objectContaining(closed)]);
    expect((await crm(b, 'GET', '/overrides')).body).toHaveLength(2);
  });

  it('filters the list by from and to, both included', async () => {
    const doc = await practitioner();
    for (const date of ['2030-01-01', '2030-01-10', '2030-01-20', '2030-02-01']) {
      await crm(doc, 'POST', '/overrides', { json: { date, is_available: false } });
    }
    const dates = async (query: string) =>
      (await crm(doc, 'GET', `/overrides${query}`)).body.map((o: { date: string }) => o.date);
    expect(await dates('?from=2030-01-10&to=2030-01-20')).toEqual(['2030-01-10', '2030-01-20']);
    expect(await dates('?from=2030-01-15')).toEqual(['2030-01-20', '2030-02-01']);
    expect(await dates('?to=2030-01-01&_t=99')).toEqual(['2030-01-01']);
  });

  it('refuses a bad period on the list', async () => {
    const doc = await practitioner();
    for (const query of ['?from=2030-02-30', '?to=tomorrow', '?from=2030-02-02&to=2030-02-01']) {
      const res = await crm(doc, 'GET', `/overrides${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
  });

  it('deletes with 204, audited; 404 after, and for another practitioner (row unchanged)', async () => {
    const owner = await practitioner();
    const intruder = await practitioner();
    const { body: row } = await crm(owner, 'POST', '/overrides', { json: closed });
    const before = await snapshot(CRM_TABLES);
    const refused = await crm(intruder, 'DELETE', `/overrides/${row.id}`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('not_found');
    expect((await crm(intruder, 'GET', '/overrides')).body).toEqual([]);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    expect(await auditOf(intruder.id)).toEqual([]);

    expect((await crm(owner, 'DELETE', `/overrides/${row.id}`)).status).toBe(204);
    expect((await crm(owner, 'DELETE', `/overrides/${row.id}`)).status).toBe(404);
    expect((await auditOf(owner.id)).map((a) => a.action)).toEqual([
      'override.create',
      'override.delete',
    ]);
  });

  it("a practitioner's upsert on a date never touches another practitioner's row", async () => {
    const owner = await practitioner();
    const other = await practitioner();
    const { body: row } = await crm(owner, 'POST', '/overrides', { json: closed });
    await crm(other, 'POST', '/overrides', { json: { ...special, date: closed.date } });
    const [stored] =
      await db`select is_available, reason from public.practitioner_schedule_overrides where id = ${row.id}`;
    expect(stored).toEqual({ is_available: false, reason: 'Vacances' });
  });

  type Args = { json?: unknown; body?: string; headers?: Record<string, string> };
  const bad: Array<[string, Args, number, string, string?]> = [
    ['a missing date', { json: { is_available: false } }, 400, 'validation_error', 'date'],
    [
      'a date that does not exist',
      { json: { ...closed, date: '2030-02-29' } },
      400,
      'validation_error',
      'date',
    ],
    [
      'a date in another format',
      { json: { ...closed, date: '15/03/2030' } },
      400,
      'validation_error',
      'date',
    ],
    [
      'a missing is_available',
      { json: { date: '2030-03-15' } },
      400,
      'validation_error',
      'is_available',
    ],
    [
      'is_available as text',
      { json: { ...closed, is_available: 'false' } },
      400,
      'validation_error',
      'is_available',
    ],
    [
      'hours on a closed day',
      { json: { ...closed, start_time: '10:00', end_time: '12:00' } },
      400,
      'validation_error',
      'start_time',
    ],
    [
      'an end time on a closed day',
      { json: { ...closed, end_time: '12:00' } },
      400,
      'validation_error',
      'end_time',
    ],
    [
      'an open day without hours',
      { json: { date: '2030-03-15', is_available: true } },
      400,
      'validation_error',
      'start_time',
    ],
    [
      'an open day without an end',
      { json: { ...special, end_time: undefined } },
      400,
      'validation_error',
      'end_time',
    ],
    [
      'an open day with null hours',
      { json: { ...special, start_time: null } },
      400,
      'validation_error',
      'start_time',
    ],
    [
      'an end before the start',
      { json: { ...special, end_time: '09:00' } },
      400,
      'validation_error',
      'end_time',
    ],
    [
      'a malformed time',
      { json: { ...special, start_time: '10h' } },
      400,
      'validation_error',
      'start_time',
    ],
    [
      'a start at 24:00',
      { json: { ...special, start_time: '24:00', end_time: '24:00' } },
      400,
      'validation_error',
      'start_time',
    ],
    [
      'an end after 24:00',
      { json: { ...special, end_time: '24:01' } },
      400,
      'validation_error',
      'end_time',
    ],
    [
      'a reason too long',
      { json: { ...closed, reason: 'x'.repeat(201) } },
      400,
      'validation_error',
      'reason',
    ],
    [
      'malformed JSON',
      { body: '{"date"', headers: { 'content-type': 'application/json' } },
      400,
      'bad_request',
    ],
    [
      'a text body',
      { body: 'closed', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
  ];

  it.each(bad)('refuses %s without changing anything', async (_name, args, status, code, field) => {
    const doc = await practitioner();
    const { body: existing } = await crm(doc, 'POST', '/overrides', { json: closed });
    const before = await snapshot(CRM_TABLES);
    const res = await crm(doc, 'POST', '/overrides', args);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toEqual(expect.any(String));
    if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    expect((await crm(doc, 'GET', '/overrides')).body).toEqual([existing]);
  });
});
