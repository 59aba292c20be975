import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../../shared/http/openapi.ts';
import { notificationDocument, WEBHOOK_MAX_BYTES, webhookAnswerSchema } from './schemas.ts';

// A plain schema, not zod: the router would validate it, and refuse a notification before the
// handler could record it.
const body = { schema: notificationDocument as Record<string, unknown> };

export const receive = createRoute({
  method: 'post',
  path: '/',
  summary: "PayMe's notification of a sale (called by PayMe, no user)",
  description: 'PayMe sends `application/x-www-form-urlencoded`; JSON is accepted too. The body ' +
    `is at most ${WEBHOOK_MAX_BYTES} bytes, and calls are rate limited per client address. A ` +
    'payment changes only when the sale is ours, the signature is valid (when a secret is ' +
    'configured), the reference, amount and currency match, and PayMe itself (get-sales) ' +
    'confirms the status. A replay of a processed notification answers 200 and changes ' +
    'nothing; any other refusal is recorded and answered 4xx, or 502 when PayMe could not be ' +
    'asked (send it again later).',
  request: {
    body: {
      required: true,
      content: { 'application/x-www-form-urlencoded': body, 'application/json': body },
    },
  },
  responses: {
    200: jsonContent(webhookAnswerSchema, 'Acknowledged'),
    ...errorResponses(400, 403, 404, 409, 413, 415, 429, 502),
  },
});
