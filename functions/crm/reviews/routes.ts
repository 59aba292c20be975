import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../../shared/http/openapi.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import { receivedReviewSchema } from './schemas.ts';

export const listReviews = createRoute({
  method: 'get',
  path: '/',
  summary: 'Reviews the practitioner received, newest first, with their authors',
  ...crmAccess,
  request: { query: actingQuery },
  responses: {
    200: jsonContent(z.array(receivedReviewSchema), 'The reviews'),
    ...errorResponses(400, 401, 403, 429),
  },
});
