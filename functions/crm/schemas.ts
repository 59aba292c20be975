import { z } from '@hono/zod-openapi';
import { uuid, wholeNumber } from '../../shared/schemas/common.ts';

/** The query parameter every CRM route accepts; routes with more query parameters extend it. */
export const actingQuery = z.object({
  practitioner_id: uuid.optional().openapi({
    param: { name: 'practitioner_id', in: 'query' },
    description: 'Required for admins: the practitioner to act for.',
  }),
});

export const END_AFTER_START = 'The end time must be after the start time.';

/** Position of an item in the practitioner's lists, smallest first. */
export const sortOrder = wholeNumber(0, 10000);
