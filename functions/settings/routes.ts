import { createRoute, z } from '@hono/zod-openapi';
import { bearer, errorResponses, jsonBody, jsonContent } from '../../shared/http/openapi.ts';

export const LOCALES = ['fr', 'he', 'en', 'ru', 'am', 'es'] as const;

export const settingsSchema = z
  .object({
    notifications_enabled: z.boolean(),
    reminders_enabled: z.boolean(),
    locale: z.enum(LOCALES),
  })
  .openapi('Settings');

const settingsPatch = z
  .object({
    notifications_enabled: z.boolean({ message: 'Use true or false.' }),
    reminders_enabled: z.boolean({ message: 'Use true or false.' }),
    locale: z.enum(LOCALES, { message: `Use one of: ${LOCALES.join(', ')}.` }),
  })
  .partial();

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
  request: { body: jsonBody(settingsPatch) },
  responses: {
    200: jsonContent(settingsSchema, 'The settings after the change'),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export type SettingsPatch = z.infer<typeof settingsPatch>;
