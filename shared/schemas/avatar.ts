import { z } from '@hono/zod-openapi';
import { detectImageFormat } from '../storage/image-format.ts';

/** The largest picture accepted, in bytes (contract: 5 MB). */
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

/**
 * The body limit of an upload route: room for the multipart boundaries and part headers around
 * a picture of the largest size. The exact bound on the picture is checked after parsing.
 */
export const AVATAR_BODY_BYTES = AVATAR_MAX_BYTES + 16 * 1024;

/**
 * A multipart form with one file field `avatar`: JPEG, PNG or WebP as its first bytes prove (the
 * declared type and name are the sender's word: the patient app sends
 * `application/octet-stream`).
 */
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

export type AvatarUpload = z.infer<typeof avatarFormSchema>['avatar'];
