import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent } from '../../../shared/http/openapi.ts';
import { idParam } from '../../../shared/schemas/common.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import {
  appointmentInstructionSchema,
  instructionChangesSchema,
  instructionFieldsSchema,
} from './schemas.ts';

export const listInstructions = createRoute({
  method: 'get',
  path: '/',
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
  path: '/',
  summary: 'Add a pre-appointment instruction',
  ...crmAccess,
  request: { query: actingQuery, body: jsonBody(instructionFieldsSchema) },
  responses: {
    201: jsonContent(appointmentInstructionSchema, 'The instruction added'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

export const updateInstruction = createRoute({
  method: 'patch',
  path: '/{id}',
  summary: 'Change some fields of a pre-appointment instruction',
  ...crmAccess,
  request: { params: idParam, query: actingQuery, body: jsonBody(instructionChangesSchema) },
  responses: {
    200: jsonContent(appointmentInstructionSchema, 'The instruction after the change'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});
