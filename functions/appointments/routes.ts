import { createRoute, z } from '@hono/zod-openapi';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonContent,
  noContent,
  optionalJsonBody,
} from '../../shared/http/openapi.ts';
import { emptyBodyAsEmptyObject } from '../../shared/http/optional-json-body.ts';
import { patientAppointmentSchema } from '../../shared/schemas/appointment.ts';
import { idParam } from '../../shared/schemas/common.ts';
import {
  appointmentDetailSchema,
  bookingHeadersSchema,
  bookingSchema,
  cancellationSchema,
  earlierAlertSchema,
  pastQuerySchema,
  rescheduleSchema,
} from './schemas.ts';

export const book = createRoute({
  method: 'post',
  path: '/',
  summary: 'Book one of the free slots a practitioner offers',
  description:
    'The slot must be exactly one listed by GET /practitioners/{id}/slots. The practitioner is ' +
    'told at once (an `appointment_request` notification) and the conversation of the pair opens.',
  security: bearer,
  request: { headers: bookingHeadersSchema, body: jsonBody(bookingSchema) },
  responses: {
    201: jsonContent(appointmentDetailSchema, 'The appointment, pending'),
    ...errorResponses(400, 401, 409, 413, 415, 429),
  },
});

export const listUpcoming = createRoute({
  method: 'get',
  path: '/upcoming',
  summary: "My pending and confirmed appointments (and my relatives') not yet ended, soonest first",
  security: bearer,
  responses: {
    200: jsonContent(z.array(patientAppointmentSchema), 'The appointments'),
    ...errorResponses(401, 429),
  },
});

export const listPast = createRoute({
  method: 'get',
  path: '/past',
  summary: 'My other appointments: ended, cancelled, completed or missed; most recent first',
  security: bearer,
  request: { query: pastQuerySchema },
  responses: {
    200: jsonContent(z.array(patientAppointmentSchema), 'The appointments'),
    ...errorResponses(400, 401, 429),
  },
});

export const getAppointment = createRoute({
  method: 'get',
  path: '/{id}',
  summary: "One of my appointments, with the practitioner's pre-visit instructions",
  security: bearer,
  request: { params: idParam },
  responses: {
    200: jsonContent(appointmentDetailSchema, 'The appointment'),
    ...errorResponses(400, 401, 404, 429),
  },
});

export const cancel = createRoute({
  method: 'patch',
  path: '/{id}/cancel',
  summary: 'Cancel one of my appointments before it starts',
  description: 'The slot is free again at once; the practitioner and I are notified.',
  security: bearer,
  middleware: [emptyBodyAsEmptyObject] as const,
  request: { params: idParam, body: optionalJsonBody(cancellationSchema) },
  responses: {
    ...noContent,
    ...errorResponses(400, 401, 404, 409, 413, 415, 429),
  },
});

export const reschedule = createRoute({
  method: 'patch',
  path: '/{id}/reschedule',
  summary: 'Move one of my pending or confirmed appointments to another free slot',
  description:
    'The new slot must be exactly one listed by GET /practitioners/{id}/slots for the same ' +
    'practitioner. The appointment keeps its id, goes back to `pending` and the practitioner is ' +
    'told (`appointment_rescheduled`); the old slot is free at once. 409 when the slot was ' +
    'taken meanwhile (the appointment keeps its old slot) or the appointment has started; 400 ' +
    'when it is not pending or confirmed; 404 when it is not mine.',
  security: bearer,
  request: { params: idParam, body: jsonBody(rescheduleSchema) },
  responses: {
    200: jsonContent(appointmentDetailSchema, 'The appointment at its new time, pending'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

const ALERT_DESCRIPTION = 'An alert asks to be told (`earlier_slot_available`) when an earlier ' +
  'slot of the same practitioner frees up, at most once per freed day. `enabled` is true while ' +
  'the alert is on and the appointment is pending or confirmed and still ahead. 404 when the ' +
  'appointment is not mine.';

export const getEarlierAlert = createRoute({
  method: 'get',
  path: '/{id}/earlier-alert',
  summary: 'Whether I am told when an earlier slot frees up for this appointment',
  description: ALERT_DESCRIPTION,
  security: bearer,
  request: { params: idParam },
  responses: {
    200: jsonContent(earlierAlertSchema, 'The alert'),
    ...errorResponses(400, 401, 404, 429),
  },
});

export const setEarlierAlert = createRoute({
  method: 'post',
  path: '/{id}/earlier-alert',
  summary: 'Turn the earlier-slot alert of one of my appointments on or off',
  description: `${ALERT_DESCRIPTION} Turning it on is for a pending or confirmed appointment ` +
    'still ahead (else 400); turning it off always works. Answers the alert as it now is.',
  security: bearer,
  request: { params: idParam, body: jsonBody(earlierAlertSchema) },
  responses: {
    200: jsonContent(earlierAlertSchema, 'The alert as it now is'),
    ...errorResponses(400, 401, 404, 413, 415, 429),
  },
});
