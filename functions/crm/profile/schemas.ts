import { z } from '@hono/zod-openapi';
import {
  clearable,
  optionalEmail,
  optionalPhone,
  optionalText,
  orNull,
  trueOrFalse,
  uuid,
  wholeNumber,
} from '../../../shared/schemas/common.ts';
import {
  personNamesSchema,
  SECTORS,
  specialtyNamesSchema,
} from '../../../shared/schemas/practitioner.ts';

const coordinate = (limit: number) => {
  const message = `Use a number from -${limit} to ${limit}.`;
  return z.number({ message }).min(-limit, { message }).max(limit, { message });
};

const priceAgorot = wholeNumber(0, 10_000_000);

export const PRICE_ORDER = 'The lowest price cannot be above the highest price.';

/** Columns of `profiles` the CRM edits: the practitioner's names. */
const nameChanges = z.object({
  first_name: optionalText(100),
  last_name: optionalText(100),
});

/** Columns of `practitioners` the CRM edits; also their names in the table. */
const practiceChanges = z.object({
  specialty_id: clearable(uuid),
  about: optionalText(5000),
  languages: z
    .preprocess(
      (v) => (v === null ? [] : v),
      z.array(
        z.string({ message: 'Use a list of language names.' }).trim()
          .min(1, { message: 'A language name cannot be empty.' })
          .max(50, { message: 'Use at most 50 characters per language.' }),
        { message: 'Use a list of language names.' },
      ).max(20, { message: 'Name at most 20 languages.' }),
    )
    .optional()
    .openapi({
      type: ['array', 'null'],
      items: { type: 'string' },
      description: 'null clears the list',
    }),
  education: optionalText(2000),
  phone: optionalPhone,
  email: optionalEmail,
  is_accepting_new_patients: trueOrFalse.optional(),
  address_line: optionalText(200),
  street_number: optionalText(20),
  zip_code: optionalText(20),
  city: optionalText(100),
  latitude: clearable(coordinate(90)),
  longitude: clearable(coordinate(180)),
  price_min_agorot: clearable(priceAgorot),
  price_max_agorot: clearable(priceAgorot),
  consultation_duration_minutes: wholeNumber(5, 240).optional(),
  sector: clearable(z.enum(SECTORS, { message: `Use one of: ${SECTORS.join(', ')}.` })),
  years_of_experience: clearable(wholeNumber(0, 80)),
  is_active: trueOrFalse.optional().openapi({
    description: 'Admins only: true lists the practitioner in the directory and opens booking ' +
      '(a registration starts inactive); false withdraws them. A practitioner sending it gets 403.',
  }),
});

export const ONLY_ADMINS_ACTIVATE = 'Only an administrator can publish or withdraw a practitioner.';

export const NAME_FIELDS = nameChanges.keyof().options;
export const PRACTICE_FIELDS = practiceChanges.keyof().options;

export const profileChangesSchema = nameChanges
  .extend(practiceChanges.shape)
  .superRefine((p, ctx) => {
    const latitudeSent = p.latitude !== undefined;
    const longitudeSent = p.longitude !== undefined;
    const apart = latitudeSent !== longitudeSent ||
      (p.latitude === null) !== (p.longitude === null);
    if (apart) {
      // The coordinate to fix is the one missing, else the one null.
      const missing = !latitudeSent || (longitudeSent && p.latitude === null)
        ? 'latitude'
        : 'longitude';
      ctx.addIssue({
        code: 'custom',
        message: 'Send latitude and longitude together, both numbers or both null.',
        path: [missing],
      });
    }
    if (
      p.price_min_agorot != null && p.price_max_agorot != null &&
      p.price_min_agorot > p.price_max_agorot
    ) {
      ctx.addIssue({ code: 'custom', message: PRICE_ORDER, path: ['price_max_agorot'] });
    }
  });

export type ProfileChanges = z.infer<typeof profileChangesSchema>;

export const practitionerProfileSchema = z
  .object({
    id: z.uuid(),
    specialty_id: z.uuid().nullable(),
    about: z.string().nullable(),
    languages: z.array(z.string()),
    education: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    is_accepting_new_patients: z.boolean(),
    address_line: z.string().nullable(),
    street_number: z.string().nullable(),
    zip_code: z.string().nullable(),
    city: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    price_min_agorot: z.int().nullable(),
    price_max_agorot: z.int().nullable(),
    consultation_duration_minutes: z.int(),
    sector: z.enum(SECTORS).nullable(),
    years_of_experience: z.int().nullable(),
    is_active: z.boolean(),
    profiles: personNamesSchema,
    specialties: orNull(specialtyNamesSchema.extend({ id: z.uuid() })),
  })
  .openapi('CrmPractitionerProfile');

export type PractitionerProfile = z.infer<typeof practitionerProfileSchema>;
