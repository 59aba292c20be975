import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../../shared/http/env.ts';
import { forPractitioner } from '../acting.ts';
import { countByStatus } from './queries.ts';
import type * as routes from './routes.ts';

export const stats: RouteHandler<typeof routes.getStats, AppEnv> = async (c) => {
  const { practitioner_id, from, to } = c.req.valid('query');
  const [counts] = await forPractitioner(
    c,
    practitioner_id,
    (tx, a) => countByStatus(tx, a.practitionerId, from, to),
  );
  return c.json(counts, 200);
};
