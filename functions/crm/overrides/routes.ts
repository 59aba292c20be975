import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent, noContent } from '../../../shared/http/openapi.ts';
import {
  endTimeOfDay,
  idParam,
  isoDate,
  optionalText,
  timeOfDay,
} from '../../../shared/schemas/common.ts';
import { actingQuery, crmAccess } from '../acting-practitioner.ts';

export const scheduleOverrideSchema = z
  .object({
    id: z.uuid(),
    date: z.string().openapi({ format: 'date', example: '2026-03-15' }),
    is_available: z.boolean(),
    start_time: z.string().nullable().openapi({ example: '10:00:00' }),
    end_time: z.string().nullable().openapi({ example: '14:00:00' }),
    reason: z.string().nullable(),
  })
  .openapi('ScheduleOverride');

const HOURS_NEEDED = 'Give the opening hours of this day.';
const NO_HOURS = 'A closed day has no hours: leave this out.';

/** A day's exception: closed (no hours), or open with its own hours replacing the weekly ones. */
const overrideInput = z
  .object({
    date: isoDate,
    is_available: z.boolean({ message: 'Use true or false.' }),
    start_time: timeOfDay.nullable().optional(),
    end_time: endTimeOfDay.nullable().optional(),
    reason: optionalText(200),
  })
  .superRefine((o, ctx) => {
    for (const end of ['start_time', 'end_time'] as const) {
      if (o.is_available && !o[end]) {
        ctx.addIssue({ code: 'custom', message: HOURS_NEEDED, path: [end] });
      }
      if (!o.is_available && o[end] != null) {
        ctx.addIssue({ code: 'custom', message: NO_HOURS, path: [end] });
      }
    }
    if (o.start_time && o.end_time && o.end_time <= o.start_time) {
      ctx.addIssue({
        code: 'custom',
        message: 'The end time must be after the start time.',
        path: ['end_time'],
      });
    }
  });

const overridesQuery = actingQuery
  .extend({
    from: isoDate.optional().openapi({
      param: { name: 'from', in: 'query' },
      description: 'First date, included',
    }),
    to: isoDate.optional().openapi({
      param: { name: 'to', in: 'query' },
      description: 'Last date, included',
    }),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'The end of the period cannot be before its start.',
    path: ['to'],
  });

export type OverrideInput = z.infer<typeof overrideInput>;
export type ScheduleOverride = z.infer<typeof scheduleOverrideSchema>;

export const listOverrides = createRoute({
  method: 'get',
  path: '/overrides',
  summary: 'Date exceptions (closed days, special hours), by date',
  ...crmAccess,
  request: { query: overridesQuery },
  responses: {
    200: jsonContent(z.array(scheduleOverrideSchema), 'The exceptions'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const saveOverride = createRoute({
  method: 'post',
  path: '/overrides',
  summary: 'Set the exception of a date (replaces the one already set for that date)',
  ...crmAccess,
  description: `${crmAccess.description}\n\nHours (HH:MM or HH:MM:SS) are required when ` +
    '`is_available` is true and refused when it is false.',
  request: { query: actingQuery, body: jsonBody(overrideInput) },
  responses: {
    200: jsonContent(scheduleOverrideSchema, 'The exception of that date'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

export const deleteOverride = createRoute({
  method: 'delete',
  path: '/overrides/{id}',
  summary: 'Remove a date exception',
  ...crmAccess,
  request: { params: idParam, query: actingQuery },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 403, 404, 429),
  },
});
