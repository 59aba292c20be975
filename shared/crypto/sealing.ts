import type { HealthEncryptionKeys } from '../config.ts';

/**
 * A value sealed with AES-256-GCM (Web Crypto) as it is stored:
 * `v1.<key id>.<base64 of the 96-bit nonce, the ciphertext and the 128-bit tag>`. The key id
 * travels with the value, so values sealed before a key rotation still open; the additional
 * data (the owner's identity) is not stored but must be given again to open it, so a value
 * copied to another row does not open there.
 */
const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Why a sealed value did not open. Carries no part of the value. */
export type UnsealFailure = 'malformed' | 'unknown_key' | 'not_authentic';

export class UnsealError extends Error {
  override readonly name = 'UnsealError';
  constructor(readonly reason: UnsealFailure, readonly keyId: string | undefined) {
    super('A sealed value could not be opened.');
  }
}

const utf8 = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

// Imported once per key: the raw bytes object is the cache key.
const aesKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  let key = aesKeys.get(raw);
  if (!key) {
    key = crypto.subtle.importKey('raw', new Uint8Array(raw), 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    aesKeys.set(raw, key);
  }
  return key;
}

/** The id of the key a stored value was sealed with, or undefined when it is no sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  const [version, keyId, payload] = sealed.split('.');
  return version === VERSION && keyId && payload ? keyId : undefined;
}

/** Seals `plaintext` with the current key, bound to `additionalData`. */
export async function seal(
  keys: HealthEncryptionKeys,
  plaintext: string,
  additionalData: string,
): Promise<string> {
  const keyId = keys.currentKeyId;
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce, additionalData: utf8.encode(additionalData) },
    await aesKey(keys.keys.get(keyId)!),
    utf8.encode(plaintext),
  );
  const payload = new Uint8Array(NONCE_BYTES + ciphertext.byteLength);
  payload.set(nonce);
  payload.set(new Uint8Array(ciphertext), NONCE_BYTES);
  return `${VERSION}.${keyId}.${toBase64(payload)}`;
}

/**
 * Opens a sealed value with whichever known key sealed it. Throws `UnsealError` when the value
 * is malformed, its key is unknown, or it was altered or moved to other additional data.
 */
export async function unseal(
  keys: HealthEncryptionKeys,
  sealed: string,
  additionalData: string,
): Promise<string> {
  const [version, keyId, encoded, ...rest] = sealed.split('.');
  const payload = encoded === undefined ? undefined : fromBase64(encoded);
  if (version !== VERSION || !keyId || !payload || rest.length > 0) {
    throw new UnsealError('malformed', keyId);
  }
  if (payload.length < NONCE_BYTES + TAG_BYTES) throw new UnsealError('malformed', keyId);
  const raw = keys.keys.get(keyId);
  if (!raw) throw new UnsealError('unknown_key', keyId);
  try {
    const plaintext = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: payload.subarray(0, NONCE_BYTES),
        additionalData: utf8.encode(additionalData),
      },
      await aesKey(raw),
      payload.subarray(NONCE_BYTES),
    );
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch {
    throw new UnsealError('not_authentic', keyId);
  }
}

/** HMAC-SHA-256 of `value`, in lowercase hex. */
export async function hmacHex(key: Uint8Array, value: string): Promise<string> {
  let imported = hmacKeys.get(key);
  if (!imported) {
    imported = crypto.subtle.importKey(
      'raw',
      new Uint8Array(key),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    hmacKeys.set(key, imported);
  }
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await imported, utf8.encode(value)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}
