import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiError } from '../shared/http/errors.ts';
import { configuredStorage } from '../shared/storage/configured-storage.ts';
import { localDiskStorage } from '../shared/storage/local-disk-storage.ts';
import { png, webp } from './helpers/images.ts';

const BASE = 'http://127.0.0.1:8000';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dokal-storage-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const exists = (file: string) => stat(file).then(() => true, () => false);

describe('local disk storage', () => {
  it('writes <root>/<bucket>/<path>, creating the folders, and returns the public URL', async () => {
    const storage = localDiskStorage(root, BASE);
    const bytes = png();
    const url = await storage.put('avatars', 'user-1/pic.png', bytes, 'image/png');
    expect(url).toBe(`${BASE}/storage/v1/object/public/avatars/user-1/pic.png`);
    expect(new Uint8Array(await readFile(path.join(root, 'avatars', 'user-1', 'pic.png')))).toEqual(
      bytes,
    );
  });

  it('never overwrites an existing object', async () => {
    const storage = localDiskStorage(root, BASE);
    const original = png();
    await storage.put('avatars', 'user-2/pic.png', original, 'image/png');
    const again = storage.put('avatars', 'user-2/pic.png', webp(), 'image/webp');
    await expect(again).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(new Uint8Array(await readFile(path.join(root, 'avatars', 'user-2', 'pic.png')))).toEqual(
      original,
    );
  });

  it('removes the objects named and no others; missing ones are not an error', async () => {
    const storage = localDiskStorage(root, BASE);
    for (const name of ['a.png', 'b.png', 'c.png']) {
      await storage.put('avatars', `user-3/${name}`, png(), 'image/png');
    }
    await storage.remove('avatars', ['user-3/a.png', 'user-3/c.png', 'user-3/never-existed.png']);
    expect(await exists(path.join(root, 'avatars', 'user-3', 'a.png'))).toBe(false);
    expect(await exists(path.join(root, 'avatars', 'user-3', 'b.png'))).toBe(true);
    expect(await exists(path.join(root, 'avatars', 'user-3', 'c.png'))).toBe(false);
  });

  it.each([
    '../escape.png',
    'user/../../escape.png',
    'user//pic.png',
    '/abs.png',
    'user/.hidden',
    'user/pic%2e.png',
    '',
  ])(
    'refuses the object key %j before touching the disk',
    async (key) => {
      const storage = localDiskStorage(path.join(root, 'inner'), BASE);
      await expect(storage.put('avatars', key, png(), 'image/png')).rejects.toThrow(TypeError);
      await expect(storage.remove('avatars', [key])).rejects.toThrow(TypeError);
      expect(await exists(path.join(root, 'escape.png'))).toBe(false);
      expect(await exists(path.join(root, 'inner'))).toBe(false);
    },
  );

  it('refuses a bucket name that is not a plain name', async () => {
    const storage = localDiskStorage(root, BASE);
    await expect(storage.put('..', 'x.png', png(), 'image/png')).rejects.toThrow(TypeError);
  });

  it('turns a disk failure into a clean 503 that names no path', async () => {
    await writeFile(path.join(root, 'blocked'), 'a file where the bucket folder should be');
    const storage = localDiskStorage(root, BASE);
    const failure = await storage.put('blocked', 'user/pic.png', png(), 'image/png').catch((e) =>
      e
    );
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure.status).toBe(503);
    expect(failure.toBody()).toEqual({
      error: { code: 'service_unavailable', message: expect.any(String), details: {} },
    });
    expect(failure.message).not.toContain(root);
  });

  it('is the configured storage when LOCAL_STORAGE_DIR is set', async () => {
    const bytes = png({ rgb: [1, 2, 3] });
    const url = await configuredStorage().put(
      'avatars',
      'configured-check/pic.png',
      bytes,
      'image/png',
    );
    const dir = inject('storageDir');
    expect(new Uint8Array(await readFile(path.join(dir, 'avatars', 'configured-check', 'pic.png'))))
      .toEqual(bytes);
    expect(url).toMatch(/\/storage\/v1\/object\/public\/avatars\/configured-check\/pic\.png$/);
    await configuredStorage().remove('avatars', ['configured-check/pic.png']);
    expect(await exists(path.join(dir, 'avatars', 'configured-check', 'pic.png'))).toBe(false);
  });
});
