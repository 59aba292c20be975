import { z } from 'zod';
import { validationFailed } from './errors.ts';

type HookResult = { success: true } | { success: false; error: z.ZodError };

/** The validation hook of every route: a zod failure becomes a 400 `validation_error`. */
export function validationHook(result: HookResult): void {
  if (result.success) return;
  const { fieldErrors, formErrors } = z.flattenError(result.error);
  const fields = fieldErrors as Record<string, string[]>;
  const [first] = Object.entries(fields);
  const message = first
    ? `Please check ${first[0]}: ${first[1][0]}`
    : `The request is not valid: ${formErrors[0] ?? 'unexpected shape'}.`;
  throw validationFailed(fields, message);
}
