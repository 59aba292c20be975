import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../shared/http/openapi.ts';
import { idParam } from '../../shared/schemas/common.ts';
import { slotSchema } from '../../shared/schemas/practitioner.ts';
import {
  MAX_SLOT_RANGE_DAYS,
  practitionerProfileSchema,
  reviewPageSchema,
  reviewsQuerySchema,
  searchQuerySchema,
  searchResultSchema,
  slotsQuerySchema,
} from './schemas.ts';

export const searchPractitioners = createRoute({
  method: 'get',
  path: '/search',
  summary: 'Search active practitioners by text, specialty, city and distance',
  description: 'lat and lng are sent together. "" in a parameter means it was not given.',
  request: { query: searchQuerySchema },
  responses: {
    200: jsonContent(
      z.array(searchResultSchema),
      'Best matches first, or nearest first with lat/lng',
    ),
    ...errorResponses(400, 429),
  },
});

export const getPractitioner = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'Public profile: instructions, reasons, free slots of the next 14 days, latest reviews',
  request: { params: idParam },
  responses: {
    200: jsonContent(practitionerProfileSchema, 'The practitioner'),
    ...errorResponses(400, 404, 429),
  },
});

export const getSlots = createRoute({
  method: 'get',
  path: '/{id}/slots',
  summary:
    `Free slots between two dates (inclusive, at most ${MAX_SLOT_RANGE_DAYS} days; default the next 14 days)`,
  description: '`to` cannot be before `from`. "" in a parameter means it was not given.',
  request: { params: idParam, query: slotsQuerySchema },
  responses: {
    200: jsonContent(z.array(slotSchema), 'Free slots in order'),
    ...errorResponses(400, 404, 429),
  },
});

export const getReviews = createRoute({
  method: 'get',
  path: '/{id}/reviews',
  summary: 'Reviews of a practitioner, newest first',
  description: '"" in a parameter means it was not given.',
  request: { params: idParam, query: reviewsQuerySchema },
  responses: {
    200: jsonContent(reviewPageSchema, 'One page of reviews and the total count'),
    ...errorResponses(400, 404, 429),
  },
});
