import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../shared/auth/middleware.ts';
import { asUser } from '../../shared/db/as-user.ts';
import type { AppEnv } from '../../shared/http/env.ts';
import { sendJsonText } from '../../shared/http/json-text.ts';
import { replyToReview } from '../../shared/reviews/reply.ts';
import { insertReview } from './queries.ts';
import type * as routes from './routes.ts';

export const create: RouteHandler<typeof routes.createReview, AppEnv> = async (c) => {
  const user = currentUser(c);
  const input = c.req.valid('json');
  const [{ review }] = await asUser(user.claims, (tx) => insertReview(tx, user.id, input));
  return sendJsonText(c, review, 201);
};

export const reply: RouteHandler<typeof routes.replyToReview, AppEnv> = async (c) => {
  const user = currentUser(c);
  const { id } = c.req.valid('param');
  const { practitioner_reply } = c.req.valid('json');
  await asUser(
    user.claims,
    (tx) =>
      replyToReview(tx, { actorId: user.id, practitionerId: user.id }, id, practitioner_reply),
  );
  return c.body(null, 204);
};
