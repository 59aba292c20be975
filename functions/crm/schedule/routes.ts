import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent, noContent } from '../../../shared/http/openapi.ts';
import { endTimeOfDay, idParam, timeOfDay } from '../../../shared/schemas/common.ts';
import { actingQuery, crmAccess } from '../acting-practitioner.ts';

export const END_AFTER_START = 'The end time must be after the start time.';

const dayOfWeek = z
  .int({ message: 'Use a whole number from 0 (Sunday) to 6 (Saturday).' })
  .min(0, { message: 'Use a whole number from 0 (Sunday) to 6 (Saturday).' })
  .max(6, { message: 'Use a whole number from 0 (Sunday) to 6 (Saturday).' });

const slotDuration = z
  .int({ message: 'Use a whole number of minutes from 5 to 240.' })
  .min(5, { message: 'Use a whole number of minutes from 5 to 240.' })
  .max(240, { message: 'Use a whole number of minutes from 5 to 240.' });

const isActive = z.boolean({ message: 'Use true or false.' });

export const scheduleRangeSchema = z
  .object({
    id: z.uuid(),
    day_of_week: z.int().openapi({ description: '0 = Sunday ... 6 = Saturday' }),
    start_time: z.string().openapi({ example: '09:00:00' }),
    end_time: z.string().openapi({ example: '12:00:00' }),
    slot_duration_minutes: z.int(),
    is_active: z.boolean(),
  })
  .openapi('ScheduleRange');

const newRange = z
  .object({
    day_of_week: dayOfWeek,
    start_time: timeOfDay,
    end_time: endTimeOfDay,
    slot_duration_minutes: slotDuration.optional().openapi({
      description: "Defaults to the practitioner's consultation duration",
    }),
    is_active: isActive.optional().openapi({ description: 'Defaults to true' }),
  })
  .refine((r) => r.end_time > r.start_time, { message: END_AFTER_START, path: ['end_time'] });

const rangeChanges = z
  .object({
    day_of_week: dayOfWeek,
    start_time: timeOfDay,
    end_time: endTimeOfDay,
    slot_duration_minutes: slotDuration,
    is_active: isActive,
  })
  .partial()
  .refine((r) => !r.start_time || !r.end_time || r.end_time > r.start_time, {
    message: END_AFTER_START,
    path: ['end_time'],
  });

export type NewRange = z.infer<typeof newRange>;
export type RangeChanges = z.infer<typeof rangeChanges>;
export type ScheduleRange = z.infer<typeof scheduleRangeSchema>;

const overlapNote = 'Two ranges of one day may touch (09:00-12:00 and 12:00-14:00) but not ' +
  'overlap: an overlap is a 409 conflict.';

export const listSchedule = createRoute({
  method: 'get',
  path: '/schedule',
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
  path: '/schedule',
  summary: 'Add a weekly range (times HH:MM or HH:MM:SS)',
  ...crmAccess,
  description: `${crmAccess.description}\n\n${overlapNote}`,
  request: { query: actingQuery, body: jsonBody(newRange) },
  responses: {
    201: jsonContent(scheduleRangeSchema, 'The range added'),
    ...errorResponses(400, 401, 403, 409, 413, 415, 429),
  },
});

export const updateScheduleRange = createRoute({
  method: 'patch',
  path: '/schedule/{id}',
  summary: 'Change some fields of a weekly range',
  ...crmAccess,
  description: `${crmAccess.description}\n\nThe end time is checked against the stored start ` +
    `time when only one of them is sent. ${overlapNote}`,
  request: { params: idParam, query: actingQuery, body: jsonBody(rangeChanges) },
  responses: {
    200: jsonContent(scheduleRangeSchema, 'The range after the change'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

export const deleteScheduleRange = createRoute({
  method: 'delete',
  path: '/schedule/{id}',
  summary: 'Remove a weekly range',
  ...crmAccess,
  request: { params: idParam, query: actingQuery },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 403, 404, 429),
  },
});
