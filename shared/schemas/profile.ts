import { z } from '@hono/zod-openapi';
import { isoDate, optionalDate } from './common.ts';

export const SEXES = ['male', 'female', 'other'] as const;

/** A user's own profile as every endpoint returns it (never the storage key of the avatar). */
export const profileSchema = z
  .object({
    id: z.uuid(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    date_of_birth: isoDate.nullable(),
    sex: z.enum(SEXES).nullable(),
    city: z.string().nullable(),
    avatar_url: z.string().nullable(),
    role: z.enum(['patient', 'practitioner', 'admin']),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Profile');

export type Profile = z.infer<typeof profileSchema>;

const OLDEST_BIRTH_DATE = '1900-01-01';

/** Today's date where the patients live, so a baby born this morning in Israel is not "future". */
function todayInIsrael(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jerusalem' }).format(new Date());
}

const birthDateLimits = z
  .string()
  .refine((d) => d >= OLDEST_BIRTH_DATE, { message: 'Use a date of birth in 1900 or later.' })
  .refine((d) => d <= todayInIsrael(), { message: 'The date of birth cannot be in the future.' });

/** An optional date of birth (`""` clears it): a real date, from 1900, not in the future. */
export const optionalBirthDate = optionalDate.pipe(birthDateLimits.nullable().optional());
