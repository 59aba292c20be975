import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

export interface DevKeys {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A fresh ES256 key pair like the asymmetric signing keys of Supabase Auth. */
export async function createSigningKeys(): Promise<DevKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = crypto.randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  return { kid, privateJwk, publicJwk };
}

export const jwksOf = (keys: DevKeys) => ({ keys: [keys.publicJwk] });

/** An access token shaped like the ones Supabase Auth issues. */
export async function mintAccessToken(
  keys: DevKeys,
  claims: { sub: string; email: string; issuer: string; expiresInSeconds?: number },
): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ email: claims.email, role: 'authenticated', aal: 'aal1' })
    .setProtectedHeader({ alg: 'ES256', kid: keys.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setAudience('authenticated')
    .setIssuer(claims.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresInSeconds ?? 3600))
    .sign(key);
}

export const readKeys = async (file: string): Promise<DevKeys> =>
  JSON.parse(await readFile(file, 'utf8'));

/**
 * The dev stack's signing key, created on first use and kept in `file` so tokens minted before
 * a restart stay valid.
 */
export async function loadOrCreateKeys(file: string): Promise<DevKeys> {
  try {
    return await readKeys(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const keys = await createSigningKeys();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
