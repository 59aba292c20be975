import { z } from '@hono/zod-openapi';
import { USER_ROLES } from '../auth/user.ts';
import { clearable, isoDate } from './common.ts';

export const SEXES = ['male', 'female', 'other'] as const;

/** An optional sex (`""` or null clears it). */
export const optionalSex = clearable(
  z.enum(SEXES, { message: `Use one of: ${SEXES.join(', ')}.` }),
);

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
    role: z.enum(USER_ROLES),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Profile');

export type Profile = z.infer<typeof profileSchema>;
