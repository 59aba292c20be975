import { generateKeyPair, importJWK, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { inject } from 'vitest';
import { db } from '../helpers/db.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { TEST_SUPABASE_URL } from '../setup.ts';

export const ISSUER = `${TEST_SUPABASE_URL}/auth/v1`;

/** The claims Supabase Auth puts in an access token, valid for an hour from now. */
export function supabaseClaims(sub: string, overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub,
    aud: 'authenticated',
    iss: ISSUER,
    iat: now,
    exp: now + 3600,
    role: 'authenticated',
    email: `${sub}@test.dokal.local`,
    ...overrides,
  };
}

/** Signs with the test run's real signing key (the one in SUPABASE_JWKS), kid included. */
export async function signWithTestKey(payload: JWTPayload): Promise<string> {
  const keys = inject('keys');
  return await new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: keys.kid, typ: 'JWT' })
    .sign(await importJWK(keys.privateJwk, 'ES256'));
}

/** Signs with a key pair nobody trusts, under whatever kid the caller claims. */
export async function signWithStrangerKey(payload: JWTPayload, kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(
    privateKey,
  );
}

export async function signHs256(payload: JWTPayload, secret: string | Uint8Array): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

export const unsigned = (payload: JWTPayload) => new UnsecuredJWT(payload).encode();

/**
 * Requests that never reach a handler: missing, malformed, forged, expired and otherwise refused
 * tokens, each answered 401 in the contract's shape. For `owner`'s own id where a token names one.
 */
export async function refusedTokens(
  owner: TestUser,
): Promise<Array<[string, Record<string, string>]>> {
  const now = Math.floor(Date.now() / 1000);
  const gone = await createUser();
  await db`delete from auth.users where id = ${gone.id}`;
  return [
    ['no token', {}],
    ['another scheme', { authorization: `Basic ${btoa('noa:secret')}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['a token that is no JWT', { authorization: 'Bearer not-a-jwt' }],
    [
      'an expired token',
      {
        authorization: `Bearer ${await signWithTestKey(
          supabaseClaims(owner.id, { iat: now - 7200, exp: now - 3600 }),
        )}`,
      },
    ],
    [
      'a token signed by a stranger',
      {
        authorization: `Bearer ${await signWithStrangerKey(
          supabaseClaims(owner.id),
          inject('keys').kid,
        )}`,
      },
    ],
    [
      'a token for another audience',
      {
        authorization: `Bearer ${await signWithTestKey(supabaseClaims(owner.id, { aud: 'anon' }))}`,
      },
    ],
    ['an unsigned token', { authorization: `Bearer ${unsigned(supabaseClaims(owner.id))}` }],
    ['the token of a deleted account', { authorization: `Bearer ${gone.token}` }],
  ];
}
