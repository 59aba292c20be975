import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent, noContent } from '../../../shared/http/openapi.ts';
import { idParam } from '../../../shared/schemas/common.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import { overrideInputSchema, overridesQuerySchema, scheduleOverrideSchema } from './schemas.ts';

export const listOverrides = createRoute({
  method: 'get',
  path: '/',
  summary: 'Date exceptions (closed days, special hours), by date',
  ...crmAccess,
  description: `${crmAccess.description}\n\n\`to\` cannot be before \`from\`.`,
  request: { query: overridesQuerySchema },
  responses: {
    200: jsonContent(z.array(scheduleOverrideSchema), 'The exceptions'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const saveOverride = createRoute({
  method: 'post',
  path: '/',
  summary: 'Set the exception of a date (replaces the one already set for that date)',
  ...crmAccess,
  description: `${crmAccess.description}\n\nHours (HH:MM or HH:MM:SS) are required when ` +
    '`is_available` is true and refused when it is false; end_time must be after start_time.',
  request: { query: actingQuery, body: jsonBody(overrideInputSchema) },
  responses: {
    200: jsonContent(scheduleOverrideSchema, 'The exception of that date'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

export const deleteOverride = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Remove a date exception',
  ...crmAccess,
  request: { params: idParam, query: actingQuery },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 403, 404, 429),
  },
});
