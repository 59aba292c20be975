import { z } from '@hono/zod-openapi';
import {
  endTimeOfDay,
  storedEndTime,
  storedTime,
  timeOfDay,
  trueOrFalse,
  wholeNumber,
} from '../../../shared/schemas/common.ts';
import { END_AFTER_START } from '../schemas.ts';

const dayOfWeek = wholeNumber(0, 6, 'Use a whole number from 0 (Sunday) to 6 (Saturday).');
const slotDuration = wholeNumber(5, 240, 'Use a whole number of minutes from 5 to 240.');

export const scheduleRangeSchema = z
  .object({
    id: z.uuid(),
    day_of_week: z.int().openapi({ description: '0 = Sunday ... 6 = Saturday' }),
    start_time: storedTime,
    end_time: storedEndTime,
    slot_duration_minutes: z.int(),
    is_active: z.boolean(),
  })
  .openapi('ScheduleRange');

const rangeFields = z.object({
  day_of_week: dayOfWeek,
  start_time: timeOfDay,
  end_time: endTimeOfDay,
  slot_duration_minutes: slotDuration,
  is_active: trueOrFalse,
});

export const newRangeSchema = rangeFields
  .extend({
    slot_duration_minutes: slotDuration.optional().openapi({
      description: "Defaults to the practitioner's consultation duration",
    }),
    is_active: trueOrFalse.optional().openapi({ description: 'Defaults to true' }),
  })
  .refine((r) => r.end_time > r.start_time, { message: END_AFTER_START, path: ['end_time'] });

export const rangeChangesSchema = rangeFields
  .partial()
  .refine((r) => !r.start_time || !r.end_time || r.end_time > r.start_time, {
    message: END_AFTER_START,
    path: ['end_time'],
  });

export type NewRange = z.infer<typeof newRangeSchema>;
export type RangeChanges = z.infer<typeof rangeChangesSchema>;
export type ScheduleRange = z.infer<typeof scheduleRangeSchema>;
