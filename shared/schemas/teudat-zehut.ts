import { z } from '@hono/zod-openapi';
import { hasValidCheckDigit, normaliseTeudatZehut } from '../health/teudat-zehut.ts';
import { BLANK, clearable } from './common.ts';

const SHAPE = 'Enter the teudat zehut as 5 to 9 digits.';
const CHECK_DIGIT = 'This teudat zehut is not valid: please check the digits.';

/**
 * An optional teudat zehut (`""` and null clear it): 5 to 9 digits, `-` and spaces ignored,
 * handed on as 9 digits whose check digit holds. The messages never repeat the number.
 */
export const optionalTeudatZehut = clearable(
  z.string({ message: SHAPE })
    .max(40, { message: SHAPE })
    .transform((written, ctx) => {
      const nineDigits = normaliseTeudatZehut(written);
      if (!nineDigits) {
        ctx.addIssue({ code: 'custom', message: SHAPE });
        return z.NEVER;
      }
      if (!hasValidCheckDigit(nineDigits)) {
        ctx.addIssue({ code: 'custom', message: CHECK_DIGIT });
        return z.NEVER;
      }
      return nineDigits;
    })
    .openapi({
      type: 'string',
      maxLength: 40,
      example: '123456782',
      description: 'Israeli ID number: 5 to 9 digits (`-` and spaces ignored), stored as 9 ' +
        'digits whose check digit must hold',
    }),
  BLANK,
);

/** A stored teudat zehut as its owner reads it back: 9 digits, or null. */
export const teudatZehutOut = z.string().regex(/^\d{9}$/).nullable()
  .openapi({ example: '123456782', description: 'Israeli ID number, 9 digits' });
