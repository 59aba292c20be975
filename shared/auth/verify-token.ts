import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { config } from '../config.ts';
import type { JwtClaims } from '../db/as-user.ts';
import { unauthorized } from '../http/errors.ts';

const AUDIENCE = 'authenticated';
const ASYMMETRIC = ['ES256', 'RS256', 'EdDSA'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let keySet: JWTVerifyGetKey | undefined;

function signingKeys(): JWTVerifyGetKey {
  const c = config();
  keySet ??= c.jwks
    ? createLocalJWKSet(JSON.parse(c.jwks))
    : createRemoteJWKSet(new URL(`${c.supabaseUrl}/auth/v1/.well-known/jwks.json`));
  return keySet;
}

/**
 * Verifies a Supabase access token: signature (JWKS, or the legacy HS256 secret when one is
 * configured), audience, issuer and expiry. Any failure is the same 401, so a caller learns
 * nothing about why a forged token was refused.
 */
export async function verifyAccessToken(token: string): Promise<JwtClaims> {
  const c = config();
  // jose checks `exp` only when present: a token without one would never expire.
  const options = {
    audience: AUDIENCE,
    issuer: `${c.supabaseUrl}/auth/v1`,
    requiredClaims: ['exp'],
  };
  try {
    const { alg } = decodeProtectedHeader(token);
    const { payload } = alg === 'HS256' && c.jwtLegacySecret
      ? await jwtVerify(token, new TextEncoder().encode(c.jwtLegacySecret), {
        ...options,
        algorithms: ['HS256'],
      })
      : await jwtVerify(token, signingKeys(), { ...options, algorithms: ASYMMETRIC });
    if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw new Error('bad subject');
    return payload as JwtClaims;
  } catch {
    throw unauthorized('Your session is invalid or has expired. Please sign in again.');
  }
}
