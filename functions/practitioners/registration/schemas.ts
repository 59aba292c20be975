import { z } from '@hono/zod-openapi';
import {
  BLANK,
  clearable,
  optionalText,
  orNull,
  requiredText,
  uuid,
} from '../../../shared/schemas/common.ts';
import {
  personNamesSchema,
  SECTORS,
  specialtyNamesSchema,
} from '../../../shared/schemas/practitioner.ts';

/** What the practitioner must have filled for the record to be complete (client-extras 2). */
export const REQUIRED_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'city',
  'specialty_id',
  'license_number',
  'address_line',
  'street_number',
] as const;

/** What the CRM's completion list adds (it hides these during onboarding). */
export const RECOMMENDED_FIELDS = [
  'about',
  'education',
  'languages',
  'avatar_url',
  'price_min_agorot',
  'price_max_agorot',
] as const;

const MISSING_FIELDS = [...REQUIRED_FIELDS, ...RECOMMENDED_FIELDS] as const;

const LICENCE = 'Use the licence number as written on it: 1 to 6 digits.';
const licence = z.string({ message: LICENCE }).trim().regex(/^\d{1,6}$/, { message: LICENCE });

const PHONE = 'Use an Israeli phone number: +972 followed by 8 or 9 digits.';

const coordinate = (name: string, limit: number) => {
  const message = `Use the ${name} of the address, a number from -${limit} to ${limit}.`;
  return z.number({ message }).min(-limit, { message }).max(limit, { message });
};

const EMAIL = 'Use a valid email address.';

/** `POST /practitioners/register`: the CRM's onboarding wizard, as it sends it. */
export const registrationSchema = z.object({
  first_name: requiredText(100),
  last_name: requiredText(100),
  email: z.string({ message: EMAIL }).trim()
    .max(254, { message: 'Use at most 254 characters.' })
    .regex(z.regexes.email, { message: EMAIL })
    .openapi({ format: 'email' }),
  phone: z.string({ message: PHONE }).trim().regex(/^\+972\d{8,9}$/, { message: PHONE })
    .openapi({ example: '+972501234567' }),
  city: requiredText(100),
  specialty_id: uuid.openapi({ description: 'One of GET /specialties' }),
  license_number: licence,
  specialization_license: clearable(licence, BLANK),
  address_line: requiredText(200).openapi({ description: 'The street, without its number' }),
  street_number: requiredText(20),
  zip_code: optionalText(20),
  latitude: coordinate('latitude', 90),
  longitude: coordinate('longitude', 180),
  // Sent by the CRM; the backend keeps no organizations yet.
  organization_name: optionalText(200).openapi({ description: 'Accepted, not kept' }),
  organization_type: optionalText(50).openapi({ description: 'Accepted, not kept' }),
  referral_code: optionalText(100).openapi({
    description: "The sign-up link's ?ref=; accepted, not kept (an unknown code is no error)",
  }),
});

export type Registration = z.infer<typeof registrationSchema>;

const notKept = (what: string) =>
  z.null().openapi({ description: `Always null: ${what} not kept by this backend yet` });

/** `GET /practitioners/me` and the registration's answer: the caller's own practitioner. */
export const myPractitionerSchema = z
  .object({
    id: z.uuid(),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
    profiles: personNamesSchema,
    email: z.string().nullable(),
    phone: z.string().nullable(),
    city: z.string().nullable(),
    specialty_id: z.uuid().nullable(),
    specialties: orNull(specialtyNamesSchema.extend({ id: z.uuid() })),
    license_number: z.string().nullable(),
    specialization_license: z.string().nullable(),
    organizations: notKept('organizations are'),
    address_line: z.string().nullable(),
    street_number: z.string().nullable(),
    zip_code: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    sector: z.enum(SECTORS).nullable(),
    about: z.string().nullable(),
    education: z.string().nullable(),
    languages: z.array(z.string()),
    years_of_experience: z.int().nullable(),
    price_min_agorot: z.int().nullable(),
    price_max_agorot: z.int().nullable(),
    consultation_duration_minutes: z.int(),
    is_accepting_new_patients: z.boolean(),
    website_url: notKept('social links are'),
    facebook_url: notKept('social links are'),
    instagram_url: notKept('social links are'),
    whatsapp_number: notKept('social links are'),
    linkedin_url: notKept('social links are'),
    tiktok_url: notKept('social links are'),
    youtube_url: notKept('social links are'),
    waze_link: notKept('map links are'),
    google_maps_link: notKept('map links are'),
    card_slug: notKept('the business card is'),
    card_headline: notKept('the business card is'),
    average_rating: z.number().nullable(),
    review_count: z.int(),
    is_active: z.boolean().openapi({ description: 'Set by an admin: listed and bookable' }),
    is_published: z.boolean().openapi({
      description: 'True exactly when GET /practitioners/search lists this practitioner',
    }),
    is_complete: z.boolean().openapi({
      description: `True when none of ${REQUIRED_FIELDS.join(', ')} is missing`,
    }),
    missing_fields: z.array(z.enum(MISSING_FIELDS)).openapi({
      description: 'The required fields missing, then the recommended ones; [] when none',
    }),
    has_teudat_zehut: z.boolean(),
    teudat_zehut_masked: z.string().regex(/^\*{5}\d{4}$/).nullable().openapi({
      example: '*****6789',
      description: 'The last four digits of my teudat zehut (health profile), never in clear',
    }),
  })
  .openapi('MyPractitioner');

export type MyPractitioner = z.infer<typeof myPractitionerSchema>;
