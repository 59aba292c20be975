import { describe, expect, it } from 'vitest';
import { app as health } from '../../functions/health/app.ts';
import { db } from '../helpers/db.ts';
import { call } from '../helpers/http.ts';
import { badAuthorizations, expectRefusal } from '../helpers/refusals.ts';
import { createUser } from '../helpers/users.ts';
import { cardiology, footprint, me, register, wizard } from './helpers.ts';

describe('GET /practitioners/me', () => {
  it('answers 404 to a signed-in user with no practitioner record, never cached', async () => {
    for (const role of ['patient', 'admin'] as const) {
      const user = await createUser({ role });
      const res = await me(user, `?_t=${Date.now()}`);
      expectRefusal(res, 404, role);
      expect(res.body.error).toEqual({
        code: 'not_found',
        message: 'You are not registered as a practitioner yet.',
        details: {},
      });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it("answers the caller's own record, ignoring unknown query parameters, never cached", async () => {
    const user = await createUser();
    const registered = await register(user, { json: wizard((await cardiology()).id) });
    for (const query of ['', `?_t=${Date.now()}`, '?_t=abc&foo=bar', '?practitioner_id=x']) {
      const res = await me(user, query);
      expect(res.status, query).toBe(200);
      expect(res.body, query).toEqual(registered.body);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('etag')).toBeNull();
    }
  });

  it('lists what a record made by a role change lacks, the required fields first', async () => {
    const user = await createUser({ role: 'practitioner', firstName: 'Dov', lastName: '' });
    const res = await me(user);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: user.id,
      profiles: { first_name: 'Dov', last_name: null, avatar_url: null },
      is_active: true,
      is_published: true,
      is_complete: false,
      missing_fields: [
        'last_name',
        'email',
        'phone',
        'city',
        'specialty_id',
        'license_number',
        'address_line',
        'street_number',
        'about',
        'education',
        'languages',
        'avatar_url',
        'price_min_agorot',
        'price_max_agorot',
      ],
    });
  });

  it('is complete with the required fields alone and lists nothing once all are filled', async () => {
    const user = await createUser();
    await register(user, { json: wizard((await cardiology()).id) });
    await db`update public.practitioners set about = 'Cardiologist', education = 'TAU',
      languages = '{Hebrew,French}', price_min_agorot = 20000, price_max_agorot = 40000
      where id = ${user.id}`;
    await db`update public.profiles set avatar_url = 'https://cdn.example/a.png'
      where id = ${user.id}`;
    const res = await me(user);
    expect(res.body).toMatchObject({
      is_complete: true,
      missing_fields: [],
      about: 'Cardiologist',
      languages: ['Hebrew', 'French'],
      price_min_agorot: 20000,
      price_max_agorot: 40000,
      profiles: { avatar_url: 'https://cdn.example/a.png' },
    });
  });

  it('shows whether a teudat zehut is on file, masked, never in clear', async () => {
    const user = await createUser();
    await register(user, { json: wizard((await cardiology()).id) });
    const saved = await call(health, 'PUT', '/health/profile', {
      token: user.token,
      json: { teudat_zehut: '039337423' },
    });
    expect(saved.status).toBe(200);
    const res = await me(user);
    expect(res.body).toMatchObject({ has_teudat_zehut: true, teudat_zehut_masked: '*****7423' });
    expect(JSON.stringify(res.body)).not.toContain('039337423');
  });

  it('refuses a request without a valid token (401) and writes nothing', async () => {
    const user = await createUser({ role: 'practitioner' });
    const before = await footprint(user.id);
    for (const headers of await badAuthorizations()) {
      expectRefusal(await me(undefined, '', { headers }), 401, JSON.stringify(headers));
    }
    expect(await footprint(user.id)).toEqual(before);
  });

  it("is only ever the caller's own: another practitioner reads theirs", async () => {
    const one = await createUser({ role: 'practitioner' });
    const other = await createUser({ role: 'practitioner' });
    expect((await me(one)).body.id).toBe(one.id);
    expect((await me(other)).body.id).toBe(other.id);
  });
});
