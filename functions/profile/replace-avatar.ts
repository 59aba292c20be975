import { systemDb } from '../../shared/db/client.ts';
import type { AuthUser } from '../../shared/auth/user.ts';
import { log } from '../../shared/http/logger.ts';
import type { Profile } from '../../shared/schemas/profile.ts';
import { configuredStorage } from '../../shared/storage/configured-storage.ts';
import { setAvatar } from './queries.ts';
import type { AvatarUpload } from './schemas.ts';

const AVATAR_BUCKET = 'avatars';

/** Deleting an object nobody points at any more: a failure leaves an orphan, never a broken profile. */
async function discard(path: string, reason: 'replaced' | 'not_saved'): Promise<void> {
  try {
    await configuredStorage().remove(AVATAR_BUCKET, [path]);
  } catch {
    log('error', 'avatar_cleanup_failed', { reason });
  }
}

/**
 * Stores the new picture, then points the profile at it, then deletes the old picture: at every
 * step the profile names an object that exists. If the profile cannot be changed, the new
 * object is deleted again.
 */
export async function replaceAvatar(user: AuthUser, upload: AvatarUpload): Promise<Profile> {
  const storage = configuredStorage();
  const path = `${user.id}/${crypto.randomUUID()}.${upload.format.extension}`;
  const bytes = new Uint8Array(await upload.file.arrayBuffer());
  const url = await storage.put(AVATAR_BUCKET, path, bytes, upload.format.contentType);

  let saved: Awaited<ReturnType<typeof setAvatar>>;
  try {
    // Privileged write: users cannot set the avatar columns themselves (they name an object the
    // server deletes later), so the server writes them for the authenticated caller only.
    saved = await systemDb().begin((tx) => setAvatar(tx, user.id, { path, url }));
  } catch (e) {
    await discard(path, 'not_saved');
    throw e;
  }
  // Defence in depth: only objects in the user's own folder are ever deleted.
  if (saved.previousPath?.startsWith(`${user.id}/`)) await discard(saved.previousPath, 'replaced');
  return saved.profile;
}
