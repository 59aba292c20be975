import { z } from '@hono/zod-openapi';
import { optionalBirthDate, optionalPhone, optionalText } from '../../shared/schemas/common.ts';
import { optionalSex } from '../../shared/schemas/profile.ts';
import { detectImageFormat } from './image-format.ts';

/** The largest avatar accepted, in bytes (contract: 5 MB). */
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

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

export const avatarFormSchema = z.object({
  avatar: z
    .custom<File>((v) => v instanceof File, {
      message: 'Attach the picture as a file in the avatar field.',
    })
    .refine((file) => file.size > 0, { message: 'The picture is empty.' })
    .transform(async (file, ctx) => {
      const format = await detectImageFormat(file);
      if (!format) {
        ctx.addIssue({ code: 'custom', message: 'Use a JPEG, PNG or WebP picture.' });
        return z.NEVER;
      }
      return { file, format };
    })
    .openapi({ type: 'string', format: 'binary', description: 'JPEG, PNG or WebP, at most 5 MB' }),
});

export type ProfileChanges = z.infer<typeof profileChangesSchema>;
export type AvatarUpload = z.infer<typeof avatarFormSchema>['avatar'];
