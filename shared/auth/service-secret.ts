import { createMiddleware } from 'hono/factory';
import { config } from '../config.ts';
import { unauthorized } from '../http/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { hitAddress, limitHeaders } from '../http/rate-limit.ts';
import { log } from '../http/logger.ts';

const BEARER = /^Bearer\s+(\S+)$/i;
const encoder = new TextEncoder();

const sha256 = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));

/**
 * Whether `presented` is `expected`, in time that tells nothing of either: both are hashed
 * first (so neither length shows), then every byte of the digests is compared.
 */
export async function sameSecret(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

let warned = false;

/**
 * Routes no user calls (pg_cron's jobs, operators): they need the service secret
 * (`SERVICE_SECRET`) as `Authorization: Bearer <secret>` or as the `apikey` header. Anything
 * else, a user's JWT included, is 401, counted against the client's address like a refused
 * token, so guessing meets 429. Without a configured secret every request is refused.
 */
export const requireServiceSecret = createMiddleware<AppEnv>(async (c, next) => {
  const expected = config().serviceSecret;
  const presented = [
    c.req.header('authorization')?.match(BEARER)?.[1],
    c.req.header('apikey'),
  ].filter((v): v is string => v !== undefined && v !== '');
  // Every candidate is compared, so the time does not tell which header matched.
  const matches = expected
    ? await Promise.all(presented.map((secret) => sameSecret(secret, expected)))
    : [];
  if (!expected && !warned) {
    warned = true;
    log('error', 'service_secret_missing', { route: c.req.path });
  }
  if (matches.includes(true)) return await next();
  throw unauthorized('This route needs the service secret.').withHeaders(
    limitHeaders(await hitAddress(c)),
  );
});
