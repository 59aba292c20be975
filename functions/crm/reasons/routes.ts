import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent } from '../../../shared/http/openapi.ts';
import { idParam } from '../../../shared/schemas/common.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import { appointmentReasonSchema, reasonChangesSchema, reasonFieldsSchema } from './schemas.ts';

export const listReasons = createRoute({
  method: 'get',
  path: '/',
  summary: "Consultation reasons: the global ones and the practitioner's own, by sort order",
  ...crmAccess,
  request: { query: actingQuery },
  responses: {
    200: jsonContent(z.array(appointmentReasonSchema), 'The reasons'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const createReason = createRoute({
  method: 'post',
  path: '/',
  summary: 'Add a consultation reason of the practitioner',
  ...crmAccess,
  request: { query: actingQuery, body: jsonBody(reasonFieldsSchema) },
  responses: {
    201: jsonContent(appointmentReasonSchema, 'The reason added'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

export const updateReason = createRoute({
  method: 'patch',
  path: '/{id}',
  summary: 'Change some fields of a consultation reason',
  ...crmAccess,
  description: `${crmAccess.description}\n\nA global reason (practitioner_id null) can be ` +
    'changed by an admin only: a practitioner gets 403.',
  request: { params: idParam, query: actingQuery, body: jsonBody(reasonChangesSchema) },
  responses: {
    200: jsonContent(appointmentReasonSchema, 'The reason after the change'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});
