import { describe, expect, it } from 'vitest';
import { db, snapshot } from '../helpers/db.ts';
import { admin, auditOf, crm, CRM_TABLES, practitioner } from './helpers.ts';

const reason = {
  label: 'Initial consultation',
  label_fr: 'Consultation initiale',
  label_he: 'ביקור ראשון',
  sort_order: 2,
  is_active: true,
};

async function globalReason(fields: { label: string; sort_order?: number; is_active?: boolean }) {
  const [row] = await db`
    insert into public.appointment_reasons (practitioner_id, label, sort_order, is_active)
    values (null, ${fields.label}, ${fields.sort_order ?? 0}, ${fields.is_active ?? true})
    returning id, practitioner_id, label, label_fr, label_he, sort_order, is_active`;
  return { ...row };
}

async function storedReason(id: string) {
  const [row] = await db`
    select label, label_fr, label_he, sort_order, is_active from public.appointment_reasons where id = ${id}`;
  return { ...row };
}

describe('crm reasons', () => {
  it('adds a reason of the practitioner: 201 with the row', async () => {
    const doc = await practitioner();
    const res = await crm(doc, 'POST', '/reasons', { json: reason });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      practitioner_id: doc.id,
      ...reason,
    });
    const minimal = await crm(doc, 'POST', '/reasons', {
      json: { label: '  Follow-up  ', label_fr: '' },
    });
    expect(minimal.body).toEqual({
      id: expect.any(String),
      practitioner_id: doc.id,
      label: 'Follow-up',
      label_fr: null,
      label_he: null,
      sort_order: 0,
      is_active: true,
    });
  });

  it("lists the global reasons and the practitioner's own, by sort order, not another's", async () => {
    const doc = await practitioner();
    const other = await practitioner();
    const shared = await globalReason({ label: `Global ${crypto.randomUUID()}`, sort_order: 1 });
    const retired = await globalReason({
      label: `Retired ${crypto.randomUUID()}`,
      is_active: false,
    });
    const { body: own } = await crm(doc, 'POST', '/reasons', {
      json: { label: 'Own', sort_order: 0 },
    });
    const { body: hidden } = await crm(doc, 'POST', '/reasons', {
      json: { label: 'Own hidden', sort_order: 5, is_active: false },
    });
    const { body: theirs } = await crm(other, 'POST', '/reasons', { json: { label: 'Theirs' } });

    const res = await crm(doc, 'GET', '/reasons');
    expect(res.status).toBe(200);
    const ids = res.body.map((r: { id: string }) => r.id);
    expect(res.body).toEqual(expect.arrayContaining([own, hidden, shared]));
    expect(ids).not.toContain(theirs.id);
    expect(ids).not.toContain(retired.id);
    const orders = res.body.map((r: { sort_order: number }) => r.sort_order);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(ids.indexOf(own.id)).toBeLessThan(ids.indexOf(shared.id));
    expect(
      res.body.every((r: { practitioner_id: string | null }) =>
        r.practitioner_id === null || r.practitioner_id === doc.id
      ),
    )
      .toBe(true);
  });

  it('changes some fields of an own reason, keeps the rest, audits the field names', async () => {
    const doc = await practitioner();
    const { body: row } = await crm(doc, 'POST', '/reasons', { json: reason });
    const res = await crm(doc, 'PATCH', `/reasons/${row.id}`, {
      json: { label_he: null, is_active: false },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...row, label_he: null, is_active: false });
    expect(await auditOf(doc.id)).toEqual([
      {
        action: 'reason.create',
        entity: 'appointment_reasons',
        entity_id: row.id,
        details: { practitioner_id: doc.id },
      },
      {
        action: 'reason.update',
        entity: 'appointment_reasons',
        entity_id: row.id,
        details: { practitioner_id: doc.id, fields: ['label_he', 'is_active'] },
      },
    ]);
  });

  it('refuses a practitioner changing a global reason (403), and lets an admin change it', async () => {
    const doc = await practitioner();
    const boss = await admin();
    const shared = await globalReason({ label: `Global ${crypto.randomUUID()}` });
    const before = await snapshot(CRM_TABLES);
    const refused = await crm(doc, 'PATCH', `/reasons/${shared.id}`, {
      json: { label: 'Mine now' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    expect(await storedReason(shared.id)).toMatchObject({ label: shared.label });

    const allowed = await crm(boss, 'PATCH', `/reasons/${shared.id}?practitioner_id=${doc.id}`, {
      json: { label_fr: 'Partagé' },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ ...shared, label_fr: 'Partagé' });
    expect((await auditOf(boss.id)).map((a) => a.action)).toEqual(['reason.update']);
  });

  it("answers 404 for another practitioner's reason and for an unknown id, rows unchanged", async () => {
    const owner = await practitioner();
    const intruder = await practitioner();
    const { body: row } = await crm(owner, 'POST', '/reasons', { json: reason });
    const before = await snapshot(CRM_TABLES);
    for (const id of [row.id, crypto.randomUUID()]) {
      const res = await crm(intruder, 'PATCH', `/reasons/${id}`, { json: { label: 'Taken' } });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    expect(await storedReason(row.id)).toMatchObject({ label: reason.label });
  });

  const badPosts: Array<[string, unknown, string]> = [
    ['a missing label', { label_fr: 'Suivi' }, 'label'],
    ['an empty label', { label: '' }, 'label'],
    ['a blank label', { label: '   ' }, 'label'],
    ['a null label', { label: null }, 'label'],
    ['a label too long', { label: 'x'.repeat(201) }, 'label'],
    ['a label as a number', { label: 12 }, 'label'],
    ['a French label too long', { label: 'ok', label_fr: 'x'.repeat(201) }, 'label_fr'],
    ['a Hebrew label as a list', { label: 'ok', label_he: ['x'] }, 'label_he'],
    ['a negative sort order', { label: 'ok', sort_order: -1 }, 'sort_order'],
    ['a fractional sort order', { label: 'ok', sort_order: 1.5 }, 'sort_order'],
    ['a huge sort order', { label: 'ok', sort_order: 2 ** 40 }, 'sort_order'],
    ['is_active as a number', { label: 'ok', is_active: 1 }, 'is_active'],
  ];

  it.each(badPosts)('refuses to add %s without changing anything', async (_name, json, field) => {
    const doc = await practitioner();
    const before = await snapshot(CRM_TABLES);
    const res = await crm(doc, 'POST', '/reasons', { json });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
  });

  const badPatches: Array<[string, unknown, string]> = [
    ['a null label', { label: null }, 'label'],
    ['an empty label', { label: '' }, 'label'],
    ['a null sort order', { sort_order: null }, 'sort_order'],
    ['is_active as text', { is_active: 'no' }, 'is_active'],
  ];

  it.each(badPatches)(
    'refuses to change with %s without changing anything',
    async (_name, json, field) => {
      const doc = await practitioner();
      const { body: row } = await crm(doc, 'POST', '/reasons', { json: reason });
      const before = await snapshot(CRM_TABLES);
      const res = await crm(doc, 'PATCH', `/reasons/${row.id}`, { json });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
      expect(await snapshot(CRM_TABLES)).toEqual(before);
      expect(await storedReason(row.id)).toEqual({
        label: reason.label,
        label_fr: reason.label_fr,
        label_he: reason.label_he,
        sort_order: reason.sort_order,
        is_active: true,
      });
    },
  );

  it('refuses a body that is not JSON and a malformed id', async () => {
    const doc = await practitioner();
    const before = await snapshot(CRM_TABLES);
    const notJson = await crm(doc, 'POST', '/reasons', {
      body: '{"label":',
      headers: { 'content-type': 'application/json' },
    });
    expect([notJson.status, notJson.body.error.code]).toEqual([400, 'bad_request']);
    const badId = await crm(doc, 'PATCH', '/reasons/123', { json: { label: 'x' } });
    expect([badId.status, badId.body.error.code]).toEqual([400, 'validation_error']);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
  });
});
