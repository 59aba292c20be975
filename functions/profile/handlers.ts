import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import { systemDb } from '../../shared/db/client.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { readProfile } from '../../shared/profile/queries.ts';
import { replaceAvatar } from '../../shared/storage/avatars.ts';
import { setAvatar, updateProfile } from './queries.ts';
import type { getProfile, patchProfile, uploadAvatar } from './routes.ts';

export const show: RouteHandler<typeof getProfile, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [{ profile }] = await asUser(user.claims, (tx) => readProfile(tx, user.id));
  return c.json(profile, 200);
};

export const update: RouteHandler<typeof patchProfile, AppEnv> = async (c) => {
  const user = currentUser(c);
  const changes = c.req.valid('json');
  return c.json(await asUser(user.claims, (tx) => updateProfile(tx, user.id, changes)), 200);
};

export const changeAvatar: RouteHandler<typeof uploadAvatar, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { avatar } = c.req.valid('form');
  const profile = await replaceAvatar(user.id, null, avatar, async (stored) => {
    // Privileged write: users cannot set the avatar columns themselves (they name an object the
    // server deletes later), so the server writes them for the authenticated caller only.
    const saved = await systemDb().begin((tx) => setAvatar(tx, user.id, stored));
    return { result: saved.profile, previousPath: saved.previousPath };
  });
  return c.json(profile, 200);
};
