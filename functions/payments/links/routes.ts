import { createRoute } from '@hono/zod-openapi';
import { bearer, errorResponses, jsonBody, jsonContent } from '../../../shared/http/openapi.ts';
import { newLinkSchema, paymentLinkSchema } from './schemas.ts';

export const createLink = createRoute({
  method: 'post',
  path: '/create-link',
  summary: 'Open a PayMe payment page; send the patient to `payment_url`',
  description: 'Creates a pending payment and asks PayMe for a sale (our payment id as its ' +
    'reference, in Hebrew for a Hebrew-speaking patient, else in English). The payment is ' +
    "settled only by PayMe's notification, once PayMe confirms it. When PayMe refuses or does " +
    'not answer: 502 `payment_provider_error`, and the payment is recorded as failed. Another ' +
    "person's appointment is 404.",
  security: bearer,
  request: { body: jsonBody(newLinkSchema) },
  responses: {
    201: jsonContent(paymentLinkSchema, 'The pending payment and its page'),
    ...errorResponses(400, 401, 404, 409, 413, 415, 429, 502),
  },
});
