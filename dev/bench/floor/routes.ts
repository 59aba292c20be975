import { createRoute, z } from '@hono/zod-openapi';
import { bearer, errorResponses, jsonContent } from '../../../shared/http/openapi.ts';

export const floor = createRoute({
  method: 'get',
  path: '/floor',
  summary: 'Benchmark floor: the shared middleware and one user transaction running `select 1`',
  security: bearer,
  responses: {
    200: jsonContent(z.object({ ok: z.literal(true) }), 'Done'),
    ...errorResponses(401, 429),
  },
});

export const queries = createRoute({
  method: 'get',
  path: '/queries',
  summary: 'Statements this gateway process has sent to Postgres so far',
  security: bearer,
  responses: {
    200: jsonContent(z.object({ sent: z.number().int() }), 'The counter'),
    ...errorResponses(401, 429),
  },
});
