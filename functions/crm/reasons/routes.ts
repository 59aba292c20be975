import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent } from '../../../shared/http/openapi.ts';
import { idParam, optionalText, requiredText } from '../../../shared/schemas/common.ts';
import { actingQuery, crmAccess } from '../acting-practitioner.ts';
import { sortOrder } from '../sort-order.ts';

export const appointmentReasonSchema = z
  .object({
    id: z.uuid(),
    practitioner_id: z.uuid().nullable().openapi({ description: 'null: a global reason' }),
    label: z.string(),
    label_fr: z.string().nullable(),
    label_he: z.string().nullable(),
    sort_order: z.int(),
    is_active: z.boolean(),
  })
  .openapi('AppointmentReason');

const reasonFields = z.object({
  label: requiredText(200),
  label_fr: optionalText(200),
  label_he: optionalText(200),
  sort_order: sortOrder.optional().openapi({ description: 'Defaults to 0' }),
  is_active: z.boolean({ message: 'Use true or false.' }).optional().openapi({
    description: 'Defaults to true',
  }),
});

const reasonChanges = reasonFields.partial();

export type NewReason = z.infer<typeof reasonFields>;
export type ReasonChanges = z.infer<typeof reasonChanges>;
export type AppointmentReason = z.infer<typeof appointmentReasonSchema>;

export const listReasons = createRoute({
  method: 'get',
  path: '/reasons',
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
  path: '/reasons',
  summary: 'Add a consultation reason of the practitioner',
  ...crmAccess,
  request: { query: actingQuery, body: jsonBody(reasonFields) },
  responses: {
    201: jsonContent(appointmentReasonSchema, 'The reason added'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

export const updateReason = createRoute({
  method: 'patch',
  path: '/reasons/{id}',
  summary: 'Change some fields of a consultation reason',
  ...crmAccess,
  description: `${crmAccess.description}\n\nA global reason (practitioner_id null) can be ` +
    'changed by an admin only: a practitioner gets 403.',
  request: { params: idParam, query: actingQuery, body: jsonBody(reasonChanges) },
  responses: {
    200: jsonContent(appointmentReasonSchema, 'The reason after the change'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});
