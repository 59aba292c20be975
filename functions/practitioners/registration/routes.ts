import { createRoute } from '@hono/zod-openapi';
import { bearer, errorResponses, jsonBody, jsonContent } from '../../../shared/http/openapi.ts';
import { myPractitionerSchema, registrationSchema } from './schemas.ts';

export const getMyPractitioner = createRoute({
  method: 'get',
  path: '/me',
  summary: 'My practitioner record, with what it still lacks',
  description: '404 while the signed-in user has not registered as a practitioner. Never ' +
    'cached (`Cache-Control: no-store`); other query parameters (`_t`) are ignored.',
  security: bearer,
  responses: {
    200: jsonContent(myPractitionerSchema, 'My practitioner record'),
    ...errorResponses(401, 404, 429),
  },
});

export const registerPractitioner = createRoute({
  method: 'post',
  path: '/register',
  summary: 'Register as a practitioner (the CRM onboarding)',
  description: 'Creates my practitioner record and makes my role `practitioner`, in one ' +
    'transaction. Anyone signed in may register; the record stays inactive (not listed, not ' +
    'bookable) until an admin activates it with PATCH /crm/profile?practitioner_id= ' +
    '{"is_active": true}. Sent again (the CRM submits again while the record is incomplete, and ' +
    'may retry), it updates the record and answers 200; optional fields left out keep their ' +
    'value. `organization_name`, `organization_type` and `referral_code` are accepted and not ' +
    'kept. An admin account is refused (409).',
  security: bearer,
  request: { body: jsonBody(registrationSchema) },
  responses: {
    201: jsonContent(myPractitionerSchema, 'Registered: my new practitioner record'),
    200: jsonContent(myPractitionerSchema, 'Already registered: my record, updated'),
    ...errorResponses(400, 401, 409, 413, 415, 429),
  },
});
