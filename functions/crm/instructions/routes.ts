import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent } from '../../../shared/http/openapi.ts';
import { idParam, requiredText } from '../../../shared/schemas/common.ts';
import { actingQuery, crmAccess } from '../acting-practitioner.ts';
import { sortOrder } from '../sort-order.ts';

export const appointmentInstructionSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    content: z.string(),
    is_active: z.boolean(),
    sort_order: z.int(),
  })
  .openapi('AppointmentInstruction');

const instructionFields = z.object({
  title: requiredText(200),
  content: requiredText(5000),
  is_active: z.boolean({ message: 'Use true or false.' }).optional().openapi({
    description: 'Defaults to true',
  }),
  sort_order: sortOrder.optional().openapi({ description: 'Defaults to 0' }),
});

const instructionChanges = instructionFields.partial();

export type NewInstruction = z.infer<typeof instructionFields>;
export type InstructionChanges = z.infer<typeof instructionChanges>;
export type AppointmentInstruction = z.infer<typeof appointmentInstructionSchema>;

export const listInstructions = createRoute({
  method: 'get',
  path: '/instructions',
  summary: 'Pre-appointment instructions of the practitioner, by sort order',
  ...crmAccess,
  request: { query: actingQuery },
  responses: {
    200: jsonContent(z.array(appointmentInstructionSchema), 'The instructions'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const createInstruction = createRoute({
  method: 'post',
  path: '/instructions',
  summary: 'Add a pre-appointment instruction',
  ...crmAccess,
  request: { query: actingQuery, body: jsonBody(instructionFields) },
  responses: {
    201: jsonContent(appointmentInstructionSchema, 'The instruction added'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

export const updateInstruction = createRoute({
  method: 'patch',
  path: '/instructions/{id}',
  summary: 'Change some fields of a pre-appointment instruction',
  ...crmAccess,
  request: { params: idParam, query: actingQuery, body: jsonBody(instructionChanges) },
  responses: {
    200: jsonContent(appointmentInstructionSchema, 'The instruction after the change'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});
