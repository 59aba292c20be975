import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { notFound } from '../../shared/http/errors.ts';
import { sendJsonText } from '../../shared/http/json-text.ts';
import { deleteRelative, insertRelative, listRelatives } from './queries.ts';
import type * as routes from './routes.ts';

export const list: RouteHandler<typeof routes.listRelatives, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [{ relatives }] = await asUser(user.claims, (tx) => listRelatives(tx, user.id));
  return sendJsonText(c, relatives, 200);
};

export const create: RouteHandler<typeof routes.createRelative, AppEnv> = async (c) => {
  const user = currentUser(c);
  const input = c.req.valid('json');
  return c.json(await asUser(user.claims, (tx) => insertRelative(tx, user.id, input)), 201);
};

export const remove: RouteHandler<typeof routes.deleteRelative, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const deleted = await asUser(user.claims, (tx) => deleteRelative(tx, user.id, id));
  if (!deleted) throw notFound('We could not find this relative.');
  return c.body(null, 204);
};
