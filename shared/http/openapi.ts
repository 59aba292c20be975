import type { z } from '@hono/zod-openapi';
import { errorBody } from '../schemas/common.ts';

const errorDescriptions = {
  400: 'Invalid input (`bad_request` or `validation_error`)',
  401: 'Missing or invalid access token',
  403: 'Not allowed for this role',
  404: 'Not found',
  409: 'Conflicts with existing data',
  413: 'Body too large',
  415: 'Unsupported content type',
  429: 'Too many requests',
  500: 'Unexpected error (`internal_error`)',
  502: 'The payment provider refused or did not answer (`payment_provider_error`)',
  503: 'The database is away or busy: retry after `Retry-After` seconds',
} as const;

type ErrorStatus = keyof typeof errorDescriptions;

/** A JSON response (or request) body for a route declaration. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** A required JSON request body: another content type is a 415, malformed JSON a 400. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** Every route can fail on our side or lose its database, so 500 and 503 come with the others. */
export const errorResponses = (...statuses: Exclude<ErrorStatus, 500 | 503>[]) =>
  Object.fromEntries(
    [...statuses, 500 as const, 503 as const].map((
      s,
    ) => [s, jsonContent(errorBody, errorDescriptions[s])]),
  ) as Record<ErrorStatus, ReturnType<typeof jsonContent<typeof errorBody>>>;

/**
 * A JSON body that may be left out altogether (every field of `schema` optional). The route also
 * takes the middleware `emptyBodyAsEmptyObject` (`optional-json-body.ts`), so that an empty body
 * sent with a JSON content type counts as left out too.
 */
export const optionalJsonBody = <T extends z.ZodType>(schema: T) => ({
  required: false,
  content: { 'application/json': { schema } },
});

export const noContent = { 204: { description: 'Done, no body' } } as const;

/** Routes that need `Authorization: Bearer <Supabase access token>`. */
export const bearer = [{ bearerAuth: [] }];
