import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../../shared/auth/middleware.ts';
import { asUser } from '../../../shared/db/as-user.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import { readProfile } from '../../../shared/profile/queries.ts';
import type * as routes from './routes.ts';

/**
 * Nothing to create: the profile row is written with the auth user (on_auth_user_created), and a
 * token whose profile is gone is refused (401) before any handler runs.
 */
export const bootstrap: RouteHandler<typeof routes.bootstrap, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [{ profile }] = await asUser(user.claims, (tx) => readProfile(tx, user.id));
  return c.json(profile, 200);
};
