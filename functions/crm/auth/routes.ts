import { createRoute } from '@hono/zod-openapi';
import { bearer, errorResponses, jsonContent } from '../../../shared/http/openapi.ts';
import { profileSchema } from '../../../shared/schemas/profile.ts';

export const bootstrap = createRoute({
  method: 'post',
  path: '/bootstrap',
  summary: "The CRM's start-up fallback: my profile",
  description: 'Any signed-in user, no body. Idempotent: it changes nothing and answers my ' +
    'profile as GET /profile does. The profile exists as soon as the account does, and the role ' +
    'is never changed here: a practitioner becomes one by POST /practitioners/register, and a ' +
    'patient stays a patient (the patient app signs out any other role).',
  security: bearer,
  responses: {
    200: jsonContent(profileSchema, 'My profile'),
    ...errorResponses(401, 429),
  },
});
