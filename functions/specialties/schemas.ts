import { z } from '@hono/zod-openapi';

/** A specialty with its name in every language of the apps (client-extras 4). */
export const specialtySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    name_he: z.string().nullable(),
    name_fr: z.string().nullable(),
    name_ru: z.string().nullable(),
    name_en: z.string().nullable(),
    name_am: z.string().nullable(),
    name_es: z.string().nullable(),
    icon_url: z.string().nullable().openapi({ description: 'Always null: no icons are kept yet' }),
  })
  .openapi('Specialty');

export type Specialty = z.infer<typeof specialtySchema>;
