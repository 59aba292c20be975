import { describe, expect, it } from 'vitest';
import { db, snapshot } from '../helpers/db.ts';
import { admin, app, auditOf, crm, CRM_TABLES, patient, practitioner } from './helpers.ts';
import { call } from '../helpers/http.ts';

const range = { day_of_week: 2, start_time: '09:00', end_time: '11:00', slot_duration_minutes: 20 };
const instruction = { title: 'Documents', content: 'Bring your insurance card.' };

/** One request per CRM route, enough to reach the role check. */
const ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/schedule'],
  ['POST', '/schedule', range],
  ['PATCH', `/schedule/${crypto.randomUUID()}`, { is_active: false }],
  ['DELETE', `/schedule/${crypto.randomUUID()}`],
  ['GET', '/overrides'],
  ['POST', '/overrides', { date: '2030-01-01', is_available: false }],
  ['DELETE', `/overrides/${crypto.randomUUID()}`],
  ['GET', '/reasons'],
  ['POST', '/reasons', { label: 'Check-up' }],
  ['PATCH', `/reasons/${crypto.randomUUID()}`, { label: 'Check-up' }],
  ['GET', '/instructions'],
  ['POST', '/instructions', instruction],
  ['PATCH', `/instructions/${crypto.randomUUID()}`, { title: 'x' }],
  ['GET', '/reviews'],
  ['PATCH', `/reviews/${crypto.randomUUID()}/reply`, { practitioner_reply: 'Thank you' }],
  ['PATCH', '/profile', { about: 'x' }],
  ['GET', '/appointments'],
  ['GET', `/appointments/${crypto.randomUUID()}`],
  ['PATCH', `/appointments/${crypto.randomUUID()}/confirm`],
  ['PATCH', `/appointments/${crypto.randomUUID()}/cancel`, { cancellation_reason: 'x' }],
  ['PATCH', `/appointments/${crypto.randomUUID()}/complete`, { practitioner_notes: 'x' }],
  ['PATCH', `/appointments/${crypto.randomUUID()}/no-show`],
  ['GET', '/dashboard/stats?from=2030-01-01&to=2030-01-31'],
];

describe('crm access', () => {
  it.each(ROUTES)(
    '%s %s refuses a patient (403) and an anonymous caller (401)',
    async (method, path, json) => {
      const user = await patient();
      const before = await snapshot(CRM_TABLES);
      const refused = await crm(user, method, path, { json });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      const anonymous = await crm(undefined, method, path, { json });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
      expect(await snapshot(CRM_TABLES)).toEqual(before);
    },
  );

  it('checks the role before the input: a patient sending a bad body still gets 403', async () => {
    const res = await crm(await patient(), 'POST', '/schedule', { json: { day_of_week: 9 } });
    expect(res.status).toBe(403);
  });

  it.each(ROUTES)(
    '%s %s asks an admin to name the practitioner (400)',
    async (method, path, json) => {
      const boss = await admin();
      const before = await snapshot(CRM_TABLES);
      const res = await crm(boss, method, path, { json });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details.fieldErrors).toHaveProperty('practitioner_id');
      expect(await snapshot(CRM_TABLES)).toEqual(before);
    },
  );

  it('refuses a practitioner_id that is not a uuid, or names no practitioner', async () => {
    const boss = await admin();
    const someone = await patient();
    for (const id of ['nope', crypto.randomUUID(), someone.id]) {
      const res = await crm(boss, 'GET', `/schedule?practitioner_id=${id}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details.fieldErrors).toHaveProperty('practitioner_id');
    }
  });

  it('lets an admin act for a practitioner: rows go to that practitioner, the admin is the actor', async () => {
    const boss = await admin();
    const doc = await practitioner();
    const q = `?practitioner_id=${doc.id}`;
    const created = await crm(boss, 'POST', `/schedule${q}`, { json: range });
    expect(created.status).toBe(201);
    const [row] =
      await db`select practitioner_id from public.practitioner_weekly_schedule where id = ${created.body.id}`;
    expect(row.practitioner_id).toBe(doc.id);
    expect((await crm(doc, 'GET', '/schedule')).body).toEqual([created.body]);
    expect((await crm(boss, 'GET', `/schedule${q}`)).body).toEqual([created.body]);

    const changed = await crm(boss, 'PATCH', `/schedule/${created.body.id}${q}`, {
      json: { is_active: false },
    });
    expect(changed.status).toBe(200);
    const override = await crm(boss, 'POST', `/overrides${q}`, {
      json: { date: '2030-05-01', is_available: false },
    });
    expect(override.status).toBe(200);
    expect((await crm(boss, 'POST', `/reasons${q}`, { json: { label: 'Follow-up' } })).status).toBe(
      201,
    );
    expect((await crm(boss, 'POST', `/instructions${q}`, { json: instruction })).status).toBe(201);
    const profile = await crm(boss, 'PATCH', `/profile${q}`, {
      json: { city: 'Haifa', first_name: 'Dina' },
    });
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      id: doc.id,
      city: 'Haifa',
      profiles: { first_name: 'Dina' },
    });
    expect((await crm(boss, 'DELETE', `/overrides/${override.body.id}${q}`)).status).toBe(204);
    expect((await crm(boss, 'DELETE', `/schedule/${created.body.id}${q}`)).status).toBe(204);

    const audit = await auditOf(boss.id);
    expect(audit.map((a) => a.action)).toEqual([
      'schedule.create',
      'schedule.update',
      'override.create',
      'reason.create',
      'instruction.create',
      'profile.update',
      'override.delete',
      'schedule.delete',
    ]);
    expect(audit.every((a) => a.details.practitioner_id === doc.id)).toBe(true);
    expect(await auditOf(doc.id)).toEqual([]);
  });

  it("keeps an admin's work for one practitioner away from another's rows", async () => {
    const boss = await admin();
    const doc = await practitioner();
    const other = await practitioner();
    const { body: mine } = await crm(doc, 'POST', '/schedule', { json: range });
    const before = await snapshot(CRM_TABLES);
    const res = await crm(boss, 'DELETE', `/schedule/${mine.id}?practitioner_id=${other.id}`);
    expect(res.status).toBe(404);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
  });

  it('refuses a practitioner naming another practitioner (403) and accepts their own id', async () => {
    const doc = await practitioner();
    const other = await practitioner();
    const before = await snapshot(CRM_TABLES);
    const refused = await crm(doc, 'POST', `/schedule?practitioner_id=${other.id}`, {
      json: range,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await crm(doc, 'GET', `/schedule?practitioner_id=${other.id}`)).status).toBe(403);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    const own = await crm(doc, 'POST', `/schedule?practitioner_id=${doc.id.toUpperCase()}`, {
      json: range,
    });
    expect(own.status).toBe(201);
  });

  it('serves its OpenAPI document without a token, documenting the practitioner_id rule', async () => {
    const res = await call(app, 'GET', '/crm/openapi.json');
    expect(res.status).toBe(200);
    const post = res.body.paths['/crm/schedule'].post;
    expect(post.description).toContain('practitioner_id');
    expect(post.parameters.map((p: { name: string }) => p.name)).toContain('practitioner_id');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining([
      '/crm/schedule/{id}',
      '/crm/overrides',
      '/crm/overrides/{id}',
      '/crm/reasons',
      '/crm/reasons/{id}',
      '/crm/instructions',
      '/crm/instructions/{id}',
      '/crm/reviews',
      '/crm/profile',
      '/crm/appointments',
      '/crm/appointments/{id}',
      '/crm/appointments/{id}/confirm',
      '/crm/appointments/{id}/cancel',
      '/crm/appointments/{id}/complete',
      '/crm/appointments/{id}/no-show',
      '/crm/dashboard/stats',
    ]));
  });
});
