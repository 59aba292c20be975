import { z } from '@hono/zod-openapi';

/** `""` in a query string means the parameter was not given (client-compat). */
export const optionalParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** A whole number in the query string; `fallback` when it is left out. */
export const wholeNumberParam = (name: string, min: number, max: number, fallback: number) =>
  optionalParam(
    z.string()
      .regex(/^\d{1,6}$/, { message: `Use a whole number for ${name}.` })
      .transform(Number)
      .refine((v) => v >= min && v <= max, { message: `Use a ${name} between ${min} and ${max}.` }),
  )
    .transform((v) => v ?? fallback)
    // The generator sees only the string before the transform; clients send an integer.
    .openapi({ type: 'integer', minimum: min, maximum: max, default: fallback });
