import { z } from '@hono/zod-openapi';
import { personNamesSchema } from '../../../shared/schemas/practitioner.ts';

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
