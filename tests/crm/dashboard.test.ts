import { beforeAll, describe, expect, it } from 'vitest';
import { wireCounter } from '../../dev/lib/round-trips.ts';
import { addDriverOptions } from '../../shared/db/client.ts';
import type { TestUser } from '../helpers/users.ts';
import {
  admin,
  type AppointmentStatus,
  crm,
  footprint,
  insertAppointment,
  patient,
  practitioner,
} from './helpers.ts';

// This file's pool counts what it sends (each test file has its own pool).
const wire = wireCounter();
addDriverOptions(wire.options);

const PERIOD = 'from=2035-02-01&to=2035-02-28';
const ZERO = { pending: 0, confirmed: 0, cancelled: 0, completed: 0, no_show: 0 };

describe('crm dashboard stats', () => {
  let doc: TestUser;
  let other: TestUser;
  let person: TestUser;
  let someoneElse: TestUser;
  let boss: TestUser;

  beforeAll(async () => {
    [doc, other, person, someoneElse, boss] = await Promise.all([
      practitioner(),
      practitioner(),
      patient(),
      patient(),
      admin(),
    ]);
    const book = (date: string, start: string, status: AppointmentStatus, who = doc) =>
      insertAppointment({
        practitionerId: who.id,
        patientId: person.id,
        date,
        start,
        end: `${start.slice(0, 3)}30`,
        status,
      });
    // In the period: 2 pending, 1 confirmed, 3 cancelled (both kinds), 2 completed, 1 no-show.
    await book('2035-02-01', '08:00', 'pending'); // the first day is included
    await book('2035-02-10', '09:00', 'pending');
    await book('2035-02-10', '10:00', 'confirmed');
    await book('2035-02-11', '09:00', 'cancelled_by_patient');
    await book('2035-02-11', '10:00', 'cancelled_by_practitioner');
    await book('2035-02-11', '11:00', 'cancelled_by_practitioner');
    await book('2035-02-12', '09:00', 'completed');
    await book('2035-02-28', '09:00', 'completed'); // the last day is included
    await book('2035-02-13', '09:00', 'no_show');
    // Outside the period, or another practitioner's: not counted.
    await book('2035-01-31', '09:00', 'pending');
    await book('2035-03-01', '09:00', 'confirmed');
    await book('2036-02-10', '09:00', 'completed');
    await book('2035-02-15', '09:00', 'confirmed', other);
    await book('2035-02-15', '10:00', 'cancelled_by_patient', other);
  });

  const EXPECTED = { pending: 2, confirmed: 1, cancelled: 3, completed: 2, no_show: 1 };

  it('counts the period by status, both cancelled statuses as one, as JSON numbers', async () => {
    const res = await crm(doc, 'GET', `/dashboard/stats?${PERIOD}&_t=1`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(EXPECTED);
    expect(Object.keys(res.body)).toEqual(Object.keys(EXPECTED));
    const oneDay = await crm(doc, 'GET', '/dashboard/stats?from=2035-02-11&to=2035-02-11');
    expect(oneDay.body).toEqual({ ...ZERO, cancelled: 3 });
    const otherPractice = await crm(other, 'GET', `/dashboard/stats?${PERIOD}`);
    expect(otherPractice.body).toEqual({ ...ZERO, confirmed: 1, cancelled: 1 });
    const empty = await crm(doc, 'GET', '/dashboard/stats?from=2020-01-01&to=2020-12-31');
    expect(empty.body).toEqual(ZERO);
  });

  it('takes a period of exactly 366 days', async () => {
    const res = await crm(doc, 'GET', '/dashboard/stats?from=2034-12-31&to=2036-01-01');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...EXPECTED, pending: 3, confirmed: 2 });
  });

  it.each([
    ['patient A (the patients of the counted appointments)', 'person', '', 403],
    ['patient B', 'someoneElse', '', 403],
    ['practitioner X', 'doc', '', 200],
    ['practitioner Y', 'other', '', 200],
    ['practitioner X naming Y', 'doc', 'other', 403],
    ['admin without practitioner_id', 'boss', '', 400],
    ['admin for X', 'boss', 'doc', 200],
    ['admin for Y', 'boss', 'other', 200],
    ['nobody', '', '', 401],
  ])('answers %s with %s', async (_name, who, forWhom, status) => {
    const users: Record<string, TestUser> = { doc, other, person, someoneElse, boss };
    const named = forWhom ? `&practitioner_id=${users[forWhom].id}` : '';
    const res = await crm(
      who ? users[who] : undefined,
      'GET',
      `/dashboard/stats?${PERIOD}${named}`,
    );
    expect(res.status).toBe(status);
    if (status === 200) {
      // Each practice sees its own counts only.
      const mine = (forWhom || who) === 'doc';
      expect(res.body).toEqual(mine ? EXPECTED : { ...ZERO, confirmed: 1, cancelled: 1 });
    } else {
      expect(Object.keys(res.body)).toEqual(['error']);
    }
  });

  const bad: Array<[string, string, string]> = [
    ['no period at all', '', 'from'],
    ['no start', 'to=2035-02-28', 'from'],
    ['no end', 'from=2035-02-01', 'to'],
    ['an empty start', 'from=&to=2035-02-28', 'from'],
    ['an impossible start', 'from=2035-02-30&to=2035-03-31', 'from'],
    ['an impossible end', 'from=2035-02-01&to=2035-13-01', 'to'],
    ['an end that is a word', 'from=2035-02-01&to=later', 'to'],
    ['a start with a time', 'from=2035-02-01T00:00:00Z&to=2035-02-28', 'from'],
    ['an end before the start', 'from=2035-02-28&to=2035-02-01', 'to'],
    ['a period over 366 days', 'from=2034-12-31&to=2036-01-02', 'to'],
    ['a malformed practitioner_id', `${PERIOD}&practitioner_id=42`, 'practitioner_id'],
    ['a start as a number', 'from=20350201&to=2035-02-28', 'from'],
  ];

  it.each(bad)('refuses %s (400) and writes nothing', async (_name, query, field) => {
    const before = await footprint([doc.id]);
    const res = await crm(doc, 'GET', `/dashboard/stats?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
    expect(await footprint([doc.id])).toEqual(before);
  });

  it('refuses an admin naming an unknown practitioner or a patient', async () => {
    for (const id of [crypto.randomUUID(), person.id]) {
      const res = await crm(boss, 'GET', `/dashboard/stats?${PERIOD}&practitioner_id=${id}`);
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_error']);
      expect(res.body.error.details.fieldErrors).toHaveProperty('practitioner_id');
    }
  });
});

describe('crm reads of one statement', () => {
  /** Statements and round trips per request, once the route is warm. */
  async function perRequest(act: () => Promise<unknown>, runs = 5) {
    await act();
    const before = { ...wire.counts };
    for (let i = 0; i < runs; i++) await act();
    return {
      statements: (wire.counts.statements - before.statements) / runs,
      roundTrips: (wire.counts.writes - before.writes) / runs,
    };
  }

  it.each([
    ['GET /dashboard/stats', `/dashboard/stats?${PERIOD}`],
    ['GET /appointments', `/appointments?${PERIOD}&status=pending`],
    ['GET /appointments/:id', `/appointments/${crypto.randomUUID()}`],
  ])('%s takes 2 round trips: the gate, then its whole transaction', async (_name, path) => {
    const doc = await practitioner();
    const cost = await perRequest(async () => {
      const res = await crm(doc, 'GET', path);
      expect([200, 404]).toContain(res.status);
    });
    // The gate; begin, role and claims, the read and the commit.
    expect(cost).toEqual({ statements: 5, roundTrips: 2 });
  });
});
