import { z } from '@hono/zod-openapi';
import { trueOrFalse } from '../../shared/schemas/common.ts';

export const LOCALES = ['fr', 'he', 'en', 'ru', 'am', 'es'] as const;

export const settingsSchema = z
  .object({
    notifications_enabled: z.boolean(),
    reminders_enabled: z.boolean(),
    locale: z.enum(LOCALES),
  })
  .openapi('Settings');

export const settingsPatchSchema = z
  .object({
    notifications_enabled: trueOrFalse,
    reminders_enabled: trueOrFalse,
    locale: z.enum(LOCALES, { message: `Use one of: ${LOCALES.join(', ')}.` }),
  })
  .partial();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
