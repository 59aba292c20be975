import { z } from '@hono/zod-openapi';
import { KUPOT_HOLIM } from './common.ts';
import { teudatZehutOut } from './teudat-zehut.ts';

export const RELATIONS = ['child', 'parent', 'spouse', 'sibling', 'other'] as const;

/** A relative as every group returns it (the list, the creation, an appointment's patient). */
export const relativeSchema = z
  .object({
    id: z.uuid(),
    first_name: z.string(),
    last_name: z.string(),
    relation: z.enum(RELATIONS),
    date_of_birth: z.string().nullable().openapi({ format: 'date', example: '2018-03-20' }),
    // Read back in clear: the patient app pre-fills its edit form with it (client-extras 6).
    teudat_zehut: teudatZehutOut,
    kupat_holim: z.enum(KUPOT_HOLIM).nullable(),
    insurance_provider: z.string().nullable(),
    avatar_url: z.string().nullable().openapi({
      description: 'The picture, set by POST /relatives/{id}/avatar; a new URL for each upload',
    }),
    created_at: z.string().openapi({ format: 'date-time', example: '2026-01-01T00:00:00.000000Z' }),
  })
  .openapi('Relative');

export type Relative = z.infer<typeof relativeSchema>;
