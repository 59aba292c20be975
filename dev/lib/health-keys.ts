import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The two variables the functions read their health keys from (shared/config.ts). */
export interface HealthKeyVariables {
  HEALTH_ENCRYPTION_KEYS: string;
  HEALTH_HMAC_KEY: string;
}

const randomBase64 = (bytes: number) =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));

/** A fresh AES-256 key named `keyId`, as one entry of HEALTH_ENCRYPTION_KEYS. */
export const newEncryptionKey = (keyId: string) => `${keyId}:${randomBase64(32)}`;

/** Fresh keys: one encryption key, current, and the HMAC key of the teudat zehut's hash. */
export function createHealthKeys(keyId = 'dev-1'): HealthKeyVariables {
  return { HEALTH_ENCRYPTION_KEYS: newEncryptionKey(keyId), HEALTH_HMAC_KEY: randomBase64(32) };
}

/**
 * The dev stack's health keys, created on first use and kept in `file` (like its signing key),
 * so what was stored before a restart still opens.
 */
export async function loadOrCreateHealthKeys(file: string): Promise<HealthKeyVariables> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const keys = createHealthKeys();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
