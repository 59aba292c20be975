import { z } from '@hono/zod-openapi';
import { isoDate } from '../../shared/schemas/common.ts';

export const runRequestSchema = z
  .object({
    date: isoDate.optional().openapi({
      description: 'With `force`: run as if this day (Israel) were today, reminding the ' +
        'appointments of the day after',
    }),
    force: z.boolean({ message: 'Use true or false.' }).optional().openapi({
      description: 'Run now, whatever the hour and whether the day already ran (the ' +
        'appointments already reminded are not reminded again); today in Israel without `date`',
    }),
  })
  .refine((body) => body.date === undefined || body.force === true, {
    message: 'Send "force": true with a date.',
    path: ['force'],
  });

export const OUTCOMES = ['ran', 'forced', 'too_early', 'already_ran'] as const;

export const runResultSchema = z
  .object({
    date: isoDate.openapi({
      description: 'The day of the run in Israel; its reminders are for the day after',
    }),
    created: z.number().int().min(0).openapi({ description: 'Reminders created by this call' }),
    skipped: z.number().int().min(0).openapi({
      description: 'Confirmed appointments of the day after not reminded by this call: ' +
        'reminded before, or their patient turned reminders off (0 when nothing ran)',
    }),
    outcome: z.enum(OUTCOMES).openapi({
      description: '`ran`: the day was done now; `forced`: a forced run; nothing to do: ' +
        '`too_early` (before 18:00 in Israel) or `already_ran` (the day was done before)',
    }),
  })
  .openapi('ReminderRun');

export type RunRequest = z.infer<typeof runRequestSchema>;
export type RunResult = z.infer<typeof runResultSchema>;
