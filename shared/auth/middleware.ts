import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { systemDb } from '../db/client.ts';
import { forbidden, unauthorized } from '../http/errors.ts';
import type { AppEnv, AuthUser, UserRole } from '../http/env.ts';
import { verifyAccessToken } from './verify-token.ts';

function bearerToken(header: string | undefined): string {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw unauthorized('Please sign in to continue.');
  return match[1];
}

/** Verifies the bearer token and loads the caller's role from `profiles`, never from the token. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await verifyAccessToken(bearerToken(c.req.header('authorization')));
  const [profile] = await systemDb()<{ role: UserRole }[]>`
    select role from public.profiles where id = ${claims.sub}`;
  if (!profile) throw unauthorized('Your account no longer exists.');
  c.set('user', { id: claims.sub, role: profile.role, claims });
  await next();
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
