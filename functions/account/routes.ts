import { createRoute } from '@hono/zod-openapi';
import { bearer, errorResponses, noContent } from '../../shared/http/openapi.ts';

export const deleteAccount = createRoute({
  method: 'delete',
  path: '/',
  summary: 'Delete my account and my personal data',
  description: 'No body. Deletes the sign-in account (the address can sign up again) and my ' +
    'own data: profile, relatives, health records, settings, push tokens, cards and payments, ' +
    'notifications, reviews, conversations, and my pictures. My appointments still ahead are ' +
    'cancelled first, and each practitioner is told as of any cancellation; the practices keep ' +
    'the rest of their history with me as "deleted patient". The token stops working at once. ' +
    '409 for an admin account, and for a practitioner whose practice has appointments (they ' +
    "stay in the patients' history: Dokal support closes such a practice).",
  security: bearer,
  responses: {
    ...noContent,
    ...errorResponses(401, 409, 429),
  },
});
