import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../../shared/http/openapi.ts';
import { personNamesSchema } from '../../../shared/schemas/practitioner.ts';
import { actingQuery, crmAccess } from '../acting-practitioner.ts';

export const receivedReviewSchema = z
  .object({
    id: z.uuid(),
    appointment_id: z.uuid(),
    patient_id: z.uuid(),
    rating: z.int().min(1).max(5),
    comment: z.string().nullable(),
    practitioner_reply: z.string().nullable(),
    created_at: z.string().openapi({ format: 'date-time' }),
    profiles: personNamesSchema,
  })
  .openapi('ReceivedReview');

export type ReceivedReview = z.infer<typeof receivedReviewSchema>;

export const listReviews = createRoute({
  method: 'get',
  path: '/reviews',
  summary: 'Reviews the practitioner received, newest first, with their authors',
  ...crmAccess,
  request: { query: actingQuery },
  responses: {
    200: jsonContent(z.array(receivedReviewSchema), 'The reviews'),
    ...errorResponses(400, 401, 403, 429),
  },
});
