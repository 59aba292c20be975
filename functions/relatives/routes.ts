import { createRoute, z } from '@hono/zod-openapi';
import {
  idParam,
  optionalBirthDate,
  optionalKupatHolim,
  optionalText,
  requiredText,
} from '../../shared/schemas/common.ts';
import { RELATIONS, relativeSchema } from '../../shared/schemas/relative.ts';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
} from '../../shared/http/openapi.ts';

const newRelative = z.object({
  first_name: requiredText(100),
  last_name: requiredText(100),
  relation: z.enum(RELATIONS, { message: `Use one of: ${RELATIONS.join(', ')}.` }),
  date_of_birth: optionalBirthDate,
  kupat_holim: optionalKupatHolim,
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
