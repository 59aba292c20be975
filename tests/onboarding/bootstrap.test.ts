import { describe, expect, it } from 'vitest';
import { app as profileApp } from '../../functions/profile/app.ts';
import { db } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { badAuthorizations, expectRefusal } from '../helpers/refusals.ts';
import { createUser } from '../helpers/users.ts';
import { signWithTestKey, supabaseClaims } from '../shared/tokens.ts';
import { bootstrap, footprint } from './helpers.ts';

describe('POST /crm/auth/bootstrap', () => {
  it.each(['patient', 'practitioner', 'admin'] as const)(
    'answers a %s their profile as GET /profile does, and changes nothing',
    async (role) => {
      const user = await createUser({ role, firstName: 'Dana', lastName: 'Levi' });
      const before = await footprint(user.id);
      const res = await bootstrap(user);
      expect(res.status).toBe(200);
      const profile = await call(profileApp, 'GET', '/profile', { token: user.token });
      expect(res.body).toEqual(profile.body);
      expect(res.body).toMatchObject({ id: user.id, role, first_name: 'Dana', email: user.email });
      // Idempotent: again, the same answer and still nothing written.
      expect((await bootstrap(user)).body).toEqual(res.body);
      expect(await footprint(user.id)).toEqual(before);
    },
  );

  it('never takes a role from the sign-up metadata nor from the token', async () => {
    const user = await createUser();
    await db`update auth.users
      set raw_user_meta_data = raw_user_meta_data || '{"role": "admin"}',
          raw_app_meta_data = '{"role": "practitioner"}'
      where id = ${user.id}`;
    const token = await signWithTestKey(supabaseClaims(user.id, {
      user_metadata: { role: 'admin' },
      app_metadata: { role: 'secretary' },
    }));
    const res = await bootstrap(undefined, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('patient');
    const [{ role }] = await db`select role::text from public.profiles where id = ${user.id}`;
    expect(role).toBe('patient');
  });

  it('ignores a body: the CRM sends none, but a JSON one changes nothing', async () => {
    const user = await createUser();
    const before = await footprint(user.id);
    const res = await bootstrap(user, { json: { role: 'admin', first_name: 'Hacker' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'patient', first_name: null });
    expect(await footprint(user.id)).toEqual(before);
  });

  it('refuses a request without a valid token (401) and writes nothing', async () => {
    const user = await createUser();
    const before = await footprint(user.id);
    for (const headers of await badAuthorizations()) {
      expectRefusal(await bootstrap(undefined, { headers }), 401, JSON.stringify(headers));
    }
    expect(await footprint(user.id)).toEqual(before);
  });
});
