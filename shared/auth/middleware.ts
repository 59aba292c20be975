import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { gateRow, systemDb, withinStatementTimeout } from '../db/client.ts';
import { ApiError, forbidden, unauthorized } from '../http/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { type Hit, hitAddress, limitHeaders, withLimitHeaders } from '../http/rate-limit.ts';
import { verifyAccessToken } from './verify-token.ts';
import type { AuthUser, JwtClaims, UserRole } from './user.ts';

const BEARER = /^Bearer\s+(\S+)$/i;

/** The verified claims, or the 401 to answer: missing, malformed, forged or expired alike. */
async function verifiedClaims(header: string | undefined): Promise<JwtClaims | ApiError> {
  const token = header?.match(BEARER)?.[1];
  if (!token) return unauthorized('Please sign in to continue.');
  return await verifyAccessToken(token).catch((e: ApiError) => e);
}

/**
 * Verifies the bearer token, then loads the caller's role from `profiles` (never from the token)
 * and counts the request against the user in one statement. A request that fails authentication
 * is counted against its client address, without any lookup, so a token-guessing loop meets the
 * same 429 as any other loop.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await verifiedClaims(c.req.header('authorization'));
  if (claims instanceof ApiError) throw claims.withHeaders(limitHeaders(await hitAddress(c)));
  const gate = gateRow(
    await withinStatementTimeout(
      systemDb()<(Hit & { role: UserRole | null })[]>`
        select role, hits, reset_at from private.authorize_request(${claims.sub}, ${`user:${claims.sub}`})`,
    ),
    ['role', 'hits', 'reset_at'],
  );
  const headers = limitHeaders(gate);
  if (!gate.role) throw unauthorized('Your account no longer exists.');
  c.set('user', { id: claims.sub, role: gate.role, claims });
  await withLimitHeaders(c, headers, next);
});

export const requireRole = (...roles: UserRole[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!roles.includes(currentUser(c).role)) throw forbidden();
    await next();
  });

/** The authenticated caller; only valid behind `authenticate`. */
export function currentUser(c: Context<AppEnv>): AuthUser {
  const user = c.get('user');
  if (!user) throw unauthorized();
  return user;
}
