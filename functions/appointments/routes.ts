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
  pastQuerySchema,
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
