import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isConnectionLost } from '../db/connection-lost.ts';
import { constraintError } from './constraint-errors.ts';
import {
  ApiError,
  badRequest,
  conflict,
  notFound,
  payloadTooLarge,
  unauthorized,
  validationFailed,
} from './errors.ts';
import { log } from './logger.ts';

interface PgError {
  name: 'PostgresError';
  code: string;
  message: string;
  column_name?: string;
  constraint_name?: string;
  table_name?: string;
  routine?: string;
}

const isPgError = (e: unknown): e is PgError =>
  typeof e === 'object' && e !== null && (e as { name?: string }).name === 'PostgresError';

/** Seconds a client should wait before retrying while the database is away or busy. */
const RETRY_AFTER_SECONDS = 2;

const unavailable = (message: string) =>
  new ApiError(503, 'service_unavailable', message, {}, {
    'Retry-After': String(RETRY_AFTER_SECONDS),
  });

const databaseAway = () =>
  unavailable('The service is temporarily unavailable. Please try again in a moment.');

/**
 * Database refusals a request can cause. Constraints are the last line of defence behind zod
 * and the handlers' own checks, so their messages stay generic and never echo the values.
 */
function fromPostgres(e: PgError): ApiError | undefined {
  switch (e.code) {
    case '23505':
      return new ApiError(409, 'conflict', 'This already exists.');
    case '23P01':
      return new ApiError(409, 'conflict', 'This overlaps with something that already exists.');
    case '23503':
      return badRequest('This refers to something that does not exist.');
    case '23514':
    case '23502':
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return badRequest('Some of the values sent are not allowed.');
    case '42501':
      return new ApiError(403, 'forbidden', 'You are not allowed to do this.');
    case '57014':
      return unavailable('The service is busy. Please try again.');
  }
}

/**
 * Refusals the database words for people: SQLSTATE 'DK' and the status to answer (DK404: someone
 * else's thing, or nothing, was named), the field in
 * COLUMN, a fixed message that quotes no value (migration 20261202000400 explains the rule).
 */
function spokenRefusal(e: PgError): ApiError | undefined {
  switch (e.code) {
    case 'DK400':
      return validationFailed(e.column_name ? { [e.column_name]: [e.message] } : {}, e.message);
    case 'DK404':
      return notFound(e.message);
    case 'DK409':
      return conflict(e.message);
  }
}

function fromHttpException(e: HTTPException): ApiError {
  switch (e.status) {
    case 400:
      return badRequest(
        /json/i.test(e.message)
          ? 'The request body is not valid JSON.'
          : 'The request is not valid.',
      );
    case 401:
      return unauthorized();
    case 413:
      return payloadTooLarge();
    case 415:
      return new ApiError(415, 'unsupported_media_type', 'This content type is not accepted here.');
    default:
      return new ApiError(e.status as 400, 'bad_request', 'The request is not valid.');
  }
}

function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) return fromHttpException(err);
  // Before the codes of refusals: a lost connection can report a PostgreSQL code too (57P01).
  if (isConnectionLost(err)) return databaseAway();
  if (isPgError(err)) return spokenRefusal(err) ?? constraintError(err) ?? fromPostgres(err);
}

/** The one place that turns any thrown value into the contract's error body. */
export function handleError(err: unknown, c: Context): Response {
  const known = toApiError(err);
  if (known) {
    return c.json(known.toBody(), known.status, known.headers);
  }
  // Messages of unexpected errors can carry user data (a database error quotes the values), so
  // only identifiers and the stack's frames are logged.
  const e = err as Partial<PgError> & { stack?: string; name?: string };
  log('error', 'unhandled_error', {
    request_id: c.get('requestId'),
    error: e?.name,
    pg_code: e?.code,
    constraint: e?.constraint_name,
    table: e?.table_name,
    frames: e?.stack?.split('\n').slice(1, 6).map((l) => l.trim()),
  });
  const internal = new ApiError(
    500,
    'internal_error',
    'Something went wrong on our side. Please try again.',
    {
      request_id: c.get('requestId'),
    },
  );
  return c.json(internal.toBody(), 500);
}
