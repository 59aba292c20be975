import { createRoute, z } from '@hono/zod-openapi';
import { idParam } from '../../shared/schemas/common.ts';
import { relativeSchema } from '../../shared/schemas/relative.ts';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
} from '../../shared/http/openapi.ts';
import { newRelativeSchema } from './schemas.ts';

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
  request: { body: jsonBody(newRelativeSchema) },
  responses: {
    201: jsonContent(relativeSchema, 'The relative added'),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export const deleteRelative = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Remove one of my relatives',
  description: 'Refused (409) while the relative has appointments ahead: cancel them first.',
  security: bearer,
  request: { params: idParam },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 404, 409, 429),
  },
});
