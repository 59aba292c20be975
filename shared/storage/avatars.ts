import { payloadTooLarge } from '../http/errors.ts';
import { log } from '../http/logger.ts';
import { AVATAR_MAX_BYTES, type AvatarUpload } from '../schemas/avatar.ts';
import { configuredStorage } from './configured-storage.ts';

/** The public bucket of pictures: profiles' and relatives', each under its user's folder. */
export const AVATAR_BUCKET = 'avatars';

/** Where a picture now lives, as a row records it. */
export interface StoredAvatar {
  /** The Storage object key, `<user id>/...`. */
  path: string;
  /** Its public URL, new for every upload (clients cache pictures by URL). */
  url: string;
}

/** The body limit stops far larger requests before they are read; this is the exact bound. */
export function assertAvatarSize(upload: AvatarUpload): void {
  if (upload.file.size > AVATAR_MAX_BYTES) {
    throw payloadTooLarge('The picture must be 5 MB or smaller.');
  }
}

/**
 * Deletes pictures nobody points at any more, in `userId`'s own folder only (defence in depth:
 * keys come from rows the user's requests wrote). A failure leaves orphans, never a broken row,
 * so it is logged and not thrown.
 */
export async function discardAvatars(
  userId: string,
  paths: Array<string | null | undefined>,
  reason: 'replaced' | 'not_saved' | 'removed',
): Promise<void> {
  const own = paths.filter((p): p is string => !!p && p.startsWith(`${userId}/`));
  if (own.length === 0) return;
  try {
    await configuredStorage().remove(AVATAR_BUCKET, own);
  } catch {
    log('error', 'avatar_cleanup_failed', { reason, objects: own.length });
  }
}

/**
 * Stores the new picture under `<userId>/<folder>`, then has `point` make its row name it
 * (answering what the route returns and the key of the picture it replaced), then deletes the
 * old picture: at every step the row names an object that exists. If `point` fails (the row is
 * not the user's, the database is away), the new object is deleted again and the error goes on.
 */
export async function replaceAvatar<T>(
  userId: string,
  folder: string | null,
  upload: AvatarUpload,
  point: (avatar: StoredAvatar) => Promise<{ result: T; previousPath: string | null }>,
): Promise<T> {
  assertAvatarSize(upload);
  const name = `${crypto.randomUUID()}.${upload.format.extension}`;
  const path = folder ? `${userId}/${folder}/${name}` : `${userId}/${name}`;
  const bytes = new Uint8Array(await upload.file.arrayBuffer());
  const url = await configuredStorage().put(
    AVATAR_BUCKET,
    path,
    bytes,
    upload.format.contentType,
  );
  let saved: Awaited<ReturnType<typeof point>>;
  try {
    saved = await point({ path, url });
  } catch (e) {
    await discardAvatars(userId, [path], 'not_saved');
    throw e;
  }
  await discardAvatars(userId, [saved.previousPath], 'replaced');
  return saved.result;
}
