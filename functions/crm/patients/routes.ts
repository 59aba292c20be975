import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonBody, jsonContent } from '../../../shared/http/openapi.ts';
import { idParam } from '../../../shared/schemas/common.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import {
  createPatientSchema,
  MAX_PATIENT_PAGE,
  MAX_SEARCH_PAGE,
  patientListItemSchema,
  patientListQuerySchema,
  patientPageSchema,
  patientRecordSchema,
  patientSearchQuerySchema,
  updatePatientSchema,
} from './schemas.ts';

const RECORDS = "The practice's patients are its patient records: one per patient who has had " +
  'an appointment in person with the practitioner (`linked` to their account), and the ' +
  '`draft` records the practice created for people without an account. Every `id` is the ' +
  "record's, never a user id. Searches ignore case and accents: every word of `q` in the name " +
  'or e-mail, or the digits of a phone number (`+972 50...` and `050...` alike). Never the ' +
  'teudat zehut in clear: `teudat_zehut_masked` shows its last four digits.';

export const listPatients = createRoute({
  method: 'get',
  path: '/',
  summary: "The practitioner's patients by name, one page and the total",
  ...crmAccess,
  description: `${crmAccess.description}\n\n${RECORDS} Filters: \`q\`, \`status\` ` +
    `(draft or linked), \`incomplete\` (true or false); \`limit\` 1 to ${MAX_PATIENT_PAGE} ` +
    '(default 30) and `offset`. Each patient comes with their number of appointments and the ' +
    'latest one.',
  request: { query: patientListQuerySchema },
  responses: {
    200: jsonContent(patientPageSchema, 'One page of patients and how many match'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const searchPatients = createRoute({
  method: 'get',
  path: '/search',
  summary: "Find the practitioner's patients by name, phone or e-mail",
  ...crmAccess,
  description: `${crmAccess.description}\n\n${RECORDS} \`q\` of at least 2 characters ` +
    `(a shorter one finds nobody), \`limit\` 1 to ${MAX_SEARCH_PAGE} (default 20).`,
  request: { query: patientSearchQuerySchema },
  responses: {
    200: jsonContent(patientPageSchema, 'The first matches and how many match'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const createPatient = createRoute({
  method: 'post',
  path: '/',
  summary: 'Create a patient without an account (a draft record)',
  ...crmAccess,
  description: `${crmAccess.description}\n\n${RECORDS} First name, last name and phone are ` +
    'required; e-mail, city, sex and date of birth optional. Usable at once, for example in ' +
    'POST /crm/appointments.',
  request: { query: actingQuery, body: jsonBody(createPatientSchema) },
  responses: {
    201: jsonContent(patientListItemSchema, 'The new record'),
    ...errorResponses(400, 401, 403, 413, 415, 429),
  },
});

export const updatePatient = createRoute({
  method: 'patch',
  path: '/{id}',
  summary: "Change the practice's values of a patient record",
  ...crmAccess,
  description: `${crmAccess.description}\n\n${RECORDS} Every key is optional; null or "" ` +
    "clears the practice's value (a linked record then shows the account's again). The " +
    "account's own profile is never changed. `teudat_zehut` sent as the masked value keeps " +
    "the stored number. Another practice's record, or an unknown id, is 404.",
  request: { params: idParam, query: actingQuery, body: jsonBody(updatePatientSchema) },
  responses: {
    200: jsonContent(patientListItemSchema, 'The record after the change'),
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});

export const getPatient = createRoute({
  method: 'get',
  path: '/{id}',
  summary: "A patient's profile, health records and appointment history with the practitioner",
  ...crmAccess,
  description: `${crmAccess.description}\n\n\`id\` is the patient record's id (GET ` +
    '/crm/patients, `patient_record_id` of an appointment). A linked record opens the ' +
    "account's profile and health records only while the patient has had an appointment in " +
    'person with the practitioner; otherwise 404, as for nobody. A draft shows the ' +
    "practice's own values and no health records. Every reading of a linked record is written " +
    "to the patient's access log (GET /health/access-log), with the signed-in user as the " +
    'reader: an admin acting for a practitioner is logged as themself.',
  request: { params: idParam, query: actingQuery },
  responses: {
    200: jsonContent(patientRecordSchema, "The patient's record"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});
