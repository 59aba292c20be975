import { z } from '@hono/zod-openapi';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const END_TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?|24:00(?::00)?)$/;

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** `""` from a blank form field means "no value" (client-compat). */
export const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

/**
 * A schema that extends or names a component, or null. A union, not `.nullable()`: the generator
 * would write the null into the component itself (documenting it as nullable wherever it is
 * used), or beside the `$ref` of an extended one, where it allows nothing.
 */
export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/** A real calendar date, `YYYY-MM-DD`. */
const DATE_MESSAGE = 'Use a real date in the format YYYY-MM-DD.';
export const isoDate = z
  .string({ message: DATE_MESSAGE })
  .refine(isCalendarDate, { message: DATE_MESSAGE })
  // No `type` here: one set in the metadata would hide the null of a later `.nullable()`.
  .openapi({ format: 'date', example: '2026-02-10' });

const clockTime = (pattern: RegExp, message: string, description: string) =>
  z.string({ message })
    .regex(pattern, { message })
    .transform((v) => (v.length === 5 ? `${v}:00` : v))
    // The pattern is repeated: the document drops what precedes a transform. No `type` either,
    // as for `isoDate`.
    .openapi({ pattern: pattern.source, example: '09:00', description });

/** A time of day sent as `HH:MM` or `HH:MM:SS`, always handed on as `HH:MM:SS`. */
export const timeOfDay = clockTime(
  TIME,
  'Use a time in the format HH:MM.',
  'HH:MM or HH:MM:SS',
);

/** The end of a range of hours: a time of day, or 24:00 for hours that run until midnight. */
export const endTimeOfDay = clockTime(
  END_TIME,
  'Use a time in the format HH:MM, at most 24:00.',
  'HH:MM or HH:MM:SS; 24:00 for hours that run until midnight',
);

/** A time of day as the database returns it, `HH:MM:SS`. */
export const storedTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/)
  .openapi({ example: '09:00:00' });

/** The end of a range of hours as the database returns it: 24:00:00 for midnight. */
export const storedEndTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d:[0-5]\d|24:00:00)$/)
  .openapi({ example: '12:00:00' });

/** An optional text field: `""` and null both clear it. */
export const optionalText = (max: number) =>
  z.preprocess(
    blankToNull,
    z.string({ message: 'Use text here, or leave it empty.' }).trim()
      .max(max, { message: `Use at most ${max} characters.` }).nullable(),
  )
    .optional()
    .openapi({ type: ['string', 'null'], maxLength: max });

/** An optional date field: `""` and null both clear it. */
export const optionalDate = z.preprocess(blankToNull, orNull(isoDate)).optional()
  // `""` needs a branch of its own, where the format does not apply: the metadata replaces the
  // union's branches, which `.nullable()` would not have made.
  .openapi({ anyOf: [{ type: 'string', format: 'date' }, { const: '' }, { type: 'null' }] });

const OLDEST_BIRTH_DATE = '1900-01-01';

/** Today's date where the patients live, so a baby born this morning in Israel is not "future". */
function todayInIsrael(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jerusalem' }).format(new Date());
}

/** An optional date of something past (`""` clears it): a real date, from 1900, not in the future. */
export const optionalPastDate = (what: string) =>
  optionalDate.pipe(
    z.string()
      .refine((d) => d >= OLDEST_BIRTH_DATE, { message: `Use a ${what} in 1900 or later.` })
      .refine((d) => d <= todayInIsrael(), { message: `The ${what} cannot be in the future.` })
      .nullable()
      .optional(),
  ).openapi({ description: 'From 1900-01-01, and not after today in Israel' });

/** An optional date of birth (`""` clears it): a real date, from 1900, not in the future. */
export const optionalBirthDate = optionalPastDate('date of birth');

export const KUPOT_HOLIM = ['clalit', 'maccabi', 'meuhedet', 'leumit', 'other'] as const;

/** Kupat holim in any case, stored lowercase (client-compat); `""` means none. */
export const optionalKupatHolim = z
  .preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || null : v),
    z.enum(KUPOT_HOLIM, { message: `Use one of: ${KUPOT_HOLIM.join(', ')}.` }).nullable(),
  )
  .optional()
  .openapi({
    type: ['string', 'null'],
    enum: [...KUPOT_HOLIM],
    description: 'Any case; stored lowercase',
  });

const PHONE = /^\+?[0-9][0-9 ().-]*$/;

/** An optional phone number (`""` clears it). */
export const optionalPhone = optionalText(32).refine((v) => v == null || PHONE.test(v), {
  message: 'Use a phone number made of digits, spaces, +, - or parentheses.',
});

export const requiredText = (max: number) =>
  z.string({ message: 'This field is required.' }).trim().min(1, {
    message: 'This field is required.',
  })
    .max(max, { message: `Use at most ${max} characters.` });

/** A whole number within bounds; one message for every way of missing them. */
export const wholeNumber = (
  min: number,
  max: number,
  message = `Use a whole number from ${min} to ${max}.`,
) => z.int({ message }).min(min, { message }).max(max, { message });

export const trueOrFalse = z.boolean({ message: 'Use true or false.' });

export const uuid = z.uuid({ message: 'This is not a valid identifier.' });

/** `/:id` path parameters: a malformed id is a 400, not a 404. */
export const idParam = z.object({
  id: uuid.openapi({
    param: { name: 'id', in: 'path' },
    example: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  }),
});

export const errorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .openapi('Error');
