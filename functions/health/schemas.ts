import { z } from '@hono/zod-openapi';
import {
  optionalBirthDate,
  optionalDate,
  optionalKupatHolim,
  optionalPastDate,
  optionalPhone,
  optionalText,
  requiredText,
} from '../../shared/schemas/common.ts';
import { BLOOD_TYPES, SEVERITIES } from '../../shared/schemas/health.ts';
import { optionalSex } from '../../shared/schemas/profile.ts';
import { optionalTeudatZehut } from '../../shared/schemas/teudat-zehut.ts';

/** An optional value of a closed list, in any case; `""` clears it. */
const optionalChoice = <T extends readonly [string, ...string[]]>(
  choices: T,
  normalise: (v: string) => string,
) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? normalise(v.trim()) || null : v),
    z.enum(choices, { message: `Use one of: ${choices.join(', ')}.` }).nullable(),
  )
    .optional()
    .openapi({ type: ['string', 'null'], enum: [...choices], description: 'Any case' });

/**
 * PUT /health/profile: the whole profile, every key optional; a key left out or `""` is null
 * (the patient app sends every key, blanks as `""`). Unknown keys are ignored.
 */
export const healthProfileInputSchema = z
  .object({
    teudat_zehut: optionalTeudatZehut,
    date_of_birth: optionalBirthDate,
    sex: optionalSex,
    blood_type: optionalChoice(BLOOD_TYPES, (v) => v.toUpperCase()),
    kupat_holim: optionalKupatHolim,
    kupat_member_id: optionalText(50),
    family_doctor_name: optionalText(200),
    emergency_contact_name: optionalText(200),
    emergency_contact_phone: optionalPhone,
    insurance_provider: optionalText(100),
  })
  .openapi('HealthProfileInput');

export type HealthProfileInput = z.infer<typeof healthProfileInputSchema>;

export const HEALTH_LISTS = ['conditions', 'medications', 'allergies', 'vaccinations'] as const;
export type HealthList = (typeof HEALTH_LISTS)[number];

/** Every field a list row may carry (contract 9), and the lists that carry it. */
const FIELDS_OF: Record<HealthList, readonly string[]> = {
  conditions: ['name', 'severity', 'diagnosed_on', 'notes'],
  medications: ['name', 'dosage', 'frequency', 'started_on', 'ended_on', 'notes'],
  allergies: ['name', 'reaction', 'severity', 'notes'],
  vaccinations: ['name', 'vaccinated_on', 'dose', 'notes'],
};
const ALL_FIELDS = [...new Set(Object.values(FIELDS_OF).flat())];

const A_ROW_OF: Record<HealthList, string> = {
  conditions: 'A condition',
  medications: 'A medication',
  allergies: 'An allergy',
  vaccinations: 'A vaccination',
};

/**
 * A field of another list: refused, so a value sent to the wrong list is not silently lost.
 * Left out, null or `""` (nothing to lose) is accepted.
 */
const belongsElsewhere = (list: HealthList, field: string) => {
  const owners = HEALTH_LISTS.filter((l) => FIELDS_OF[l].includes(field));
  const message = `${A_ROW_OF[list]} has no ${field}: it belongs to ${owners.join(' and ')}.`;
  return z.unknown()
    .refine((v) => v === null || v === '', { message })
    .optional()
    .openapi({ description: `Refused (${message})` });
};

/**
 * The fields of other lists, each refused with a sentence that names where it belongs. Typed as
 * nothing: they never reach the handlers, which write only a list's own columns.
 */
const othersRefused = (list: HealthList) =>
  Object.fromEntries(
    ALL_FIELDS.filter((f) => !FIELDS_OF[list].includes(f)).map((
      f,
    ) => [f, belongsElsewhere(list, f)]),
  ) as Record<never, z.ZodType>;

const name = requiredText(200);
const notes = optionalText(2000);
const severity = optionalChoice(SEVERITIES, (v) => v.toLowerCase());

const conditionFields = {
  name,
  severity,
  diagnosed_on: optionalPastDate('diagnosis date'),
  notes,
};

const medicationFields = {
  name,
  dosage: optionalText(100),
  frequency: optionalText(100),
  started_on: optionalPastDate('start date'),
  // The planned end of a treatment may lie ahead.
  ended_on: optionalDate.pipe(
    z.string()
      .refine((d) => d >= '1900-01-01', { message: 'Use an end date in 1900 or later.' })
      .nullable()
      .optional(),
  ),
  notes,
};

const allergyFields = { name, reaction: optionalText(200), severity, notes };

const vaccinationFields = {
  name,
  vaccinated_on: optionalPastDate('vaccination date'),
  dose: optionalText(50),
  notes,
};

export const newConditionSchema = z
  .object({ ...othersRefused('conditions'), ...conditionFields })
  .openapi('NewHealthCondition');

export const newMedicationSchema = z
  .object({ ...othersRefused('medications'), ...medicationFields })
  .refine((m) => !m.started_on || !m.ended_on || m.ended_on >= m.started_on, {
    path: ['ended_on'],
    message: 'The end date cannot be before the start date.',
  })
  .openapi('NewHealthMedication');

export const newAllergySchema = z
  .object({ ...othersRefused('allergies'), ...allergyFields })
  .openapi('NewHealthAllergy');

export const newVaccinationSchema = z
  .object({ ...othersRefused('vaccinations'), ...vaccinationFields })
  .openapi('NewHealthVaccination');

/** The columns a new row of each list is written with: its own fields, nothing else. */
export const COLUMNS_OF = {
  conditions: Object.keys(conditionFields),
  medications: Object.keys(medicationFields),
  allergies: Object.keys(allergyFields),
  vaccinations: Object.keys(vaccinationFields),
} as Record<HealthList, string[]>;

export type NewListRow = Record<string, unknown>;

export const ACCESS_OPENED = [
  'profile',
  'health_profile',
  'conditions',
  'medications',
  'allergies',
  'vaccinations',
  'appointment_history',
] as const;

/** GET /health/access-log: one reading of my records through the CRM. */
export const accessLogEntrySchema = z
  .object({
    id: z.uuid(),
    accessed_at: z.string().openapi({ format: 'date-time' }),
    actor: z.object({
      id: z.uuid(),
      first_name: z.string().nullable(),
      last_name: z.string().nullable(),
      role: z.enum(['practitioner', 'admin']),
    }).nullable().openapi({ description: 'Who read; null once their account was deleted' }),
    practitioner: z.object({
      id: z.uuid(),
      first_name: z.string().nullable(),
      last_name: z.string().nullable(),
    }).nullable().openapi({
      description: 'The practice the records were opened for (the actor, unless an admin)',
    }),
    opened: z.array(z.enum(ACCESS_OPENED)).openapi({ description: 'What was shown' }),
  })
  .openapi('HealthAccessLogEntry');

export type AccessLogEntry = z.infer<typeof accessLogEntrySchema>;
