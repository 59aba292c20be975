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

/**
 * A schema that extends or names a component, or null. A union, not `.nullable()`: the generator
 * would write the null into the component itself (documenting it as nullable wherever it is
 * used), or beside the `$ref` of an extended one, where it allows nothing.
 */
export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/**
 * A blank form field (client-compat): `""`, or also a string of spaces where the value would be
 * trimmed anyway (text, dates).
 */
const EMPTY = /^$/;
export const BLANK = /^\s*$/;

/**
 * An optional field that reads a blank string as `value` (null or undefined) and lets `check`
 * decide the rest. The union in front is for the document only: it shows the blank string beside
 * `documented`, while its first branch lets every value through to `check`, whose messages are
 * the ones a client gets. (A union that checked would answer a value of the wrong type with its
 * own "Invalid input".)
 */
function takingBlank<C extends z.ZodType>(
  documented: z.ZodType,
  blank: RegExp,
  value: null | undefined,
  check: C,
) {
  const blankInDocument = z.unknown().openapi(
    blank === EMPTY ? { type: 'string', enum: [''] } : { type: 'string', pattern: blank.source },
  );
  const read = (v: unknown) => (typeof v === 'string' && blank.test(v) ? value : v);
  return z.union([blankInDocument, documented]).optional().pipe(z.preprocess(read, check));
}

/** An optional body field that null and `""` clear (with `BLANK`, a string of spaces too). */
export const clearable = <T extends z.ZodType>(schema: T, blank = EMPTY) =>
  takingBlank(orNull(schema), blank, null, schema.nullable().optional());

/** An optional query parameter: `""` means it was not given. */
export const optionalParam = <T extends z.ZodType>(schema: T) =>
  takingBlank(schema, EMPTY, undefined, schema.optional());

/** A whole number in the query string; `fallback` when it is left out. */
export const wholeNumberParam = (name: string, min: number, max: number, fallback: number) =>
  optionalParam(
    z.string()
      .regex(/^\d{1,6}$/, { message: `Use a whole number for ${name}.` })
      .transform(Number)
      .refine((v) => v >= min && v <= max, { message: `Use a ${name} between ${min} and ${max}.` })
      // The generator sees only the string before the transform; clients send an integer.
      .openapi({ type: 'integer', minimum: min, maximum: max }),
  )
    .transform((v) => v ?? fallback)
    .openapi({ default: fallback });

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

/** Text where text belongs: a number or a list sent instead is told so in words. */
const text = () => z.string({ message: 'Use text for this field.' });

/** An optional text field, trimmed: null, `""` and spaces clear it. */
export const optionalText = (max: number) =>
  clearable(text().trim().max(max, { message: `Use at most ${max} characters.` }), BLANK);

/** An optional date field: null, `""` and spaces clear it. */
export const optionalDate = clearable(isoDate, BLANK);

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

/** `word` in any case, as a pattern can say it: JSON Schema patterns take no `i` flag. */
const anyCase = (word: string) => [...word].map((c) => `[${c}${c.toUpperCase()}]`).join('');

/** Kupat holim in any case, stored lowercase (client-compat); null, `""` or spaces mean none. */
export const optionalKupatHolim = clearable(
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(KUPOT_HOLIM, { message: `Use one of: ${KUPOT_HOLIM.join(', ')}.` }),
  ).openapi({
    // The type replaces the lowercase enum the generator would write.
    type: 'string',
    pattern: `^\\s*(?:${KUPOT_HOLIM.map(anyCase).join('|')})\\s*$`,
    description: `One of ${KUPOT_HOLIM.join(', ')}, in any case; stored lowercase`,
    example: 'clalit',
  }),
  BLANK,
);

/** A phone number: digits, spaces, dots, dashes and parentheses, maybe after a `+`. */
const PHONE = /^\+?\(?[0-9][0-9 ().-]*$/;

const PHONE_LENGTH = 'Use a phone number of 7 to 32 characters.';

/** A phone number, trimmed. */
const phoneNumber = text().trim()
  .regex(PHONE, { message: 'Use a phone number made of digits, spaces, +, - or parentheses.' })
  .min(7, { message: PHONE_LENGTH })
  .max(32, { message: PHONE_LENGTH });

/** An optional phone number, trimmed: null, `""` and spaces clear it. */
export const optionalPhone = clearable(phoneNumber, BLANK);

/** A phone number that must be given. */
export const requiredPhone = z.string({ message: 'Please enter a phone number.' })
  .trim()
  .min(1, { message: 'Please enter a phone number.' })
  .pipe(phoneNumber);

/** An optional email address, trimmed: null, `""` and spaces clear it. */
export const optionalEmail = clearable(
  text().trim()
    .max(254, { message: 'Use at most 254 characters.' })
    .regex(z.regexes.email, { message: 'Use a valid email address.' })
    .openapi({ format: 'email' }),
  BLANK,
);

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
