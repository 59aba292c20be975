import { z } from '@hono/zod-openapi';
import { APPOINTMENT_STATUSES } from '../../../shared/schemas/appointment.ts';
import { orNull, storedEndTime, storedTime } from '../../../shared/schemas/common.ts';
import {
  healthAllergySchema,
  healthConditionSchema,
  healthMedicationSchema,
  healthVaccinationSchema,
  patientHealthProfileSchema,
} from '../../../shared/schemas/health.ts';
import { SEXES } from '../../../shared/schemas/profile.ts';

const date = z.string().nullable().openapi({ format: 'date', example: '1990-05-15' });

/** The nine fields of the CRM's patient form that decide whether a record is complete. */
export const PATIENT_FIELDS = [
  'first_name',
  'last_name',
  'phone',
  'email',
  'city',
  'date_of_birth',
  'sex',
  'teudat_zehut',
  'insurance_provider',
] as const;

/**
 * GET /crm/patients/:id: what the contract shows (14.7) and what the CRM reads (client-compat).
 * Never the teudat zehut in clear: only whether there is one and its last four digits.
 */
export const patientRecordSchema = z
  .object({
    profile: z.object({
      first_name: z.string().nullable(),
      last_name: z.string().nullable(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
      date_of_birth: date,
      sex: z.enum(SEXES).nullable(),
      city: z.string().nullable(),
      avatar_url: z.string().nullable(),
    }),
    patient: z.object({
      id: z.uuid(),
      auth_user_id: z.uuid(),
      status: z.literal('linked'),
      first_name: z.string().nullable(),
      last_name: z.string().nullable(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
      city: z.string().nullable(),
      date_of_birth: date.openapi({ description: 'From the profile, else the health profile' }),
      sex: z.enum(SEXES).nullable(),
      avatar_url: z.string().nullable(),
      insurance_provider: z.string().nullable(),
      is_incomplete: z.boolean(),
      missing_fields: z.array(z.enum(PATIENT_FIELDS)),
      has_teudat_zehut: z.boolean(),
      teudat_zehut_masked: z.string().regex(/^\*{5}\d{4}$/).nullable()
        .openapi({ example: '*****6789' }),
    }),
    health_profile: orNull(patientHealthProfileSchema),
    conditions: z.array(healthConditionSchema),
    medications: z.array(healthMedicationSchema),
    allergies: z.array(healthAllergySchema),
    vaccinations: z.array(healthVaccinationSchema),
    appointment_history: z.array(z.object({
      id: z.uuid(),
      appointment_date: z.string().openapi({ format: 'date' }),
      start_time: storedTime,
      end_time: storedEndTime,
      status: z.enum(APPOINTMENT_STATUSES),
      practitioner_notes: z.string().nullable(),
    })).openapi({ description: 'With this practitioner only, newest first' }),
  })
  .openapi('CrmPatientRecord');

export type PatientRecord = z.infer<typeof patientRecordSchema>;
