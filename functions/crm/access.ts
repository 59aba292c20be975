import { requireRole } from '../../shared/auth/middleware.ts';
import { bearer } from '../../shared/http/openapi.ts';

/** Spread into every CRM route: a signed-in practitioner or admin; a patient gets 403. */
export const crmAccess = {
  security: bearer,
  middleware: requireRole('practitioner', 'admin'),
  // What `forPractitioner` enforces, as the clients read it.
  description: 'Acting for a practitioner: a practitioner works on their own practice ' +
    'and may leave `practitioner_id` out. An admin names the practitioner in the ' +
    '`practitioner_id` query parameter, on every CRM route (GET and writes alike); without it ' +
    'the answer is 400. A practitioner naming another practitioner gets 403.',
};
