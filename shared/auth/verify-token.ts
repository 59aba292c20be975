import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { config } from '../config.ts';
import type { JwtClaims } from './user.ts';
import { unauthorized } from '../http/errors.ts';

const AUDIENCE = 'authenticated';
const ASYMMETRIC = ['ES256', 'RS256', 'EdDSA'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let keySet: JWTVerifyGetKey | undefined;

// Checking an ES256 signature costs about 0.35 ms of CPU, more than the rest of a request's
// JavaScript, and a client sends the same token for up to an hour. A token that passed is
// remembered, keyed by its whole text, until it expires or for at most CACHE_SECONDS (so a key
// withdrawn from the JWKS stops working within that time), at most CACHE_SIZE of them (oldest
// first out). Refused tokens are never remembered.
const CACHE_SECONDS = 300;
const CACHE_SIZE = 10_000;
const verified = new Map<string, { claims: JwtClaims; until: number }>();

function remembered(token: string, now: number): JwtClaims | undefined {
  const entry = verified.get(token);
  if (entry && entry.until > now) return entry.claims;
  if (entry) verified.delete(token);
}

function remember(token: string, claims: JwtClaims, now: number): void {
  if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value!);
  verified.set(token, { claims, until: Math.min(Number(claims.exp), now + CACHE_SECONDS) });
}

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
  const now = Date.now() / 1000;
  const known = remembered(token, now);
  if (known) return known;
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
    remember(token, payload as JwtClaims, now);
    return payload as JwtClaims;
  } catch {
    throw unauthorized('Your session is invalid or has expired. Please sign in again.');
  }
}
