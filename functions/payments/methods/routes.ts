import { createRoute, z } from '@hono/zod-openapi';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
} from '../../../shared/http/openapi.ts';
import { idParam } from '../../../shared/schemas/common.ts';
import { newMethodSchema, paymentMethodSchema } from './schemas.ts';

export const listMethods = createRoute({
  method: 'get',
  path: '/',
  summary: 'My cards on file: the default first, then the newest',
  security: bearer,
  responses: {
    200: jsonContent(z.array(paymentMethodSchema), 'The cards'),
    ...errorResponses(401, 429),
  },
});

export const addMethod = createRoute({
  method: 'post',
  path: '/',
  summary: 'Keep a card on file (display data only); my first card becomes the default',
  description: 'Only the brand, the last 4 digits and the expiry: a body carrying a full card ' +
    'number or a security code (`card_number`, `number`, `pan`, `credit_card_number`, `cvv`, ' +
    '`cvc`) is refused, as is a card whose expiry month has passed in Israel.',
  security: bearer,
  request: { body: jsonBody(newMethodSchema) },
  responses: {
    201: jsonContent(paymentMethodSchema, 'The card'),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export const deleteMethod = createRoute({
  method: 'delete',
  path: '/{id}',
  summary:
    'Remove one of my cards; removing the default makes my newest remaining card the default',
  security: bearer,
  request: { params: idParam },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 404, 429),
  },
});

export const makeDefault = createRoute({
  method: 'patch',
  path: '/{id}/default',
  summary: 'Make one of my cards the default',
  security: bearer,
  request: { params: idParam },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 404, 429),
  },
});
