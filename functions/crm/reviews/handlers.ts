import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { forPractitioner } from '../acting.ts';
import { replyToReview } from '../../../shared/reviews/reply.ts';
import { listReceivedReviews } from './queries.ts';
import type * as routes from './routes.ts';

export const list: RouteHandler<typeof routes.listReviews, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const rows = await forPractitioner(
    c,
    practitioner_id,
    (tx, a) => listReceivedReviews(tx, a.practitionerId),
  );
  return c.json(rows, 200);
};

/** The write and its audit row are the shared implementation's (shared/reviews/reply.ts). */
export const reply: RouteHandler<typeof routes.replyToReview, AppEnv> = async (c) => {
  const { practitioner_id } = c.req.valid('query');
  const { id } = c.req.valid('param');
  const { practitioner_reply } = c.req.valid('json');
  await forPractitioner(
    c,
    practitioner_id,
    (tx, a) => replyToReview(tx, a, id, practitioner_reply),
  );
  return c.body(null, 204);
};
