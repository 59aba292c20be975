import { z } from '@hono/zod-openapi';
import { orNull, storedEndTime, storedTime } from './common.ts';
import { personNamesSchema } from './practitioner.ts';

export const APPOINTMENT_STATUSES = [
  'pending',
  'confirmed',
  'cancelled_by_patient',
  'cancelled_by_practitioner',
  'completed',
  'no_show',
] as const;

export const APPOINTMENT_SOURCES = ['dokal_app', 'dokal_crm'] as const;

const timestamp = z.string().openapi({ format: 'date-time' });

export const reasonLabelsSchema = z
  .object({ label: z.string(), label_fr: z.string().nullable(), label_he: z.string().nullable() })
  .openapi('ReasonLabels');

export const relativeNameSchema = z
  .object({ id: z.uuid(), first_name: z.string(), last_name: z.string() })
  .openapi('RelativeName');

/** An appointment as its patient sees it, in the lists and the detail. */
export const patientAppointmentSchema = z
  .object({
    id: z.uuid(),
    practitioner_id: z.uuid(),
    relative_id: z.uuid().nullable(),
    reason_id: z.uuid().nullable(),
    appointment_date: z.string().openapi({ format: 'date', example: '2026-02-10' }),
    start_time: storedTime,
    end_time: storedEndTime,
    status: z.enum(APPOINTMENT_STATUSES),
    source: z.enum(APPOINTMENT_SOURCES),
    visited_before: z.boolean(),
    patient_address_line: z.string().nullable(),
    patient_zip_code: z.string().nullable(),
    patient_city: z.string().nullable(),
    cancellation_reason: z.string().nullable(),
    practitioner_notes: z.string().nullable(),
    confirmed_at: timestamp.nullable(),
    cancelled_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
    created_at: timestamp,
    practitioners: z.object({
      id: z.uuid(),
      address_line: z.string().nullable(),
      zip_code: z.string().nullable(),
      city: z.string().nullable(),
      profiles: orNull(personNamesSchema),
      specialties: orNull(z.object({
        name: z.string(),
        name_fr: z.string(),
        name_he: z.string(),
        name_en: z.string(),
        name_ru: z.string(),
        name_am: z.string(),
        name_es: z.string(),
      })),
    }),
    appointment_reasons: orNull(reasonLabelsSchema),
    relatives: orNull(relativeNameSchema),
  })
  .openapi('PatientAppointment');

export type PatientAppointment = z.infer<typeof patientAppointmentSchema>;
