import { z } from '@hono/zod-openapi';

/** Position of an item in the practitioner's lists, smallest first. */
export const sortOrder = z
  .int({ message: 'Use a whole number from 0 to 10000.' })
  .min(0, { message: 'Use a whole number from 0 to 10000.' })
  .max(10000, { message: 'Use a whole number from 0 to 10000.' });
