import { createRoute, z } from '@hono/zod-openapi';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
} from '../../shared/http/openapi.ts';
import { idParam, orNull } from '../../shared/schemas/common.ts';
import {
  healthAllergySchema,
  healthConditionSchema,
  healthMedicationSchema,
  healthProfileSchema,
  healthVaccinationSchema,
} from '../../shared/schemas/health.ts';
import {
  accessLogEntrySchema,
  type HealthList,
  healthProfileInputSchema,
  newAllergySchema,
  newConditionSchema,
  newMedicationSchema,
  newVaccinationSchema,
} from './schemas.ts';

export const getProfile = createRoute({
  method: 'get',
  path: '/profile',
  summary: 'My health profile, the teudat zehut in clear; null when I have none yet',
  security: bearer,
  responses: {
    200: jsonContent(orNull(healthProfileSchema), 'The health profile, or null'),
    ...errorResponses(401, 429),
  },
});

export const putProfile = createRoute({
  method: 'put',
  path: '/profile',
  summary: 'Create or replace my whole health profile',
  description: 'Every key is optional; a key left out, null or `""` is stored as null. ' +
    '`kupat_holim` and `blood_type` in any case. The teudat zehut is stored encrypted.',
  security: bearer,
  request: { body: jsonBody(healthProfileInputSchema) },
  responses: {
    200: jsonContent(healthProfileSchema, 'The health profile as GET returns it'),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export const getAccessLog = createRoute({
  method: 'get',
  path: '/access-log',
  summary: 'Who read my health records through the CRM, and what they opened; newest first, ' +
    'at most 100',
  security: bearer,
  responses: {
    200: jsonContent(z.array(accessLogEntrySchema), 'The readings'),
    ...errorResponses(401, 429),
  },
});

/** GET, POST and DELETE of one list; each list accepts only its own fields. */
function listRoutes<L extends HealthList, In extends z.ZodType, Row extends z.ZodType>(
  list: L,
  input: In,
  row: Row,
) {
  return {
    list: createRoute({
      method: 'get',
      path: `/${list}` as `/${L}`,
      summary: `My ${list}, newest first`,
      security: bearer,
      responses: {
        200: jsonContent(z.array(row), `The ${list}`),
        ...errorResponses(401, 429),
      },
    }),
    create: createRoute({
      method: 'post',
      path: `/${list}` as `/${L}`,
      summary: `Add to my ${list}`,
      description: 'A field of another list is refused (400, naming it); unknown keys are ignored.',
      security: bearer,
      request: { body: jsonBody(input) },
      responses: {
        201: jsonContent(row, 'The row added, whole'),
        ...errorResponses(400, 401, 413, 415, 429),
      },
    }),
    remove: createRoute({
      method: 'delete',
      path: `/${list}/{id}` as `/${L}/{id}`,
      summary: `Remove one of my ${list}`,
      security: bearer,
      request: { params: idParam },
      responses: {
        ...noContent,
        ...errorResponses(400, 401, 404, 429),
      },
    }),
  };
}

export const conditions = listRoutes('conditions', newConditionSchema, healthConditionSchema);
export const medications = listRoutes('medications', newMedicationSchema, healthMedicationSchema);
export const allergies = listRoutes('allergies', newAllergySchema, healthAllergySchema);
export const vaccinations = listRoutes(
  'vaccinations',
  newVaccinationSchema,
  healthVaccinationSchema,
);
