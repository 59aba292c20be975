import { z } from '@hono/zod-openapi';
import {
  BLANK,
  clearable,
  optionalBirthDate,
  optionalKupatHolim,
  optionalText,
  requiredText,
} from '../../shared/schemas/common.ts';
import { RELATIONS } from '../../shared/schemas/relative.ts';
import { optionalTeudatZehut } from '../../shared/schemas/teudat-zehut.ts';

const relation = z.enum(RELATIONS, { message: `Use one of: ${RELATIONS.join(', ')}.` });

export const newRelativeSchema = z.object({
  first_name: requiredText(100),
  last_name: requiredText(100),
  relation,
  date_of_birth: optionalBirthDate,
  teudat_zehut: optionalTeudatZehut,
  kupat_holim: optionalKupatHolim,
  insurance_provider: optionalText(100),
});

export const PICTURE_IS_UPLOADED = 'To change the picture, please upload it again.';

/**
 * `PATCH /relatives/:id`: the fields of `POST`, each optional (left out: unchanged); `""` or null
 * clears an optional one, never a name or the relation.
 */
export const relativeChangesSchema = z.object({
  first_name: requiredText(100).optional(),
  last_name: requiredText(100).optional(),
  relation: relation.optional(),
  date_of_birth: optionalBirthDate,
  teudat_zehut: optionalTeudatZehut,
  kupat_holim: optionalKupatHolim,
  insurance_provider: optionalText(100),
  // The patient app sends back the URL its upload answered. The picture itself only changes by
  // an upload: the URL is accepted when it is the relative's current one.
  avatar_url: clearable(
    z.string({ message: 'Use text for this field.' })
      .max(2000, { message: 'Use at most 2000 characters.' }),
    BLANK,
  )
    .openapi({
      description: "The relative's current picture URL, as the upload answered it; a " +
        'picture is changed by POST /relatives/{id}/avatar, never here',
    }),
});

/** The columns of `relatives` a change writes, by name (the teudat zehut sealed). */
export const WRITABLE_COLUMNS = [
  'first_name',
  'last_name',
  'relation',
  'date_of_birth',
  'kupat_holim',
  'insurance_provider',
  'teudat_zehut_encrypted',
  'teudat_zehut_hash',
] as const;

export type NewRelative = z.infer<typeof newRelativeSchema>;
export type RelativeChanges = z.infer<typeof relativeChangesSchema>;
export type RelativeColumns = Partial<
  Omit<RelativeChanges, 'teudat_zehut' | 'avatar_url'> & {
    teudat_zehut_encrypted: string | null;
    teudat_zehut_hash: string | null;
  }
>;
