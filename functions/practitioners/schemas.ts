import { z } from '@hono/zod-openapi';
import {
  isoDate,
  optionalParam,
  orNull,
  uuid,
  wholeNumberParam,
} from '../../shared/schemas/common.ts';
import {
  practitionerSummarySchema,
  publicReviewSchema,
  slotSchema,
} from '../../shared/schemas/practitioner.ts';

/** The longest span of dates one slots request may cover. */
export const MAX_SLOT_RANGE_DAYS = 62;

const DECIMAL = /^-?\d{1,3}(\.\d+)?$/;

const coordinate = (name: string, max: number) =>
  z.string()
    .regex(DECIMAL, { message: `Use a decimal number for ${name}.` })
    .transform(Number)
    .refine((v) => Math.abs(v) <= max, { message: `Use a ${name} between -${max} and ${max}.` })
    .openapi({
      description:
        `Decimal ${name} from -${max} to ${max}, sent together with the other coordinate`,
    });

export const searchQuerySchema = z
  .object({
    q: optionalParam(z.string().trim().max(200, { message: 'Use at most 200 characters.' })),
    specialty: optionalParam(uuid),
    city: optionalParam(z.string().trim().max(100, { message: 'Use at most 100 characters.' })),
    lat: optionalParam(coordinate('latitude', 90)),
    lng: optionalParam(coordinate('longitude', 180)),
    limit: wholeNumberParam('limit', 1, 100, 50),
  })
  .superRefine((v, ctx) => {
    if ((v.lat === undefined) !== (v.lng === undefined)) {
      const missing = v.lat === undefined ? 'lat' : 'lng';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'Send lat and lng together.' });
    }
  });

export const slotsQuerySchema = z.object({
  from: optionalParam(isoDate),
  to: optionalParam(isoDate),
});

export const reviewsQuerySchema = z.object({
  limit: wholeNumberParam('limit', 1, 50, 20),
  offset: wholeNumberParam('offset', 0, 100_000, 0),
});

export const searchResultSchema = practitionerSummarySchema
  .extend({
    distance_km: z.number().optional().openapi({
      description: 'Only when lat and lng are given',
    }),
    first_slot: orNull(slotSchema).openapi({ description: 'The next free slot within 14 days' }),
  })
  .openapi('PractitionerSearchResult');

export const practitionerProfileSchema = practitionerSummarySchema
  .extend({
    phone: z.string().nullable(),
    email: z.string().nullable(),
    consultation_duration_minutes: z.number().int(),
    instructions: z.array(z.object({
      id: z.uuid(),
      title: z.string(),
      content: z.string(),
      sort_order: z.number().int(),
    })),
    reasons: z.array(z.object({
      id: z.uuid(),
      label: z.string(),
      label_fr: z.string().nullable(),
      label_he: z.string().nullable(),
    })),
    slots: z.array(slotSchema),
    reviews: z.array(publicReviewSchema),
  })
  .openapi('PractitionerProfile');

export const reviewPageSchema = z
  .object({ reviews: z.array(publicReviewSchema), total: z.number().int() })
  .openapi('PublicReviewPage');

export type SearchQuery = z.infer<typeof searchQuerySchema>;
export type ReviewsQuery = z.infer<typeof reviewsQuerySchema>;
export type SearchResult = z.infer<typeof searchResultSchema>;
export type PractitionerProfile = z.infer<typeof practitionerProfileSchema>;
export type ReviewPage = z.infer<typeof reviewPageSchema>;
