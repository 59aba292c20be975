import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { payloadTooLarge } from '../../shared/http/errors.ts';
import { readProfile, updateProfile } from './queries.ts';
import { replaceAvatar } from './replace-avatar.ts';
import type { getProfile, patchProfile, uploadAvatar } from './routes.ts';
import { AVATAR_MAX_BYTES } from './schemas.ts';

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
  // The body limit stops far larger requests before they are read; this is the exact bound.
  if (avatar.file.size > AVATAR_MAX_BYTES) {
    throw payloadTooLarge('The picture must be 5 MB or smaller.');
  }
  return c.json(await replaceAvatar(user, avatar), 200);
};
