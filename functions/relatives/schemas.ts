import { z } from '@hono/zod-openapi';
import {
  optionalBirthDate,
  optionalKupatHolim,
  optionalText,
  requiredText,
} from '../../shared/schemas/common.ts';
import { RELATIONS } from '../../shared/schemas/relative.ts';
import { optionalTeudatZehut } from '../../shared/schemas/teudat-zehut.ts';

export const newRelativeSchema = z.object({
  first_name: requiredText(100),
  last_name: requiredText(100),
  relation: z.enum(RELATIONS, { message: `Use one of: ${RELATIONS.join(', ')}.` }),
  date_of_birth: optionalBirthDate,
  teudat_zehut: optionalTeudatZehut,
  kupat_holim: optionalKupatHolim,
  insurance_provider: optionalText(100),
});

export type NewRelative = z.infer<typeof newRelativeSchema>;
