import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { app } from '../../functions/relatives/app.ts';
import { asUser } from '../../shared/db/as-user.ts';
import { db } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { jpeg, png, webp } from '../helpers/images.ts';
import { expectRefusal, MALFORMED_IDS } from '../helpers/refusals.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

const MAX = 5 * 1024 * 1024;
const storageDir = inject('storageDir');
const relativeFolder = (userId: string, relativeId: string) =>
  path.join(storageDir, 'avatars', userId, 'relatives', relativeId);

async function filesOf(userId: string, relativeId: string): Promise<string[]> {
  try {
    return (await readdir(relativeFolder(userId, relativeId))).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

const stored = async (id: string) =>
  (await db`select avatar_url, avatar_path, r::text as row from public.relatives r where id = ${id}`)[
    0
  ];

async function addRelative(user: TestUser): Promise<string> {
  const res = await call(app, 'POST', '/relatives', {
    token: user.token,
    json: { first_name: 'Noa', last_name: 'Cohen', relation: 'child' },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

function avatarForm(
  bytes: Uint8Array<ArrayBuffer>,
  name = 'photo.jpg',
  type = 'application/octet-stream',
  field = 'avatar',
) {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type }), name);
  return form;
}

const upload = (user: TestUser | undefined, id: string, options: CallOptions) =>
  call(app, 'POST', `/relatives/${id}/avatar`, { token: user?.token, ...options });

const urlPattern = (userId: string, relativeId: string, extension: string) =>
  new RegExp(
    `/storage/v1/object/public/avatars/${userId}/relatives/${relativeId}/[0-9a-f-]{36}\\.${extension}$`,
  );

describe('POST /relatives/:id/avatar', () => {
  it.each(
    [
      // The patient app names every file by its extension and often sends octet-stream.
      ['JPEG', jpeg(), 'jpg', 'photo.png', 'application/octet-stream'],
      ['PNG', png(), 'png', 'photo.jpg', 'image/jpeg'],
      ['WebP', webp(), 'webp', 'photo', 'image/png'],
    ] as const,
  )(
    'stores a %s picture by its bytes, on the relative at once, and answers {avatar_url}',
    async (_f, bytes, ext, name, type) => {
      const user = await createUser();
      const id = await addRelative(user);
      const res = await upload(user, id, { body: avatarForm(bytes, name, type) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ avatar_url: expect.stringMatching(urlPattern(user.id, id, ext)) });
      const files = await filesOf(user.id, id);
      expect(files).toHaveLength(1);
      expect(new Uint8Array(await readFile(path.join(relativeFolder(user.id, id), files[0]))))
        .toEqual(bytes);
      expect(await stored(id)).toMatchObject({
        avatar_url: res.body.avatar_url,
        avatar_path: `${user.id}/relatives/${id}/${files[0]}`,
      });
      // Adding a relative is POST then the upload, with no PATCH: the list shows it already.
      const list = await call(app, 'GET', '/relatives', { token: user.token });
      expect(list.body[0].avatar_url).toBe(res.body.avatar_url);
    },
  );

  it('gives every upload a new URL and deletes the picture it replaces', async () => {
    const user = await createUser();
    const id = await addRelative(user);
    const first = await upload(user, id, { body: avatarForm(png()) });
    const second = await upload(user, id, { body: avatarForm(png()) });
    expect(second.status).toBe(200);
    expect(second.body.avatar_url).not.toBe(first.body.avatar_url);
    const files = await filesOf(user.id, id);
    expect(files).toHaveLength(1);
    expect(second.body.avatar_url.endsWith(files[0])).toBe(true);
  });

  it('accepts a picture of exactly 5 MB', async () => {
    const user = await createUser();
    const id = await addRelative(user);
    const res = await upload(user, id, { body: avatarForm(png({ totalBytes: MAX })) });
    expect(res.status).toBe(200);
  });

  it('deletes the picture with the relative', async () => {
    const user = await createUser();
    const id = await addRelative(user);
    await upload(user, id, { body: avatarForm(png()) });
    expect(await filesOf(user.id, id)).toHaveLength(1);
    const res = await call(app, 'DELETE', `/relatives/${id}`, { token: user.token });
    expect(res.status).toBe(204);
    expect(await filesOf(user.id, id)).toEqual([]);
  });

  it('answers 404 for anyone but the owner, stores nothing and keeps the picture', async () => {
    const owner = await createUser();
    const id = await addRelative(owner);
    await upload(owner, id, { body: avatarForm(png()) });
    const before = await stored(id);
    const filesBefore = await filesOf(owner.id, id);
    const others = [
      ['another patient', await createUser()],
      ['a practitioner', await createUser({ role: 'practitioner' })],
      ['an admin', await createUser({ role: 'admin' })],
    ] as const;
    for (const [who, other] of others) {
      const res = await upload(other, id, { body: avatarForm(jpeg()) });
      expectRefusal(res, 404, who);
      // Nothing is left in the other user's folder either.
      expect(await filesOf(other.id, id), who).toEqual([]);
    }
    expectRefusal(await upload(undefined, id, { body: avatarForm(jpeg()) }), 401);
    expectRefusal(await upload(owner, crypto.randomUUID(), { body: avatarForm(jpeg()) }), 404);
    expect(await stored(id)).toEqual(before);
    expect(await filesOf(owner.id, id)).toEqual(filesBefore);
  });

  it('answers 400 for an id that is not one', async () => {
    const user = await createUser();
    for (const bad of MALFORMED_IDS) {
      expectRefusal(await upload(user, bad, { body: avatarForm(png()) }), 400, bad);
    }
  });

  const text = new Uint8Array(new TextEncoder().encode('this is not a picture at all'));
  const gif = new Uint8Array(new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;'));
  const pdf = new Uint8Array(new TextEncoder().encode('%PDF-1.4\n'));
  const textField = () => {
    const form = new FormData();
    form.append('avatar', 'iVBORw0KGgo=');
    return form;
  };

  type Bad = [name: string, args: () => CallOptions, status: number, field?: string];
  const badUploads: Bad[] = [
    ['text named like a JPEG', () => ({ body: avatarForm(text) }), 400, 'avatar'],
    ['a GIF', () => ({ body: avatarForm(gif, 'a.gif', 'image/gif') }), 400, 'avatar'],
    ['a PDF', () => ({ body: avatarForm(pdf, 'a.jpg', 'image/jpeg') }), 400, 'avatar'],
    ['a cut-off PNG', () => ({ body: avatarForm(png().slice(0, 4)) }), 400, 'avatar'],
    ['an empty file', () => ({ body: avatarForm(new Uint8Array(0)) }), 400, 'avatar'],
    [
      'another field name',
      () => ({ body: avatarForm(png(), 'a.png', 'image/png', 'photo') }),
      400,
      'avatar',
    ],
    ['the avatar as text', () => ({ body: textField() }), 400, 'avatar'],
    ['no body', () => ({}), 400, 'avatar'],
    ['a JSON body', () => ({ json: { avatar: 'data:image/png;base64,iVBORw0KGgo=' } }), 415],
    ['raw bytes', () => ({ body: png(), headers: { 'content-type': 'image/png' } }), 415],
    [
      'a broken multipart body',
      () => ({ body: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=x' } }),
      400,
    ],
    ['one byte over 5 MB', () => ({ body: avatarForm(png({ totalBytes: MAX + 1 })) }), 413],
    ['6 MB', () => ({ body: avatarForm(png({ totalBytes: 6 * 1024 * 1024 })) }), 413],
  ];

  it.each(badUploads)(
    'refuses %s, keeps the current picture and stores nothing',
    async (_n, args, status, field) => {
      const user = await createUser();
      const id = await addRelative(user);
      expect((await upload(user, id, { body: avatarForm(png()) })).status).toBe(200);
      const before = await stored(id);
      const filesBefore = await filesOf(user.id, id);
      const res = await upload(user, id, args());
      expectRefusal(res, status);
      if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([field]);
      expect(await stored(id)).toEqual(before);
      expect(await filesOf(user.id, id)).toEqual(filesBefore);
    },
  );

  it('deletes the new picture and keeps the old one when the relative cannot be updated', async () => {
    const user = await createUser();
    const id = await addRelative(user);
    await upload(user, id, { body: avatarForm(png()) });
    const before = await stored(id);
    const filesBefore = await filesOf(user.id, id);
    const name = `refuse_relative_avatar_${id.replaceAll('-', '')}`;
    await db.unsafe(`
      create function public.${name}() returns trigger language plpgsql as
        $$ begin raise exception 'simulated database failure'; end $$;
      create trigger ${name} before update on public.relatives
        for each row when (new.id = '${id}') execute function public.${name}();`);
    try {
      const res = await upload(user, id, { body: avatarForm(jpeg()) });
      expectRefusal(res, 500);
      expect(JSON.stringify(res.body)).not.toContain('simulated');
    } finally {
      await db.unsafe(`drop trigger ${name} on public.relatives; drop function public.${name}();`);
    }
    expect(await stored(id)).toEqual(before);
    expect(await filesOf(user.id, id)).toEqual(filesBefore);
  });

  it('answers 503 when the storage fails, and changes nothing', async () => {
    const user = await createUser();
    const id = await addRelative(user);
    const before = await stored(id);
    // A file where the relative's folder should be: the disk refuses to create the folder.
    await mkdir(path.dirname(relativeFolder(user.id, id)), { recursive: true });
    await writeFile(relativeFolder(user.id, id), 'in the way');
    try {
      const res = await upload(user, id, { body: avatarForm(png()) });
      expectRefusal(res, 503);
      expect(res.body.error.code).toBe('service_unavailable');
    } finally {
      await rm(relativeFolder(user.id, id));
    }
    expect(await stored(id)).toEqual(before);
  });

  it('keeps the avatar columns out of reach of the user path', async () => {
    const user = await createUser();
    const id = await addRelative(user);
    const claims = { sub: user.id, role: 'authenticated' };
    await expect(
      asUser(
        claims,
        (tx) => tx`update public.relatives set avatar_path = 'someone-else/x.png' where id = ${id}`,
      ),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      asUser(
        claims,
        (tx) =>
          tx`insert into public.relatives (user_id, first_name, last_name, relation, avatar_url)
         values (${user.id}, 'A', 'B', 'child', 'https://evil.example')`,
      ),
    ).rejects.toMatchObject({ code: '42501' });
    expect((await stored(id)).avatar_path).toBeNull();
  });
});
