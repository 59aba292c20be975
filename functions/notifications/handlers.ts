import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { notFound } from '../../shared/http/errors.ts';
import { sendJsonText } from '../../shared/http/json-text.ts';
import * as queries from './queries.ts';
import type * as routes from './routes.ts';

export const list: RouteHandler<typeof routes.listNotifications, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [{ notifications }] = await asUser(
    user.claims,
    (tx) => queries.listNotifications(tx, user.id),
  );
  return sendJsonText(c, notifications, 200);
};

export const unreadCount: RouteHandler<typeof routes.unreadCount, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [count] = await asUser(user.claims, (tx) => queries.countUnread(tx, user.id));
  return c.json(count, 200);
};

export const markRead: RouteHandler<typeof routes.markRead, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const marked = await asUser(user.claims, (tx) => queries.markRead(tx, user.id, id));
  if (marked.length === 0) throw notFound('We could not find this notification.');
  return c.body(null, 204);
};

export const markAllRead: RouteHandler<typeof routes.markAllRead, AppEnv> = async (c) => {
  const user = currentUser(c);
  await asUser(user.claims, (tx) => queries.markAllRead(tx, user.id));
  return c.body(null, 204);
};

export const registerPushToken: RouteHandler<typeof routes.registerPushToken, AppEnv> = async (
  c,
) => {
  const user = currentUser(c);
  const input = c.req.valid('json');
  await asUser(user.claims, (tx) => queries.registerPushToken(tx, input));
  return c.body(null, 204);
};

export const removePushToken: RouteHandler<typeof routes.removePushToken, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { token } = c.req.valid('json');
  await asUser(user.claims, (tx) => queries.removePushToken(tx, user.id, token));
  return c.body(null, 204);
};
