import { z } from '@hono/zod-openapi';
import { KUPOT_HOLIM } from './common.ts';
import { SEXES } from './profile.ts';
import { teudatZehutOut } from './teudat-zehut.ts';

export const BLOOD_TYPES = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'] as const;
export const SEVERITIES = ['mild', 'moderate', 'severe'] as const;

const date = z.string().nullable().openapi({ format: 'date', example: '2020-01-15' });
const timestamp = z.string().openapi({ format: 'date-time' });

/** The health profile without the number: what the CRM may read of it. */
export const patientHealthProfileSchema = z
  .object({
    user_id: z.uuid(),
    date_of_birth: date,
    sex: z.enum(SEXES).nullable(),
    blood_type: z.enum(BLOOD_TYPES).nullable(),
    kupat_holim: z.enum(KUPOT_HOLIM).nullable(),
    kupat_member_id: z.string().nullable(),
    family_doctor_name: z.string().nullable(),
    emergency_contact_name: z.string().nullable(),
    emergency_contact_phone: z.string().nullable(),
    insurance_provider: z.string().nullable(),
    updated_at: timestamp,
  })
  .openapi('PatientHealthProfile');

/** The health profile as its owner reads it: the teudat zehut in clear. */
export const healthProfileSchema = patientHealthProfileSchema
  .extend({ teudat_zehut: teudatZehutOut })
  .openapi('HealthProfile');

const rowBase = {
  id: z.uuid(),
  user_id: z.uuid(),
  name: z.string(),
};

export const healthConditionSchema = z
  .object({
    ...rowBase,
    severity: z.enum(SEVERITIES).nullable(),
    diagnosed_on: date,
    notes: z.string().nullable(),
    created_at: timestamp,
  })
  .openapi('HealthCondition');

export const healthMedicationSchema = z
  .object({
    ...rowBase,
    dosage: z.string().nullable(),
    frequency: z.string().nullable(),
    started_on: date,
    ended_on: date,
    notes: z.string().nullable(),
    created_at: timestamp,
  })
  .openapi('HealthMedication');

export const healthAllergySchema = z
  .object({
    ...rowBase,
    reaction: z.string().nullable(),
    severity: z.enum(SEVERITIES).nullable(),
    notes: z.string().nullable(),
    created_at: timestamp,
  })
  .openapi('HealthAllergy');

export const healthVaccinationSchema = z
  .object({
    ...rowBase,
    vaccinated_on: date,
    dose: z.string().nullable(),
    notes: z.string().nullable(),
    created_at: timestamp,
  })
  .openapi('HealthVaccination');

export type HealthProfile = z.infer<typeof healthProfileSchema>;
export type HealthCondition = z.infer<typeof healthConditionSchema>;
export type HealthMedication = z.infer<typeof healthMedicationSchema>;
export type HealthAllergy = z.infer<typeof healthAllergySchema>;
export type HealthVaccination = z.infer<typeof healthVaccinationSchema>;
