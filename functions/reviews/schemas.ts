import { z } from '@hono/zod-openapi';
import { optionalText, uuid } from '../../shared/schemas/common.ts';

const RATING = 'Use a whole number of stars from 1 to 5.';

/** Contract 13: a review of one of the caller's past appointments. */
export const newReviewSchema = z.object({
  appointment_id: uuid.openapi({ description: 'One of my appointments, completed or missed' }),
  practitioner_id: uuid.openapi({ description: "The appointment's practitioner" }),
  rating: z.int({ message: RATING }).min(1, { message: RATING }).max(5, { message: RATING }),
  comment: optionalText(2000),
});

/** The whole review row, as POST /reviews answers it (client-compat), with its author's names. */
export const reviewSchema = z
  .object({
    id: z.uuid(),
    appointment_id: z.uuid(),
    practitioner_id: z.uuid(),
    patient_id: z.uuid(),
    rating: z.int().min(1).max(5),
    comment: z.string().nullable(),
    practitioner_reply: z.string().nullable(),
    created_at: z.string().openapi({ format: 'date-time' }),
    profiles: z.object({ first_name: z.string().nullable(), last_name: z.string().nullable() }),
  })
  .openapi('Review');

export type NewReview = z.infer<typeof newReviewSchema>;
export type Review = z.infer<typeof reviewSchema>;
