import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent, noContent } from '../../../shared/http/openapi.ts';
import { idParam } from '../../../shared/schemas/common.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import { newRangeSchema, rangeChangesSchema, scheduleRangeSchema } from './schemas.ts';

const endAfterStart = 'end_time must be after start_time.';

const overlapNote = 'Two ranges of one day may touch (09:00-12:00 and 12:00-14:00) but not ' +
  'overlap: an overlap is a 409 conflict.';

export const listSchedule = createRoute({
  method: 'get',
  path: '/',
  summary: 'The weekly schedule, by day then start time',
  ...crmAccess,
  request: { query: actingQuery },
  responses: {
    200: jsonContent(z.array(scheduleRangeSchema), 'The weekly ranges'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const createScheduleRange = createRoute({
  method: 'post',
  path: '/',
  summary: 'Add a weekly range (times HH:MM or HH:MM:SS)',
  ...crmAccess,
  description: `${crmAccess.description}\n\n${endAfterStart} ${overlapNote}`,
  request: { query: actingQuery, body: jsonBody(newRangeSchema) },
  responses: {
    201: jsonContent(scheduleRangeSchema, 'The range added'),
    ...errorResponses(400, 401, 403, 409, 413, 415, 429),
  },
});

export const updateScheduleRange = createRoute({
  method: 'patch',
  path: '/{id}',
  summary: 'Change some fields of a weekly range',
  ...crmAccess,
  description: `${crmAccess.description}\n\n${endAfterStart} The end time is checked against ` +
    `the stored start time when only one of them is sent. ${overlapNote}`,
  request: { params: idParam, query: actingQuery, body: jsonBody(rangeChangesSchema) },
  responses: {
    200: jsonContent(scheduleRangeSchema, 'The range after the change'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

export const deleteScheduleRange = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Remove a weekly range',
  ...crmAccess,
  request: { params: idParam, query: actingQuery },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 403, 404, 429),
  },
});
