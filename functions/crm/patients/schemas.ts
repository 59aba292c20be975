import { z } from '@hono/zod-openapi';
import { APPOINTMENT_STATUSES } from '../../../shared/schemas/appointment.ts';
import {
  optionalBirthDate,
  optionalEmail,
  optionalParam,
  optionalPhone,
  optionalText,
  orNull,
  requiredPhone,
  requiredText,
  storedEndTime,
  storedTime,
  wholeNumberParam,
} from '../../../shared/schemas/common.ts';
import {
  healthAllergySchema,
  healthConditionSchema,
  healthMedicationSchema,
  healthVaccinationSchema,
  patientHealthProfileSchema,
} from '../../../shared/schemas/health.ts';
import { optionalSex, SEXES } from '../../../shared/schemas/profile.ts';
import { optionalTeudatZehut } from '../../../shared/schemas/teudat-zehut.ts';
import { actingQuery } from '../schemas.ts';

const date = z.string().nullable().openapi({ format: 'date', example: '1990-05-15' });
const timestamp = z.string().openapi({ format: 'date-time' });

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

export const PATIENT_RECORD_STATUSES = ['draft', 'linked'] as const;

const maskedTeudatZehut = z.string().regex(/^\*{5}\d{4}$/).nullable()
  .openapi({ example: '*****6789', description: 'The last four digits only; null when none' });

/** The record's fields, as the CRM's patient pages read them (client-extras 9). */
const recordFields = {
  id: z.uuid().openapi({ description: "The record's id: what every CRM patient route names" }),
  auth_user_id: z.uuid().nullable().openapi({ description: 'The account; null for a draft' }),
  status: z.enum(PATIENT_RECORD_STATUSES).openapi({
    description: '`linked` to an account (a patient who booked), or a `draft` of the practice',
  }),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  city: z.string().nullable(),
  date_of_birth: date,
  sex: z.enum(SEXES).nullable(),
  avatar_url: z.string().nullable(),
  insurance_provider: z.string().nullable(),
  is_incomplete: z.boolean(),
  missing_fields: z.array(z.enum(PATIENT_FIELDS)),
  has_teudat_zehut: z.boolean(),
  teudat_zehut_masked: maskedTeudatZehut,
};

/** One patient of the practice in `GET /crm/patients` and its search. */
export const patientListItemSchema = z
  .object({
    ...recordFields,
    teudat_zehut: z.null().openapi({
      description: 'Never the number in clear: always null (see `teudat_zehut_masked`)',
    }),
    appointments_count: z.int().openapi({
      description: 'Appointments with the practice, any status',
    }),
    last_appointment: orNull(z.object({
      id: z.uuid(),
      appointment_date: z.string().openapi({ format: 'date' }),
      start_time: storedTime,
      end_time: storedEndTime,
      status: z.enum(APPOINTMENT_STATUSES),
    })).openapi({ description: 'The latest by date and time (it may be ahead), or null' }),
    created_at: timestamp,
  })
  .openapi('CrmPatientListItem');

export const patientPageSchema = z
  .object({
    patients: z.array(patientListItemSchema),
    total: z.int().openapi({ description: 'How many patients match, over all pages' }),
  })
  .openapi('CrmPatientPage');

export const MAX_PATIENT_PAGE = 100;
export const MAX_SEARCH_PAGE = 50;

const searchText = z.string({ message: 'Use text for the search.' })
  .max(100, { message: 'Use a search of at most 100 characters.' });

export const patientListQuerySchema = actingQuery.extend({
  q: optionalParam(searchText).openapi({
    description: 'Words of the name or e-mail, or digits of the phone; any case and accents',
  }),
  status: optionalParam(z.enum(PATIENT_RECORD_STATUSES, {
    message: `Use one of: ${PATIENT_RECORD_STATUSES.join(', ')}.`,
  })),
  incomplete: optionalParam(z.enum(['true', 'false'], { message: 'Use true or false.' }))
    .openapi({ description: 'Only records missing (true) or not missing (false) a field' }),
  limit: wholeNumberParam('limit', 1, MAX_PATIENT_PAGE, 30),
  offset: wholeNumberParam('offset', 0, 100_000, 0),
});

export const patientSearchQuerySchema = actingQuery.extend({
  q: searchText.openapi({
    param: { name: 'q', in: 'query' },
    description: 'At least 2 characters to find anyone (a shorter search finds nobody): words ' +
      'of the name or e-mail, or digits of the phone; any case and accents',
  }),
  limit: wholeNumberParam('limit', 1, MAX_SEARCH_PAGE, 20),
});

/** `POST /crm/patients`: a draft record, without an account. */
export const createPatientSchema = z.object({
  first_name: requiredText(100),
  last_name: requiredText(100),
  phone: requiredPhone,
  email: optionalEmail,
  city: optionalText(100),
  sex: optionalSex,
  date_of_birth: optionalBirthDate,
});

/** What the CRM sends back after showing it: the masked number means "unchanged". */
const MASKED = /^\s*\*+\d{4}\s*$/;

/**
 * `PATCH /crm/patients/:id`: every key optional, null (or blank) clears the practice's value
 * (for a linked record, the account's shows again).
 */
export const updatePatientSchema = z.object({
  first_name: optionalText(100),
  last_name: optionalText(100),
  phone: optionalPhone,
  email: optionalEmail,
  city: optionalText(100),
  date_of_birth: optionalBirthDate,
  sex: optionalSex,
  teudat_zehut: z.preprocess(
    (v) => (typeof v === 'string' && MASKED.test(v) ? undefined : v),
    optionalTeudatZehut,
  ).openapi({
    description: '5 to 9 digits; the masked value shown (`*****6789`) keeps the stored number',
  }),
  insurance_provider: optionalText(100),
});

/**
 * GET /crm/patients/:id: what the contract shows (14.7) and what the CRM reads (client-compat,
 * client-extras 9). Never the teudat zehut in clear: only whether there is one and its last four
 * digits.
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
    }).openapi({ description: "The account's profile; a draft's own values" }),
    patient: z.object({
      ...recordFields,
      date_of_birth: date.openapi({
        description: "The practice's value, else the profile's, else the health profile's",
      }),
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
    })).openapi({ description: 'The appointments of this record with the practice, newest first' }),
  })
  .openapi('CrmPatientRecord');

export type PatientRecord = z.infer<typeof patientRecordSchema>;
export type PatientListItem = z.infer<typeof patientListItemSchema>;
export type PatientPage = z.infer<typeof patientPageSchema>;
export type PatientListQuery = z.infer<typeof patientListQuerySchema>;
export type PatientSearchQuery = z.infer<typeof patientSearchQuerySchema>;
export type CreatePatient = z.infer<typeof createPatientSchema>;
export type UpdatePatient = z.infer<typeof updatePatientSchema>;
