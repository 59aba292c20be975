import { describe, expect, it } from 'vitest';
import { db, snapshot } from '../helpers/db.ts';
import { auditOf, crm, CRM_TABLES, practitioner } from './helpers.ts';

const instruction = {
  title: 'Documents to bring',
  content: 'Insurance card, current prescriptions.',
  is_active: true,
  sort_order: 1,
};

async function stored(id: string) {
  const [row] =
    await db`select title, content, is_active, sort_order from public.appointment_instructions where id = ${id}`;
  return { ...row };
}

describe('crm instructions', () => {
  it('adds an instruction (201 with the row) with defaults, and lists by sort order', async () => {
    const doc = await practitioner();
    const res = await crm(doc, 'POST', '/instructions', { json: instruction });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), ...instruction });
    const first = await crm(doc, 'POST', '/instructions', {
      json: { title: ' Fasting ', content: 'No food after midnight.' },
    });
    expect(first.body).toEqual({
      id: expect.any(String),
      title: 'Fasting',
      content: 'No food after midnight.',
      is_active: true,
      sort_order: 0,
    });
    const list = await crm(doc, 'GET', '/instructions');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([first.body, res.body]);
  });

  it('shows a practitioner only their own instructions', async () => {
    const a = await practitioner();
    const b = await practitioner();
    await crm(a, 'POST', '/instructions', { json: instruction });
    expect((await crm(b, 'GET', '/instructions')).body).toEqual([]);
  });

  it('changes some fields, keeps the rest, and audits the field names', async () => {
    const doc = await practitioner();
    const { body: row } = await crm(doc, 'POST', '/instructions', { json: instruction });
    const res = await crm(doc, 'PATCH', `/instructions/${row.id}`, {
      json: { content: 'Only the insurance card.', is_active: false },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...row, content: 'Only the insurance card.', is_active: false });
    const empty = await crm(doc, 'PATCH', `/instructions/${row.id}`, { json: {} });
    expect(empty.body).toEqual(res.body);
    expect(await auditOf(doc.id)).toEqual([
      {
        action: 'instruction.create',
        entity: 'appointment_instructions',
        entity_id: row.id,
        details: { practitioner_id: doc.id },
      },
      {
        action: 'instruction.update',
        entity: 'appointment_instructions',
        entity_id: row.id,
        details: { practitioner_id: doc.id, fields: ['content', 'is_active'] },
      },
    ]);
  });

  it("answers 404 for another practitioner's instruction (also on an empty change), row unchanged", async () => {
    const owner = await practitioner();
    const intruder = await practitioner();
    const { body: row } = await crm(owner, 'POST', '/instructions', { json: instruction });
    const before = await snapshot(CRM_TABLES);
    for (const json of [{ title: 'Mine' }, {}]) {
      const res = await crm(intruder, 'PATCH', `/instructions/${row.id}`, { json });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await snapshot(CRM_TABLES)).toEqual(before);
    expect(await stored(row.id)).toEqual(instruction);
  });

  const badPosts: Array<[string, unknown, string]> = [
    ['a missing title', { content: 'x' }, 'title'],
    ['a missing content', { title: 'x' }, 'content'],
    ['an empty title', { ...instruction, title: '' }, 'title'],
    ['a blank content', { ...instruction, content: '  ' }, 'content'],
    ['a null title', { ...instruction, title: null }, 'title'],
    ['a title too long', { ...instruction, title: 'x'.repeat(201) }, 'title'],
    ['a content too long', { ...instruction, content: 'x'.repeat(5001) }, 'content'],
    ['a content as an object', { ...instruction, content: { text: 'x' } }, 'content'],
    ['is_active as text', { ...instruction, is_active: 'true' }, 'is_active'],
    ['a negative sort order', { ...instruction, sort_order: -3 }, 'sort_order'],
    ['a sort order as text', { ...instruction, sort_order: '1' }, 'sort_order'],
  ];

  it.each(badPosts)('refuses to add %s without changing anything', async (_name, json, field) => {
    const doc = await practitioner();
    const before = await snapshot(CRM_TABLES);
    const res = await crm(doc, 'POST', '/instructions', { json });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
  });

  const badPatches: Array<[string, unknown, string]> = [
    ['a null title', { title: null }, 'title'],
    ['an empty content', { content: '' }, 'content'],
    ['a null is_active', { is_active: null }, 'is_active'],
    ['a fractional sort order', { sort_order: 0.5 }, 'sort_order'],
  ];

  it.each(badPatches)(
    'refuses to change with %s without changing anything',
    async (_name, json, field) => {
      const doc = await practitioner();
      const { body: row } = await crm(doc, 'POST', '/instructions', { json: instruction });
      const before = await snapshot(CRM_TABLES);
      const res = await crm(doc, 'PATCH', `/instructions/${row.id}`, { json });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(Object.keys(res.body.error.details.fieldErrors)).toContain(field);
      expect(await snapshot(CRM_TABLES)).toEqual(before);
      expect(await stored(row.id)).toEqual(instruction);
    },
  );

  it('refuses a body too large and a form body', async () => {
    const doc = await practitioner();
    const before = await snapshot(CRM_TABLES);
    const big = await crm(doc, 'POST', '/instructions', {
      json: { ...instruction, content: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect([big.status, big.body.error.code]).toEqual([413, 'payload_too_large']);
    const form = await crm(doc, 'POST', '/instructions', {
      body: 'title=x&content=y',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([form.status, form.body.error.code]).toEqual([415, 'unsupported_media_type']);
    expect(await snapshot(CRM_TABLES)).toEqual(before);
  });
});
