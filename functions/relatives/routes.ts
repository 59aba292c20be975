import { createRoute, z } from '@hono/zod-openapi';
import { relativeSchema } from '../../shared/schemas/relative.ts';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
} from '../../shared/http/openapi.ts';
import { avatarFormSchema } from '../../shared/schemas/avatar.ts';
import { errorBody, idParam } from '../../shared/schemas/common.ts';
import { newRelativeSchema, relativeChangesSchema } from './schemas.ts';

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

export const patchRelative = createRoute({
  method: 'patch',
  path: '/{id}',
  summary: 'Change some fields of one of my relatives ("" clears an optional field)',
  description: 'A field left out stays as it is. first_name, last_name and relation cannot be ' +
    'cleared. avatar_url is accepted only as the current picture (what the upload answered): ' +
    "the picture changes by POST /relatives/{id}/avatar. Someone else's relative is 404.",
  security: bearer,
  request: { params: idParam, body: jsonBody(relativeChangesSchema) },
  responses: {
    200: jsonContent(relativeSchema, 'The relative after the change'),
    ...errorResponses(400, 401, 404, 413, 415, 429),
  },
});

const avatarUrlSchema = z
  .object({ avatar_url: z.string().openapi({ description: 'A new URL for every upload' }) })
  .openapi('RelativeAvatar');

export const uploadRelativeAvatar = createRoute({
  method: 'post',
  path: '/{id}/avatar',
  summary: 'Replace the picture of one of my relatives',
  description: 'Multipart, one file field `avatar`: JPEG, PNG or WebP (recognised by its ' +
    'bytes, whatever its declared type), at most 5 MB. The relative keeps the picture at ' +
    "once; the previous one is deleted. Someone else's relative is 404.",
  security: bearer,
  request: {
    params: idParam,
    body: { required: true, content: { 'multipart/form-data': { schema: avatarFormSchema } } },
  },
  responses: {
    200: jsonContent(avatarUrlSchema, "The picture's public URL"),
    ...errorResponses(400, 401, 404, 413, 415, 429),
    503: jsonContent(errorBody, 'The database or the file storage is unavailable'),
  },
});
