import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../../shared/auth/middleware.ts';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
} from '../../shared/http/openapi.ts';
import { practitionerReplySchema } from '../../shared/reviews/reply.ts';
import { idParam } from '../../shared/schemas/common.ts';
import { newReviewSchema, reviewSchema } from './schemas.ts';

export const createReview = createRoute({
  method: 'post',
  path: '/',
  summary: 'Review one of my appointments once it is completed or missed',
  description: 'One review per appointment (a second is 409). The practitioner is notified at ' +
    "once and their rating figures include the review immediately. Another person's " +
    'appointment is 404.',
  security: bearer,
  request: { body: jsonBody(newReviewSchema) },
  responses: {
    201: jsonContent(reviewSchema, 'The review'),
    ...errorResponses(400, 401, 404, 409, 413, 415, 429),
  },
});

export const replyToReview = createRoute({
  method: 'patch',
  path: '/{id}/reply',
  summary: 'Reply to a review I received (practitioners)',
  description: 'Only the practitioner of the review: patients and admins get 403 (an admin ' +
    'replies for a practitioner through PATCH /crm/reviews/{id}/reply), another ' +
    'practitioner 404. Same implementation as the CRM route.',
  security: bearer,
  middleware: requireRole('practitioner'),
  request: { params: idParam, body: jsonBody(practitionerReplySchema) },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});
