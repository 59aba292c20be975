import { describe, expect, it } from 'vitest';
import { asUser } from '../../shared/db/as-user.ts';
import { db } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { undocumentedRequestParts } from '../helpers/openapi-conformance.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { cardiology, crm, footprint, register, searchIds, uniqueName, wizard } from './helpers.ts';

const patchProfile = (user: TestUser, query: string, json: unknown) =>
  call(crm, 'PATCH', `/crm/profile${query}`, { token: user.token, json });

async function registered(): Promise<{ user: TestUser; lastName: string }> {
  const user = await createUser();
  const lastName = uniqueName();
  const res = await register(user, {
    json: wizard((await cardiology()).id, { last_name: lastName }),
  });
  expect(res.status).toBe(201);
  return { user, lastName };
}

const auditOf = (actorId: string) =>
  db`select action, entity_id, details from public.audit_log where actor_id = ${actorId}
     order by id`;

describe('activation of a registered practitioner (PATCH /crm/profile, is_active)', () => {
  it('an admin activates, then withdraws, a practitioner; each step audited', async () => {
    const { user, lastName } = await registered();
    const boss = await createUser({ role: 'admin' });
    const on = await patchProfile(boss, `?practitioner_id=${user.id}`, { is_active: true });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ id: user.id, is_active: true });
    expect(await searchIds(lastName)).toEqual([user.id]);
    const off = await patchProfile(boss, `?practitioner_id=${user.id}`, { is_active: false });
    expect(off.body.is_active).toBe(false);
    expect(await searchIds(lastName)).toEqual([]);
    expect(await auditOf(boss.id)).toEqual([
      {
        action: 'profile.update',
        entity_id: user.id,
        details: { practitioner_id: user.id, fields: ['is_active'] },
      },
      {
        action: 'profile.update',
        entity_id: user.id,
        details: { practitioner_id: user.id, fields: ['is_active'] },
      },
    ]);
    expect(await undocumentedRequestParts(crm, 'PATCH', '/crm/profile', { is_active: true }))
      .toEqual([]);
  });

  it('refuses the practitioner themself (403), with the rest of the change, and writes nothing', async () => {
    const { user } = await registered();
    const before = await footprint(user.id);
    const res = await patchProfile(user, '', { is_active: true, about: 'Cardiologist' });
    expectRefusal(res, 403);
    expect(res.body.error.message).toBe(
      'Only an administrator can publish or withdraw a practitioner.',
    );
    expect(await footprint(user.id)).toEqual(before);
  });

  it('refuses a patient (403) and writes nothing', async () => {
    const { user } = await registered();
    const someone = await createUser();
    const before = await footprint(user.id);
    expectRefusal(
      await patchProfile(someone, `?practitioner_id=${user.id}`, { is_active: true }),
      403,
    );
    expect(await footprint(user.id)).toEqual(before);
  });

  it('is refused by the database too, to anyone signed in but an admin', async () => {
    const { user } = await registered();
    const attempt = asUser(
      { sub: user.id, role: 'authenticated' },
      (tx) => tx`update public.practitioners set is_active = true where id = ${user.id}`,
    );
    await expect(attempt).rejects.toMatchObject({ code: '42501' });
    const boss = await createUser({ role: 'admin' });
    await asUser(
      { sub: boss.id, role: 'authenticated' },
      (tx) => tx`update public.practitioners set is_active = true where id = ${user.id}`,
    );
    const [{ is_active }] = await db`select is_active from public.practitioners
      where id = ${user.id}`;
    expect(is_active).toBe(true);
  });

  it.each([[{ is_active: 'yes' }], [{ is_active: 1 }], [{ is_active: null }]])(
    'refuses %j in words',
    async (json) => {
      const { user } = await registered();
      const boss = await createUser({ role: 'admin' });
      const before = await footprint(user.id);
      const res = await patchProfile(boss, `?practitioner_id=${user.id}`, json);
      expectRefusal(res, 400);
      expect(res.body.error.details.fieldErrors).toHaveProperty('is_active');
      expect(await footprint(user.id)).toEqual(before);
    },
  );
});
