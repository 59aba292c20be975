import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { asUser } from '../shared/db/as-user.ts';
import { db } from './helpers/db.ts';
import { call, type CallOptions } from './helpers/http.ts';
import { jpeg, png, webp } from './helpers/images.ts';
import { createUser, type TestUser } from './helpers/users.ts';

// The public address differs from SUPABASE_URL here, to prove avatar URLs are built on PUBLIC_URL.
const PUBLIC_URL = vi.hoisted(() => {
  const url = 'https://cdn.test.dokal.local';
  process.env.PUBLIC_URL = url;
  return url;
});
afterAll(() => {
  delete process.env.PUBLIC_URL;
});

const { app } = await import('../functions/profile/app.ts');

const MAX = 5 * 1024 * 1024;
const storageDir = inject('storageDir');
const userFolder = (userId: string) => path.join(storageDir, 'avatars', userId);

async function filesOf(userId: string): Promise<string[]> {
  try {
    return (await readdir(userFolder(userId))).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

async function storedProfile(id: string) {
  const [row] = await db`select * from public.profiles where id = ${id}`;
  return row;
}

function avatarForm(
  bytes: Uint8Array<ArrayBuffer>,
  name = 'me.png',
  type = 'image/png',
  field = 'avatar',
) {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type }), name);
  return form;
}

const upload = (user: TestUser, body: FormData) =>
  call(app, 'POST', '/profile/avatar', { token: user.token, body });

const objectUrl = (userId: string, extension: string) =>
  new RegExp(
    `^${PUBLIC_URL}/storage/v1/object/public/avatars/${userId}/[0-9a-f-]{36}\\.${extension}$`,
  );

describe('POST /profile/avatar', () => {
  const formats = [
    // Declared names and types are deliberately wrong: only the bytes decide.
    ['JPEG', jpeg(), 'jpg', 'photo.png', 'image/png'],
    ['PNG', png(), 'png', 'photo.jpg', 'image/jpeg'],
    ['WebP', webp(), 'webp', 'photo', 'application/octet-stream'],
  ] as const;

  it.each(formats)(
    'stores a %s picture and returns the profile with its public URL',
    async (_f, bytes, ext, name, type) => {
      const user = await createUser({ firstName: 'Dana', lastName: 'Levi' });
      const res = await upload(user, avatarForm(bytes, name, type));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.id,
        first_name: 'Dana',
        last_name: 'Levi',
        email: user.email,
        phone: null,
        date_of_birth: null,
        sex: null,
        city: null,
        avatar_url: expect.stringMatching(objectUrl(user.id, ext)),
        role: 'patient',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const files = await filesOf(user.id);
      expect(files).toHaveLength(1);
      expect(res.body.avatar_url.endsWith(`/avatars/${user.id}/${files[0]}`)).toBe(true);
      expect(new Uint8Array(await readFile(path.join(userFolder(user.id), files[0])))).toEqual(
        bytes,
      );
      expect(await storedProfile(user.id)).toMatchObject({
        avatar_url: res.body.avatar_url,
        avatar_path: `${user.id}/${files[0]}`,
      });
      expect((await call(app, 'GET', '/profile', { token: user.token })).body).toEqual(res.body);
    },
  );

  it('deletes the previous picture when it is replaced', async () => {
    const user = await createUser();
    const first = await upload(user, avatarForm(png()));
    const [firstFile] = await filesOf(user.id);
    const second = await upload(user, avatarForm(jpeg(), 'me.jpg', 'image/jpeg'));
    expect(second.status).toBe(200);
    expect(second.body.avatar_url).toMatch(objectUrl(user.id, 'jpg'));
    expect(second.body.avatar_url).not.toBe(first.body.avatar_url);
    const files = await filesOf(user.id);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toBe(firstFile);
    expect((await storedProfile(user.id)).avatar_path).toBe(`${user.id}/${files[0]}`);
  });

  it('keeps exactly the picture the profile names when two uploads race', async () => {
    const user = await createUser();
    await upload(user, avatarForm(png()));
    const answers = await Promise.all([
      upload(user, avatarForm(jpeg(), 'a.jpg', 'image/jpeg')),
      upload(user, avatarForm(webp(), 'b.webp', 'image/webp')),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const row = await storedProfile(user.id);
    expect((await filesOf(user.id)).map((f) => `${user.id}/${f}`)).toEqual([row.avatar_path]);
  });

  it("leaves other users' pictures alone", async () => {
    const a = await createUser();
    const b = await createUser();
    await upload(a, avatarForm(png()));
    const aFiles = await filesOf(a.id);
    await upload(b, avatarForm(png()));
    await upload(b, avatarForm(webp()));
    expect(await filesOf(a.id)).toEqual(aFiles);
  });

  it("never deletes another user's picture, whatever the profile's avatar_path says", async () => {
    const victim = await createUser();
    const attacker = await createUser();
    await upload(victim, avatarForm(png()));
    const victimFiles = await filesOf(victim.id);
    await db`update public.profiles set avatar_path = ${`${victim.id}/${
      victimFiles[0]
    }`} where id = ${attacker.id}`;
    expect((await upload(attacker, avatarForm(jpeg(), 'a.jpg', 'image/jpeg'))).status).toBe(200);
    expect(await filesOf(victim.id)).toEqual(victimFiles);
  });

  it('accepts a picture of exactly 5 MB', async () => {
    const user = await createUser();
    const res = await upload(user, avatarForm(png({ totalBytes: MAX })));
    expect(res.status).toBe(200);
    const [file] = await filesOf(user.id);
    expect((await readFile(path.join(userFolder(user.id), file))).length).toBe(MAX);
  });

  const text = new Uint8Array(new TextEncoder().encode('this is not a picture at all'));
  const gif = new Uint8Array(new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;'));
  const pdf = new Uint8Array(new TextEncoder().encode('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'));
  const wav = new Uint8Array([
    ...new TextEncoder().encode('RIFF'),
    36,
    0,
    0,
    0,
    ...new TextEncoder().encode('WAVEfmt '),
  ]);
  const twoFiles = () => {
    const form = avatarForm(png());
    form.append('avatar', new Blob([jpeg()], { type: 'image/jpeg' }), 'b.jpg');
    return form;
  };
  const textField = () => {
    const form = new FormData();
    form.append('avatar', 'iVBORw0KGgo=');
    return form;
  };

  type Bad = [name: string, args: () => CallOptions, status: number, code: string, field?: string];
  const badUploads: Bad[] = [
    [
      'text named like a PNG',
      () => ({ body: avatarForm(text, 'me.png', 'image/png') }),
      400,
      'validation_error',
      'avatar',
    ],
    [
      'a GIF',
      () => ({ body: avatarForm(gif, 'me.gif', 'image/gif') }),
      400,
      'validation_error',
      'avatar',
    ],
    [
      'a PDF named like a JPEG',
      () => ({ body: avatarForm(pdf, 'me.jpg', 'image/jpeg') }),
      400,
      'validation_error',
      'avatar',
    ],
    [
      'a WAV sound (RIFF but not WebP)',
      () => ({ body: avatarForm(wav, 'me.webp', 'image/webp') }),
      400,
      'validation_error',
      'avatar',
    ],
    [
      'a cut-off PNG signature',
      () => ({ body: avatarForm(png().slice(0, 4)) }),
      400,
      'validation_error',
      'avatar',
    ],
    [
      'an empty file',
      () => ({ body: avatarForm(new Uint8Array(0)) }),
      400,
      'validation_error',
      'avatar',
    ],
    [
      'a form without the avatar field',
      () => ({ body: avatarForm(png(), 'me.png', 'image/png', 'picture') }),
      400,
      'validation_error',
      'avatar',
    ],
    [
      'the avatar as text instead of a file',
      () => ({ body: textField() }),
      400,
      'validation_error',
      'avatar',
    ],
    ['two avatar files', () => ({ body: twoFiles() }), 400, 'validation_error', 'avatar'],
    [
      'a URL-encoded form',
      () => ({
        body: 'avatar=abc',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      400,
      'validation_error',
      'avatar',
    ],
    ['no body at all', () => ({}), 400, 'validation_error', 'avatar'],
    [
      'a JSON body',
      () => ({ json: { avatar: 'data:image/png;base64,iVBORw0KGgo=' } }),
      415,
      'unsupported_media_type',
    ],
    [
      'raw image bytes without a form',
      () => ({ body: png(), headers: { 'content-type': 'image/png' } }),
      415,
      'unsupported_media_type',
    ],
    [
      'a broken multipart body',
      () => ({ body: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } }),
      400,
      'bad_request',
    ],
    [
      'a picture one byte over 5 MB',
      () => ({ body: avatarForm(png({ totalBytes: MAX + 1 })) }),
      413,
      'payload_too_large',
    ],
    [
      'a picture of 6 MB',
      () => ({ body: avatarForm(png({ totalBytes: 6 * 1024 * 1024 })) }),
      413,
      'payload_too_large',
    ],
  ];

  it.each(badUploads)(
    'refuses %s, keeps the current picture and stores nothing',
    async (_n, args, status, code, field) => {
      const user = await createUser();
      expect((await upload(user, avatarForm(png()))).status).toBe(200);
      const before = await storedProfile(user.id);
      const filesBefore = await filesOf(user.id);
      const res = await call(app, 'POST', '/profile/avatar', { token: user.token, ...args() });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(/\w+/);
      if (field) expect(Object.keys(res.body.error.details.fieldErrors)).toEqual([field]);
      expect(await storedProfile(user.id)).toEqual(before);
      expect(await filesOf(user.id)).toEqual(filesBefore);
    },
  );

  it('names the accepted formats when the file is not a picture', async () => {
    const user = await createUser();
    const res = await upload(user, avatarForm(text, 'me.png', 'image/png'));
    expect(res.body.error.details.fieldErrors.avatar).toEqual(['Use a JPEG, PNG or WebP picture.']);
  });

  it('stops reading a streamed body soon after the limit', async () => {
    const user = await createUser();
    const chunk = new Uint8Array(64 * 1024);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await app.request('/profile/avatar', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'multipart/form-data; boundary=xyz',
      },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    expect(sent).toBeLessThan(MAX + 16 * 1024 + 4 * chunk.length);
    expect(await filesOf(user.id)).toEqual([]);
  });

  it('deletes the new picture and keeps the old one when the profile cannot be updated', async () => {
    const user = await createUser();
    await upload(user, avatarForm(png()));
    const before = await storedProfile(user.id);
    const filesBefore = await filesOf(user.id);
    const name = `refuse_avatar_${user.id.replaceAll('-', '')}`;
    await db.unsafe(`
      create function public.${name}() returns trigger language plpgsql as
        $$ begin raise exception 'simulated database failure'; end $$;
      create trigger ${name} before update on public.profiles
        for each row when (new.id = '${user.id}') execute function public.${name}();`);
    try {
      const res = await upload(user, avatarForm(jpeg(), 'me.jpg', 'image/jpeg'));
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('internal_error');
      expect(JSON.stringify(res.body)).not.toContain('simulated');
    } finally {
      await db.unsafe(`drop trigger ${name} on public.profiles; drop function public.${name}();`);
    }
    expect(await storedProfile(user.id)).toEqual(before);
    expect(await filesOf(user.id)).toEqual(filesBefore);
  });

  it('answers 503 with a clean message when the storage fails, and changes nothing', async () => {
    const user = await createUser();
    const before = await storedProfile(user.id);
    // A file where the user's folder should be: the disk refuses to create the folder.
    await mkdir(path.dirname(userFolder(user.id)), { recursive: true });
    await writeFile(userFolder(user.id), 'in the way');
    try {
      const res = await upload(user, avatarForm(png()));
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: {
          code: 'service_unavailable',
          message: expect.stringMatching(/try again/),
          details: {},
        },
      });
      expect(res.body.error.message).not.toContain(storageDir);
      expect(res.body.error.message).not.toContain(user.id);
    } finally {
      await rm(userFolder(user.id));
    }
    expect(await storedProfile(user.id)).toEqual(before);
  });

  it('keeps the avatar columns out of reach of the user path', async () => {
    const user = await createUser();
    const attempt = asUser(
      { sub: user.id, role: 'authenticated' },
      (tx) =>
        tx`update public.profiles set avatar_path = 'someone-else/picture.png', avatar_url = 'https://evil.example'`,
    );
    await expect(attempt).rejects.toMatchObject({ code: '42501' });
    expect((await storedProfile(user.id)).avatar_path).toBeNull();
  });
});
