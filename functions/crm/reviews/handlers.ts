import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { forPractitioner } from '../acting.ts';
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
