import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCode =
  | 'bad_request'
  | 'validation_error'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error'
  | 'payment_provider_error'
  | 'service_unavailable';

export type FieldErrors = Record<string, string[]>;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

/** The one error type: every error response body is built from one of these. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The same error, answered with these headers too. */
  withHeaders(headers: Record<string, string>): ApiError {
    return new ApiError(this.status, this.code, this.message, this.details, {
      ...this.headers,
      ...headers,
    });
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);

export const validationFailed = (fieldErrors: FieldErrors, message?: string) =>
  new ApiError(
    400,
    'validation_error',
    message ?? `Please check ${Object.keys(fieldErrors).join(', ') || 'the request'}.`,
    { fieldErrors },
  );

export const unauthorized = (message = 'Please sign in again.') =>
  new ApiError(401, 'unauthorized', message);

export const forbidden = (message = 'You are not allowed to do this.') =>
  new ApiError(403, 'forbidden', message);

export const notFound = (message = 'We could not find what you asked for.') =>
  new ApiError(404, 'not_found', message);

export const conflict = (message: string) => new ApiError(409, 'conflict', message);

export const payloadTooLarge = (message = 'The request is too large.') =>
  new ApiError(413, 'payload_too_large', message);

/** The payment provider refused or did not answer; the message never carries its secrets. */
export const paymentProviderError = (
  message = 'The payment service is not answering right now. Please try again in a moment.',
) => new ApiError(502, 'payment_provider_error', message);
