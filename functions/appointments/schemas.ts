import { z } from '@hono/zod-openapi';
import {
  endTimeOfDay,
  isoDate,
  optionalText,
  timeOfDay,
  trueOrFalse,
  uuid,
  wholeNumberParam,
} from '../../shared/schemas/common.ts';
import { patientAppointmentSchema } from '../../shared/schemas/appointment.ts';

/** Contract 7: one of the free slots the practitioner offers, exactly as listed. */
export const bookingSchema = z.object({
  practitioner_id: uuid,
  // The app always sends these two keys, null when not chosen (client-compat).
  relative_id: uuid.nullable().optional(),
  reason_id: uuid.nullable().optional(),
  appointment_date: isoDate,
  start_time: timeOfDay,
  end_time: endTimeOfDay,
  patient_address_line: optionalText(200),
  patient_zip_code: optionalText(20),
  patient_city: optionalText(100),
  visited_before: trueOrFalse.optional(),
});

/** A retried booking with the same key answers the first result instead of a conflict. */
export const bookingHeadersSchema = z.object({
  'idempotency-key': z.string()
    .trim()
    .min(1, { message: 'Send a non-empty Idempotency-Key, or none.' })
    .max(200, { message: 'Use an Idempotency-Key of at most 200 characters.' })
    .optional()
    .openapi({
      param: { name: 'idempotency-key', in: 'header' },
      description: 'Any unique string per booking attempt, for example a UUID',
    }),
});

export const pastQuerySchema = z.object({
  limit: wholeNumberParam('limit', 1, 50, 50),
  offset: wholeNumberParam('offset', 0, 100_000, 0),
});

export const cancellationSchema = z.object({
  cancellation_reason: optionalText(1000),
});

/** `PATCH /:id/reschedule`: one of the practitioner's free slots, as GET .../slots lists it. */
export const rescheduleSchema = z.object({
  appointment_date: isoDate,
  start_time: timeOfDay,
  end_time: endTimeOfDay,
});

/** `GET` and `POST /:id/earlier-alert`. */
export const earlierAlertSchema = z
  .object({ enabled: trueOrFalse })
  .openapi('EarlierSlotAlert');

export const appointmentDetailSchema = patientAppointmentSchema
  .extend({
    instructions: z.array(z.object({
      id: z.uuid(),
      title: z.string(),
      content: z.string(),
      sort_order: z.number().int(),
    })).openapi({ description: "The practitioner's pre-visit instructions" }),
    appointment_questionnaires: z.null(),
  })
  .openapi('PatientAppointmentDetail');

export type Booking = z.infer<typeof bookingSchema>;
export type PastQuery = z.infer<typeof pastQuerySchema>;
export type AppointmentDetail = z.infer<typeof appointmentDetailSchema>;
export type Reschedule = z.infer<typeof rescheduleSchema>;
