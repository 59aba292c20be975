import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { config } from '../config.ts';
import { gateRow, systemDb, withinStatementTimeout } from '../db/client.ts';
import { clientAddress } from './client-address.ts';
import { ApiError } from './errors.ts';
import type { AppEnv } from './env.ts';

/** One counted request: the count in the current window and when that window ends. */
export interface Hit {
  hits: number;
  reset_at: Date;
}

/** The per-address key: anonymous requests and failed sign-ins count against it. */
const addressKey = (c: Context) =>
  `ip:${clientAddress(c.req.header('x-forwarded-for'), config().trustedProxyHops)}`;

/** Counts a request against the caller's address, in Postgres so every instance shares it. */
export async function hitAddress(c: Context): Promise<Hit> {
  const rows = await withinStatementTimeout(
    systemDb()<Hit[]>`select hits, reset_at from private.hit_rate_limit(${addressKey(c)})`,
  );
  return gateRow(rows, ['hits', 'reset_at']);
}

/**
 * The `RateLimit-*` headers of a counted request; throws 429 (with `Retry-After`) once the
 * window's limit is passed, whatever the request would otherwise have answered.
 */
export function limitHeaders(hit: Hit): Record<string, string> {
  const limit = config().rateLimitPerMinute;
  const resetSeconds = Math.max(1, Math.ceil((hit.reset_at.getTime() - Date.now()) / 1000));
  const headers = {
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(Math.max(0, limit - hit.hits)),
    'RateLimit-Reset': String(resetSeconds),
  };
  if (hit.hits > limit) {
    throw new ApiError(
      429,
      'rate_limited',
      'Too many requests. Please wait a moment and try again.',
      {},
      { ...headers, 'Retry-After': String(resetSeconds) },
    );
  }
  return headers;
}

/** Runs `next`, then puts the counted request's headers on whatever it answered. */
export async function withLimitHeaders(
  c: Context,
  headers: Record<string, string>,
  next: () => Promise<void>,
) {
  await next();
  for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
}

/** Public routes: one statement counts the request against the client's address. */
export const limitByAddress = createMiddleware<AppEnv>(async (c, next) => {
  await withLimitHeaders(c, limitHeaders(await hitAddress(c)), next);
});
