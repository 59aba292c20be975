import { z } from '@hono/zod-openapi';
import { optionalBirthDate, optionalPhone, optionalText } from '../../shared/schemas/common.ts';
import { optionalSex } from '../../shared/schemas/profile.ts';

// The database grants no update of these columns either; refusing them out loud tells the
// client its change was not made instead of answering 200 with the old value.
const notChangeable = (what: string) =>
  z.unknown()
    .refine(() => false, { message: `Your ${what} cannot be changed here.` })
    .optional()
    .openapi({ description: `Refused: the ${what} cannot be changed here.` });

/** The fields a user may change, which are also the column names. */
const profileChangesSchema = z.object({
  first_name: optionalText(100),
  last_name: optionalText(100),
  phone: optionalPhone,
  city: optionalText(100),
  date_of_birth: optionalBirthDate,
  sex: optionalSex,
});

export const profilePatchSchema = profileChangesSchema.extend({
  role: notChangeable('role'),
  email: notChangeable('email address'),
});

export const CHANGEABLE_FIELDS = profileChangesSchema.keyof().options;

export type ProfileChanges = z.infer<typeof profileChangesSchema>;
