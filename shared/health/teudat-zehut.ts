import { config, type HealthKeys } from '../config.ts';
import { hmacHex, seal, sealedKeyId, unseal, UnsealError } from '../crypto/sealing.ts';
import { log } from '../http/logger.ts';

/**
 * The Israeli ID number (teudat zehut): 9 digits, the last a check digit. Written with 5 to 9
 * digits (leading zeros left out), separators `-` and spaces ignored.
 */

/** The 9 digits of a teudat zehut as written, or undefined when it is not 5 to 9 digits. */
export function normaliseTeudatZehut(written: string): string | undefined {
  const digits = written.replace(/[-\s]/g, '');
  return /^\d{5,9}$/.test(digits) ? digits.padStart(9, '0') : undefined;
}

/**
 * The check digit holds: digits weighted 1, 2, 1, 2... from the left, each product's digits
 * summed, the total a multiple of 10. All zeros passes the sum but is nobody's number.
 */
export function hasValidCheckDigit(nineDigits: string): boolean {
  if (!/^\d{9}$/.test(nineDigits) || /^0+$/.test(nineDigits)) return false;
  let total = 0;
  for (let i = 0; i < 9; i++) {
    const product = Number(nineDigits[i]) * (i % 2 === 0 ? 1 : 2);
    total += product > 9 ? product - 9 : product;
  }
  return total % 10 === 0;
}

/** What the CRM shows: the last four digits only. */
export const maskTeudatZehut = (nineDigits: string) => `*****${nineDigits.slice(-4)}`;

/** Whose number it is: the additional data a sealed value is bound to. */
export interface TeudatZehutOwner {
  kind: 'health_profile' | 'relative' | 'patient_record';
  /** The health profile's user id, or the relative's or the patient record's own id. */
  id: string;
}

const boundTo = (owner: TeudatZehutOwner) => `teudat_zehut:${owner.kind}:${owner.id}`;

export class HealthKeysMissing extends Error {
  override readonly name = 'HealthKeysMissing';
  constructor() {
    super('HEALTH_ENCRYPTION_KEYS and HEALTH_HMAC_KEY are not set.');
  }
}

/** The keys of this process; a request that needs them without them fails with a 500. */
export function healthKeys(): HealthKeys {
  const keys = config().healthKeys;
  if (!keys) {
    log('error', 'health_keys_missing', {
      variables: ['HEALTH_ENCRYPTION_KEYS', 'HEALTH_HMAC_KEY'],
    });
    throw new HealthKeysMissing();
  }
  return keys;
}

/** How a teudat zehut is stored: sealed, and its hash to find duplicates without opening it. */
export interface StoredTeudatZehut {
  encrypted: string;
  hash: string;
}

export async function sealTeudatZehut(
  owner: TeudatZehutOwner,
  nineDigits: string,
  keys: HealthKeys = healthKeys(),
): Promise<StoredTeudatZehut> {
  const [encrypted, hash] = await Promise.all([
    seal(keys.encryption, nineDigits, boundTo(owner)),
    hmacHex(keys.hmacKey, nineDigits),
  ]);
  return { encrypted, hash };
}

/**
 * The stored number in clear. A value that does not open (altered, moved to another row, sealed
 * with a key no longer configured) is logged without its value and thrown: the request answers
 * 500, never a wrong number.
 */
export async function openTeudatZehut(
  owner: TeudatZehutOwner,
  encrypted: string,
  keys: HealthKeys = healthKeys(),
): Promise<string> {
  try {
    return await unseal(keys.encryption, encrypted, boundTo(owner));
  } catch (e) {
    if (e instanceof UnsealError) {
      log('error', 'teudat_zehut_unreadable', {
        owner: owner.kind,
        reason: e.reason,
        key_id: e.keyId,
      });
    }
    throw e;
  }
}

/** The same number sealed with the current key; unchanged when it already is. */
export async function resealTeudatZehut(
  owner: TeudatZehutOwner,
  encrypted: string,
  keys: HealthKeys,
): Promise<string> {
  if (sealedKeyId(encrypted) === keys.encryption.currentKeyId) return encrypted;
  const nineDigits = await unseal(keys.encryption, encrypted, boundTo(owner));
  return await seal(keys.encryption, nineDigits, boundTo(owner));
}
