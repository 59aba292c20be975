import { createRoute } from '@hono/zod-openapi';
import { bearer, errorResponses, jsonBody, jsonContent } from '../../shared/http/openapi.ts';
import { settingsPatchSchema, settingsSchema } from './schemas.ts';

export const getSettings = createRoute({
  method: 'get',
  path: '/',
  summary: 'My settings (defaults when never set)',
  security: bearer,
  responses: {
    200: jsonContent(settingsSchema, 'The settings'),
    ...errorResponses(401, 429),
  },
});

export const patchSettings = createRoute({
  method: 'patch',
  path: '/',
  summary: 'Change some settings',
  security: bearer,
  request: { body: jsonBody(settingsPatchSchema) },
  responses: {
    200: jsonContent(settingsSchema, 'The settings after the change'),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});
