import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { readSettings, saveSettings } from './queries.ts';
import type { getSettings, patchSettings } from './routes.ts';

export const show: RouteHandler<typeof getSettings, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [settings] = await asUser(user.claims, (tx) => readSettings(tx, user.id));
  return c.json(settings, 200);
};

export const update: RouteHandler<typeof patchSettings, AppEnv> = async (c) => {
  const user = currentUser(c);
  const patch = c.req.valid('json');
  const [settings] = await asUser(user.claims, (tx) => saveSettings(tx, user.id, patch));
  return c.json(settings, 200);
};
