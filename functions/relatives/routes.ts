import { createRoute, z } from '@hono/zod-openapi';
import { idParam, optionalDate, optionalText, requiredText } from '../../shared/schemas/common.ts';
import { KUPOT_HOLIM, RELATIONS, relativeSchema } from '../../shared/schemas/relative.ts';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
} from '../../shared/http/openapi.ts';

/** Today where the patients are: a baby born this morning in Israel is not "in the future". */
const todayInIsrael = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jerusalem' }).format(new Date());

const dateOfBirth = optionalDate
  .refine((d) => d == null || d >= '1900-01-01', { message: 'Use a date from 1900 onwards.' })
  .refine((d) => d == null || d <= todayInIsrael(), {
    message: 'The date of birth cannot be in the future.',
  });

/** Accepted in any case and stored lowercase (client-compat); `""` means none. */
const kupatHolim = z
  .preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || null : v),
    z.enum(KUPOT_HOLIM, { message: `Use one of: ${KUPOT_HOLIM.join(', ')}.` }).nullable(),
  )
  .optional()
  .openapi({
    type: ['string', 'null'],
    enum: [...KUPOT_HOLIM],
    description: 'Any case; stored lowercase',
  });

const newRelative = z.object({
  first_name: requiredText(100),
  last_name: requiredText(100),
  relation: z.enum(RELATIONS, { message: `Use one of: ${RELATIONS.join(', ')}.` }),
  date_of_birth: dateOfBirth,
  kupat_holim: kupatHolim,
  insurance_provider: optionalText(100),
});

export type NewRelative = z.infer<typeof newRelative>;

export const listRelatives = createRoute({
  method: 'get',
  path: '/',
  summary: 'My relatives, oldest first',
  security: bearer,
  responses: {
    200: jsonContent(z.array(relativeSchema), 'The relatives'),
    ...errorResponses(401, 429),
  },
});

export const createRelative = createRoute({
  method: 'post',
  path: '/',
  summary: 'Add a relative',
  security: bearer,
  request: { body: jsonBody(newRelative) },
  responses: {
    201: jsonContent(relativeSchema, 'The relative added'),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export const deleteRelative = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Remove one of my relatives',
  security: bearer,
  request: { params: idParam },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 404, 429),
  },
});
