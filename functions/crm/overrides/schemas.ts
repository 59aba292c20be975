import { z } from '@hono/zod-openapi';
import {
  endTimeOfDay,
  isoDate,
  optionalText,
  storedEndTime,
  storedTime,
  timeOfDay,
  trueOrFalse,
} from '../../../shared/schemas/common.ts';
import { actingQuery, END_AFTER_START } from '../schemas.ts';

export const scheduleOverrideSchema = z
  .object({
    id: z.uuid(),
    date: z.string().openapi({ format: 'date', example: '2026-03-15' }),
    is_available: z.boolean(),
    start_time: storedTime.nullable(),
    end_time: storedEndTime.nullable(),
    reason: z.string().nullable(),
  })
  .openapi('ScheduleOverride');

const HOURS_NEEDED = 'Give the opening hours of this day.';
const NO_HOURS = 'A closed day has no hours: leave this out.';

/** A day's exception: closed (no hours), or open with its own hours replacing the weekly ones. */
export const overrideInputSchema = z
  .object({
    date: isoDate,
    is_available: trueOrFalse,
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
        message: END_AFTER_START,
        path: ['end_time'],
      });
    }
  });

export const overridesQuerySchema = actingQuery
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

export type OverrideInput = z.infer<typeof overrideInputSchema>;
export type ScheduleOverride = z.infer<typeof scheduleOverrideSchema>;
