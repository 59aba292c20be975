import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { discardAvatars } from '../../shared/storage/avatars.ts';
import { deleteAccount } from './queries.ts';
import type * as routes from './routes.ts';

/**
 * The database part in one transaction as the caller; the pictures once it has committed. A
 * picture that cannot be deleted then is logged (an orphan nobody points at) and does not undo
 * the deletion: the account is gone either way.
 */
export const remove: RouteHandler<typeof routes.deleteAccount, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [{ pictures }] = await asUser(user.claims, (tx) => deleteAccount(tx));
  await discardAvatars(user.id, pictures ?? [], 'removed');
  return c.body(null, 204);
};
