import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../../shared/auth/middleware.ts';
import { asUser } from '../../../shared/db/as-user.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import { notFound } from '../../../shared/http/errors.ts';
import { sendJsonText } from '../../../shared/http/json-text.ts';
import { addMethod, listMethods, makeDefault, removeMethod } from './queries.ts';
import type * as routes from './routes.ts';

const missing = () => notFound('We could not find this card.');

export const list: RouteHandler<typeof routes.listMethods, AppEnv> = async (c) => {
  const user = currentUser(c);
  const [{ methods }] = await asUser(user.claims, (tx) => listMethods(tx, user.id));
  return sendJsonText(c, methods, 200);
};

export const add: RouteHandler<typeof routes.addMethod, AppEnv> = async (c) => {
  const user = currentUser(c);
  const card = c.req.valid('json');
  const [{ method }] = await asUser(user.claims, (tx) => addMethod(tx, card));
  return sendJsonText(c, method, 201);
};

export const remove: RouteHandler<typeof routes.deleteMethod, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const [{ done }] = await asUser(user.claims, (tx) => removeMethod(tx, id));
  if (!done) throw missing();
  return c.body(null, 204);
};

export const setDefault: RouteHandler<typeof routes.makeDefault, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const [{ done }] = await asUser(user.claims, (tx) => makeDefault(tx, id));
  if (!done) throw missing();
  return c.body(null, 204);
};
