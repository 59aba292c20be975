import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { config } from '../config.ts';
import { systemDb } from '../db/client.ts';
import { ApiError } from './errors.ts';
import type { AppEnv } from './env.ts';

function clientIp(c: Context): string {
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded || c.req.header('x-real-ip') || 'unknown';
}

/**
 * Counts requests per signed-in user, or per client IP when anonymous, in Postgres so every
 * function instance shares the same window. Runs after `authenticate` where there is one.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limit = config().rateLimitPerMinute;
  const user = c.get('user');
  const key = user ? `user:${user.id}` : `ip:${clientIp(c)}`;
  const [{ hits, reset_at }] = await systemDb()<{ hits: number; reset_at: Date }[]>`
    select hits, reset_at from private.hit_rate_limit(${key})`;
  const resetSeconds = Math.max(1, Math.ceil((reset_at.getTime() - Date.now()) / 1000));
  const headers = {
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(Math.max(0, limit - hits)),
    'RateLimit-Reset': String(resetSeconds),
  };
  if (hits > limit) {
    throw new ApiError(
      429,
      'rate_limited',
      'Too many requests. Please wait a moment and try again.',
      {},
      { ...headers, 'Retry-After': String(resetSeconds) },
    );
  }
  await next();
  for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
});
