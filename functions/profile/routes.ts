import { createRoute } from '@hono/zod-openapi';
import { bearer, errorResponses, jsonBody, jsonContent } from '../../shared/http/openapi.ts';
import { errorBody } from '../../shared/schemas/common.ts';
import { profileSchema } from '../../shared/schemas/profile.ts';
import { avatarFormSchema } from '../../shared/schemas/avatar.ts';
import { profilePatchSchema } from './schemas.ts';

export const getProfile = createRoute({
  method: 'get',
  path: '/',
  summary: 'My profile',
  security: bearer,
  responses: {
    200: jsonContent(profileSchema, 'The profile'),
    ...errorResponses(401, 429),
  },
});

export const patchProfile = createRoute({
  method: 'patch',
  path: '/',
  summary: 'Change some fields of my profile ("" clears a field)',
  security: bearer,
  request: { body: jsonBody(profilePatchSchema) },
  responses: {
    200: jsonContent(profileSchema, 'The profile after the change'),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export const uploadAvatar = createRoute({
  method: 'post',
  path: '/avatar',
  summary: 'Replace my profile picture',
  security: bearer,
  request: {
    body: { required: true, content: { 'multipart/form-data': { schema: avatarFormSchema } } },
  },
  responses: {
    200: jsonContent(profileSchema, 'The profile with its new avatar_url'),
    ...errorResponses(400, 401, 413, 415, 429),
    503: jsonContent(errorBody, 'The database or the file storage is unavailable'),
  },
});
