import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent } from '../../../shared/http/openapi.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import { practitionerProfileSchema, profileChangesSchema } from './schemas.ts';

export const patchProfile = createRoute({
  method: 'patch',
  path: '/',
  summary: 'Change some fields of the practitioner profile (null or "" clears a field)',
  ...crmAccess,
  description: `${crmAccess.description}\n\nfirst_name and last_name are the practitioner's ` +
    'names; latitude and longitude go together, both numbers or both null; price_min_agorot ' +
    'cannot be above price_max_agorot, and a price alone is checked against the stored other ' +
    'end of the range. is_active is for admins only: an admin activates a registered ' +
    'practitioner with {"is_active": true} and practitioner_id.',
  request: { query: actingQuery, body: jsonBody(profileChangesSchema) },
  responses: {
    200: jsonContent(practitionerProfileSchema, 'The practitioner profile after the change'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});
