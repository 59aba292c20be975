import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent, noContent } from '../../../shared/http/openapi.ts';
import { practitionerReplySchema } from '../../../shared/reviews/reply.ts';
import { idParam } from '../../../shared/schemas/common.ts';
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

export const replyToReview = createRoute({
  method: 'patch',
  path: '/{id}/reply',
  summary: "Reply to one of the practitioner's reviews",
  ...crmAccess,
  description: `${crmAccess.description} A review of another practitioner is 404. The same ` +
    'implementation as PATCH /reviews/{id}/reply.',
  request: { params: idParam, query: actingQuery, body: jsonBody(practitionerReplySchema) },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});
