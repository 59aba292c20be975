import { z } from '@hono/zod-openapi';
import { orNull, storedEndTime, storedTime } from './common.ts';

/** A free slot, local wall-clock date and times in the practitioner's time zone. */
export const slotSchema = z
  .object({
    slot_date: z.string().openapi({ format: 'date', example: '2026-02-10' }),
    slot_start: storedTime,
    slot_end: storedEndTime,
  })
  .openapi('Slot');

export const specialtyNamesSchema = z
  .object({ name: z.string(), name_fr: z.string(), name_he: z.string() })
  .openapi('SpecialtyNames');

export const SECTORS = ['Clalit', 'Maccabi', 'Meuhedet', 'Leumit'] as const;

/** A person's public names and picture: a practitioner in the directory, a patient in the CRM. */
export const personNamesSchema = z
  .object({
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
  })
  .openapi('PersonNames');

/** A practitioner as listed in search results and nested in other groups' answers. */
export const practitionerSummarySchema = z
  .object({
    id: z.uuid(),
    address_line: z.string().nullable(),
    zip_code: z.string().nullable(),
    city: z.string().nullable(),
    sector: z.enum(SECTORS).nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    about: z.string().nullable(),
    languages: z.array(z.string()),
    education: z.string().nullable(),
    years_of_experience: z.number().int().nullable(),
    is_accepting_new_patients: z.boolean(),
    profiles: orNull(personNamesSchema),
    specialties: orNull(specialtyNamesSchema),
    average_rating: z.number().nullable(),
    review_count: z.number().int(),
  })
  .openapi('PractitionerSummary');

/** A public review: the author by first name and initial only. */
export const publicReviewSchema = z
  .object({
    id: z.uuid(),
    rating: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
    practitioner_reply: z.string().nullable(),
    created_at: z.string().openapi({ format: 'date-time' }),
    profiles: z.object({ first_name: z.string().nullable(), last_name: z.string().nullable() }),
  })
  .openapi('PublicReview');

export type PublicReview = z.infer<typeof publicReviewSchema>;
