import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonContent, optionalJsonBody } from '../../shared/http/openapi.ts';
import { runRequestSchema, runResultSchema } from './schemas.ts';

/** The service secret, in either header (typed, so the route's input types stay inferred). */
const serviceSecret: Record<string, string[]>[] = [{ serviceSecret: [] }, { serviceApiKey: [] }];

export const run = createRoute({
  method: 'post',
  path: '/run',
  summary: 'Create the reminders of tomorrow when it is time (pg_cron calls it)',
  description: 'Called at 15:00 and 16:00 UTC. From 18:00 in Israel, once a day, every ' +
    'confirmed appointment of the next day whose patient wants reminders gets one ' +
    '`appointment_reminder` notification; a reminder is never created twice for one ' +
    'appointment. Before 18:00, or once the day ran, nothing is done. Needs the service ' +
    'secret as `Authorization: Bearer <secret>` or `apikey: <secret>`; a user token is refused.',
  security: serviceSecret,
  request: { body: optionalJsonBody(runRequestSchema) },
  responses: {
    200: jsonContent(runResultSchema, 'What the call did'),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});
