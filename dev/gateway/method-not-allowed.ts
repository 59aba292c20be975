import { ApiError } from '../../shared/http/errors.ts';

/** 405 in the contract's error shape, with the `Allow` header HTTP requires of it. */
export function methodNotAllowed(method: string, allowed: readonly string[]): ApiError {
  return new ApiError(
    405,
    'method_not_allowed',
    `${method} is not accepted here; use ${allowed.join(', ')}.`,
    {},
    { allow: allowed.join(', ') },
  );
}
