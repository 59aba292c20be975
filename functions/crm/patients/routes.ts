import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../../shared/http/openapi.ts';
import { idParam } from '../../../shared/schemas/common.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import { patientRecordSchema } from './schemas.ts';

export const getPatient = createRoute({
  method: 'get',
  path: '/{id}',
  summary: "A patient's profile, health records and appointment history with the practitioner",
  ...crmAccess,
  description: `${crmAccess.description}\n\n\`id\` is the patient's user id. Only for a patient ` +
    'who has had an appointment in person with the practitioner; otherwise 404, as for nobody. ' +
    "Every reading is written to the patient's access log (GET /health/access-log), with the " +
    'signed-in user as the reader: an admin acting for a practitioner is logged as themself.',
  request: { params: idParam, query: actingQuery },
  responses: {
    200: jsonContent(patientRecordSchema, "The patient's record"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});
