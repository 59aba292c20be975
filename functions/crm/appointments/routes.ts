import { createRoute } from '@hono/zod-openapi';
import {
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
  optionalJsonBody,
} from '../../../shared/http/openapi.ts';
import { emptyBodyAsEmptyObject } from '../../../shared/http/optional-json-body.ts';
import { idParam } from '../../../shared/schemas/common.ts';
import { MAX_PERIOD_DAYS } from '../../../shared/schemas/date-range.ts';
import { crmAccess } from '../access.ts';
import { actingQuery } from '../schemas.ts';
import {
  appointmentListQuerySchema,
  cancelSchema,
  completeSchema,
  createAppointmentSchema,
  crmAppointmentPageSchema,
  crmAppointmentSchema,
  MAX_PAGE,
  noFieldsSchema,
} from './schemas.ts';

const MISSING = "Another practitioner's appointment, or an unknown id, is 404.";

export const listAppointments = createRoute({
  method: 'get',
  path: '/',
  summary: "The practitioner's appointments, by date and start time, one page and the total",
  ...crmAccess,
  description: `${crmAccess.description}\n\nEvery filter is optional: \`date\` (one day) or ` +
    `the period \`from\`-\`to\` (both included, sent together, \`to\` not before \`from\` and ` +
    `at most ${MAX_PERIOD_DAYS} days after it; \`date\` together with \`from\`/\`to\` is 400), ` +
    `\`status\` (one value), \`limit\` (1 to ${MAX_PAGE}, default 50) and \`offset\`. "" in a ` +
    'parameter means it was not given; unknown parameters are ignored.',
  request: { query: appointmentListQuerySchema },
  responses: {
    200: jsonContent(crmAppointmentPageSchema, 'One page of appointments and how many match'),
    ...errorResponses(400, 401, 403, 429),
  },
});

export const getAppointment = createRoute({
  method: 'get',
  path: '/{id}',
  summary: 'One appointment of the practitioner, with its patient',
  ...crmAccess,
  description: `${crmAccess.description}\n\n${MISSING}`,
  request: { params: idParam, query: actingQuery },
  responses: {
    200: jsonContent(crmAppointmentSchema, 'The appointment'),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

/** What the four steps of the lifecycle share: 204, or 409 with why the step cannot be taken. */
const stepRoute = {
  method: 'patch' as const,
  ...crmAccess,
  middleware: [crmAccess.middleware, emptyBodyAsEmptyObject],
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
};

const stepDescription = (effects: string) =>
  `${crmAccess.description}\n\n${effects} The body may be left out. An impossible step (for ` +
  'example cancelling a cancelled appointment) is 409 with a message saying why; the audit log ' +
  `records each step. ${MISSING}`;

export const confirmAppointment = createRoute({
  ...stepRoute,
  path: '/{id}/confirm',
  summary: 'Confirm a pending appointment',
  description: stepDescription(
    'pending → confirmed; the patient is notified (appointment_confirmed). No body is needed.',
  ),
  request: { params: idParam, query: actingQuery, body: optionalJsonBody(noFieldsSchema) },
});

export const cancelAppointment = createRoute({
  ...stepRoute,
  path: '/{id}/cancel',
  summary: 'Cancel a pending or confirmed appointment, with an optional reason',
  description: stepDescription(
    'pending or confirmed → cancelled_by_practitioner; the slot is free again and the patient ' +
      'is notified (appointment_cancelled). `cancellation_reason`: at most 1000 characters, "" ' +
      'or null for none.',
  ),
  request: { params: idParam, query: actingQuery, body: optionalJsonBody(cancelSchema) },
});

export const completeAppointment = createRoute({
  ...stepRoute,
  path: '/{id}/complete',
  summary: 'Mark a confirmed appointment that has started as completed, with optional notes',
  description: stepDescription(
    'confirmed → completed, once the appointment has started; the patient is notified ' +
      '(appointment_completed). `practitioner_notes`: at most 5000 characters, "" or null for ' +
      'none.',
  ),
  request: { params: idParam, query: actingQuery, body: optionalJsonBody(completeSchema) },
});

export const markNoShow = createRoute({
  ...stepRoute,
  path: '/{id}/no-show',
  summary: 'Mark a confirmed appointment that has started as a no-show',
  description: stepDescription(
    'confirmed → no_show, once the appointment has started; no notification. No body is needed.',
  ),
  request: { params: idParam, query: actingQuery, body: optionalJsonBody(noFieldsSchema) },
});

export const createAppointment = createRoute({
  method: 'post',
  path: '/',
  summary: 'Book an appointment for a patient of the practice, or for a walk-in',
  ...crmAccess,
  description: `${crmAccess.description}\n\nFor \`patient_record_id\`, a record of the ` +
    "practice's patients (GET /crm/patients: someone who has had an appointment with the " +
    'practitioner, or a draft the practice created), or for a walk-in named inline in ' +
    '`patient` (first name, last name, phone: a draft record is created first); one of the ' +
    'two. Any date and times the practice chooses, past ones too, the end after the start; ' +
    "confirmed at once, `source: dokal_crm`, `notes` stored as the practitioner's notes. 409 " +
    'when it overlaps a pending or confirmed appointment of the practitioner or of the ' +
    'patient. A patient with an account is told (`appointment_created`). 404 for a record of ' +
    'another practice. `practitioner_id` in the body, when sent, names the practitioner acted ' +
    'for, as the query parameter does.',
  request: { query: actingQuery, body: jsonBody(createAppointmentSchema) },
  responses: {
    201: jsonContent(crmAppointmentSchema, 'The appointment, confirmed'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
});
