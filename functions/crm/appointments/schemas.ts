import { z } from '@hono/zod-openapi';
import {
  APPOINTMENT_SOURCES,
  APPOINTMENT_STATUSES,
  reasonLabelsSchema,
  relativeNameSchema,
} from '../../../shared/schemas/appointment.ts';
import {
  endTimeOfDay,
  isoDate,
  optionalParam,
  optionalText,
  orNull,
  requiredPhone,
  requiredText,
  storedEndTime,
  storedTime,
  timeOfDay,
  trueOrFalse,
  uuid,
  wholeNumberParam,
} from '../../../shared/schemas/common.ts';
import { checkPeriod, optionalPeriodParams } from '../../../shared/schemas/date-range.ts';
import { actingQuery, END_AFTER_START } from '../schemas.ts';

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
    profiles: orNull(crmPatientSchema).openapi({
      description: "The patient's account card; null for a walk-in, who has no account",
    }),
    appointment_reasons: orNull(reasonLabelsSchema),
    relatives: orNull(relativeNameSchema).openapi({
      description: 'The relative the appointment is for, or null',
    }),
    patient_id: z.uuid().nullable().openapi({
      description: 'The account; null for a walk-in, or once the patient deleted their account',
    }),
    patient_record_id: z.uuid().nullable().openapi({
      description: "The practice's patient record (GET /crm/patients/{id}); null for an " +
        'appointment made for a relative',
    }),
    patient_record: orNull(crmPatientSchema).openapi({
      description: "The record's card (`id` is the record's): the practice's values, else the " +
        "account's",
    }),
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

/** A walk-in named inline: a draft record is made for them first. */
const walkInSchema = z.object({
  first_name: requiredText(100),
  last_name: requiredText(100),
  phone: requiredPhone,
});

/**
 * `POST /crm/appointments` (client-extras 8): a record of the practice's patients, or a walk-in
 * named inline; any date and times (past ones too), the end after the start.
 */
export const createAppointmentSchema = z
  .object({
    patient_record_id: uuid.optional().openapi({
      description: 'The patient record (GET /crm/patients): `id` of a patient of the practice',
    }),
    patient: walkInSchema.optional().openapi({
      description: 'A walk-in without a record yet: a draft record is created',
    }),
    reason_id: uuid.nullable().optional(),
    appointment_date: isoDate,
    start_time: timeOfDay,
    end_time: endTimeOfDay,
    visited_before: trueOrFalse.optional(),
    status: z.literal('confirmed', { message: 'The practice books confirmed appointments.' })
      .optional(),
    notes: optionalText(5000).openapi({ description: "Stored as the practitioner's notes" }),
    practitioner_id: uuid.optional().openapi({
      description: 'The practitioner booked with; when sent, the one acted for',
    }),
  })
  .superRefine((b, ctx) => {
    if ((b.patient_record_id === undefined) === (b.patient === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['patient_record_id'],
        message: 'Choose a patient, or name a new one, but not both.',
      });
    }
    if (b.end_time <= b.start_time) {
      ctx.addIssue({ code: 'custom', path: ['end_time'], message: END_AFTER_START });
    }
  });

export type CreateAppointment = z.infer<typeof createAppointmentSchema>;
export type CrmAppointment = z.infer<typeof crmAppointmentSchema>;
export type CrmAppointmentPage = z.infer<typeof crmAppointmentPageSchema>;
export type AppointmentListQuery = z.infer<typeof appointmentListQuerySchema>;
