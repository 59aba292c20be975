import { describe, expect, it } from 'vitest';
import { snapshot } from '../helpers/db.ts';
import { type TestUser } from '../helpers/users.ts';
import { auditOf, crm, CRM_TABLES, practitioner } from './helpers.ts';

/** Each CRM PATCH, with a row of the practitioner to change and one field to send. */
const PATCHES: Array<
  [string, (doc: TestUser) => string | Promise<string>, Record<string, unknown>]
> = [
  [
    'schedule',
    async (doc) => {
      const json = { day_of_week: 3, start_time: '09:00', end_time: '12:00' };
      return `/schedule/${(await crm(doc, 'POST', '/schedule', { json })).body.id}`;
    },
    { is_active: false },
  ],
  [
    'reasons',
    async (doc) =>
      `/reasons/${(await crm(doc, 'POST', '/reasons', { json: { label: 'Check-up' } })).body.id}`,
    { label: 'Follow-up' },
  ],
  [
    'instructions',
    async (doc) => {
      const json = { title: 'Documents', content: 'Bring your card.' };
      return `/instructions/${(await crm(doc, 'POST', '/instructions', { json })).body.id}`;
    },
    { title: 'Papers' },
  ],
  ['profile', () => '/profile', { city: 'Haifa' }],
];

describe('crm PATCH, the same on every route', () => {
  it.each(PATCHES)(
    '%s: nothing sent answers the stored row and writes nothing',
    async (_area, arrange, change) => {
      const doc = await practitioner();
      const path = await arrange(doc);
      const changed = await crm(doc, 'PATCH', path, { json: change });
      expect(changed.status).toBe(200);
      const before = await snapshot(CRM_TABLES);
      const audited = (await auditOf(doc.id)).length;
      const res = await crm(doc, 'PATCH', path, { json: {} });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(changed.body);
      expect(await snapshot(CRM_TABLES)).toEqual(before);
      expect(await auditOf(doc.id)).toHaveLength(audited);
    },
  );

  it.each(PATCHES)(
    '%s: a change is audited with the names of the fields sent',
    async (_area, arrange, change) => {
      const doc = await practitioner();
      const path = await arrange(doc);
      expect((await crm(doc, 'PATCH', path, { json: change })).body).toMatchObject(change);
      const last = (await auditOf(doc.id)).at(-1)!;
      expect(last.action).toMatch(/\.update$/);
      expect(last.details).toEqual({ practitioner_id: doc.id, fields: Object.keys(change) });
    },
  );
});
