import { z } from '@hono/zod-openapi';
import {
  APPOINTMENT_SOURCES,
  APPOINTMENT_STATUSES,
  reasonLabelsSchema,
  relativeNameSchema,
} from '../../../shared/schemas/appointment.ts';
import {
  isoDate,
  optionalParam,
  optionalText,
  orNull,
  storedEndTime,
  storedTime,
  wholeNumberParam,
} from '../../../shared/schemas/common.ts';
import { checkPeriod, optionalPeriodParams } from '../../../shared/schemas/date-range.ts';
import { actingQuery } from '../schemas.ts';

/** The longest page of the list (client-compat: the CRM asks for up to 500). */
export const MAX_PAGE = 500;

const timestamp = z.string().openapi({ format: 'date-time' });
const nullableTimestamp = timestamp.nullable();

export type AppointmentStatus = typeof APPOINTMENT_STATUSES[number];

const appointmentStatus = z.enum(APPOINTMENT_STATUSES, {
  message: `Use one of: ${APPOINTMENT_STATUSES.join(', ')}.`,
});

/**
 * The patient as the practice sees them: name, phone and picture. A patient who deleted their
 * account has no id, phone nor picture, and "deleted patient" in the reader's language as
 * first name.
 */
export const crmPatientSchema = z
  .object({
    id: z.uuid().nullable().openapi({ description: 'null: the patient deleted their account' }),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    phone: z.string().nullable(),
    avatar_url: z.string().nullable(),
  })
  .openapi('CrmPatient');

export const crmAppointmentSchema = z
  .object({
    id: z.uuid(),
    appointment_date: z.string().openapi({ format: 'date', example: '2026-02-08' }),
    start_time: storedTime,
    end_time: storedEndTime,
    status: appointmentStatus,
    profiles: crmPatientSchema,
    appointment_reasons: orNull(reasonLabelsSchema),
    relatives: orNull(relativeNameSchema).openapi({
      description: 'The relative the appointment is for, or null',
    }),
    patient_id: z.uuid().nullable().openapi({
      description: 'null: the patient deleted their account',
    }),
    patient_record_id: z.uuid().nullable(),
    patient_record: crmPatientSchema,
    source: z.enum(APPOINTMENT_SOURCES),
    visited_before: z.boolean(),
    patient_address_line: z.string().nullable(),
    patient_zip_code: z.string().nullable(),
    patient_city: z.string().nullable(),
    practitioner_notes: z.string().nullable(),
    cancellation_reason: z.string().nullable(),
    reason_id: z.uuid().nullable(),
    relative_id: z.uuid().nullable(),
    confirmed_at: nullableTimestamp,
    cancelled_at: nullableTimestamp,
    completed_at: nullableTimestamp,
    created_at: timestamp,
  })
  .openapi('CrmAppointment');

export const crmAppointmentPageSchema = z
  .object({
    appointments: z.array(crmAppointmentSchema),
    total: z.int().openapi({ description: 'How many appointments match, over all pages' }),
  })
  .openapi('CrmAppointmentPage');

export const appointmentListQuerySchema = actingQuery
  .extend({
    date: optionalParam(isoDate).openapi({
      description: 'Only this day; not sent together with `from` and `to`',
    }),
    ...optionalPeriodParams,
    status: optionalParam(appointmentStatus).openapi({ description: 'Only this status' }),
    limit: wholeNumberParam('limit', 1, MAX_PAGE, 50),
    offset: wholeNumberParam('offset', 0, 100_000, 0),
  })
  .superRefine((q, ctx) => {
    if (q.date !== undefined && (q.from !== undefined || q.to !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['date'],
        message: 'Send either a date or a period (from and to), not both.',
      });
      return;
    }
    checkPeriod(q, ctx);
  });

/** `PATCH .../cancel`: the reason is optional, `""` means none. */
export const cancelSchema = z.object({ cancellation_reason: optionalText(1000) });

/** `PATCH .../complete`: the practitioner's notes are optional, `""` means none. */
export const completeSchema = z.object({ practitioner_notes: optionalText(5000) });

/** `PATCH .../confirm` and `.../no-show` carry nothing: no body, an empty body or `{}`. */
export const noFieldsSchema = z.object({});

export type CrmAppointment = z.infer<typeof crmAppointmentSchema>;
export type CrmAppointmentPage = z.infer<typeof crmAppointmentPageSchema>;
export type AppointmentListQuery = z.infer<typeof appointmentListQuerySchema>;
