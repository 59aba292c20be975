import { describe, expect, it } from 'vitest';
import { app } from '../functions/specialties/app.ts';
import { db } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { createUser } from './helpers/users.ts';

const list = (options: CallOptions = {}, query = '') =>
  call(app, 'GET', `/specialties${query}`, options);

/**
 * Runs `work` while no specialty can be added or changed: other test files add specialties, and
 * an entity tag is only stable while the list is.
 */
function whileTheListHolds<T>(work: () => Promise<T>): Promise<T> {
  return db.begin(async (tx) => {
    await tx`lock table public.specialties in share mode`;
    return await work();
  }) as Promise<T>;
}

describe('GET /specialties', () => {
  it('answers every specialty with its name in each language, without a token', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    const seeded = await db`select id, name, name_he, name_fr, name_ru, name_en, name_am, name_es
      from public.specialties`;
    expect(res.body.length).toBeGreaterThanOrEqual(seeded.length);
    const cardiology = res.body.find((s: { name: string }) => s.name === 'Cardiology');
    expect(cardiology).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Cardiology',
      name_he: 'קרדיולוגיה',
      name_fr: 'Cardiologie',
      name_ru: 'Кардиология',
      name_en: 'Cardiology',
      name_am: 'የልብ ሕክምና',
      name_es: 'Cardiología',
      icon_url: null,
    });
    for (const s of seeded) {
      expect(res.body).toContainEqual({ ...s, icon_url: null });
    }
  });

  it('answers the same with any token, and ignores query parameters', async () => {
    const user = await createUser();
    await whileTheListHolds(async () => {
      const plain = await list();
      expect((await list({ token: user.token })).body).toEqual(plain.body);
      expect((await list({}, `?_t=${Date.now()}&locale=he`)).body).toEqual(plain.body);
    });
  });

  it('is cacheable: Cache-Control and an ETag, and 304 without a body when it is current', async () => {
    await whileTheListHolds(async () => {
      const first = await list();
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(first.headers.get('cache-control')).toBe('public, max-age=3600');
      for (const held of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const again = await list({ headers: { 'if-none-match': held } });
        expect(again.status, held).toBe(304);
        expect(again.body, held).toBeUndefined();
        expect(again.headers.get('etag'), held).toBe(etag);
        expect(again.headers.get('cache-control'), held).toBe('public, max-age=3600');
      }
    });
  });

  it.each([
    '"0123456789abcdef0123456789abcdef"',
    'W/"stale"',
    'not-a-tag',
    '""',
    '',
    ',,,',
    `"${'a'.repeat(2000)}"`,
  ])('answers the whole list to If-None-Match %j, which names no current tag', async (held) => {
    const res = await list({ headers: { 'if-none-match': held } });
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(20);
  });

  // Named in every script, as tests/seed.test.ts wants every specialty to be.
  it('changes its tag when the list changes: the old tag gets the new list', async () => {
    const before = await list();
    const name = `Specialty ${crypto.randomUUID()}`;
    await db`insert into public.specialties (name, name_fr, name_he, name_en, name_ru, name_am, name_es)
      values (${name}, 'Essai', 'ניסיון', 'Trial', 'Испытание', 'ሙከራ', 'Prueba')`;
    const after = await list({ headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(after.body.map((s: { name: string }) => s.name)).toContain(name);
  });

  it('offers only reading: other methods are not routes', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await call(app, method, '/specialties', { json: { name: 'x' } });
      expect(res.status, method).toBe(404);
    }
  });
});
