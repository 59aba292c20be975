/**
 * The signature PayMe puts on its notifications (`payme_signature`, "MD5 Signature" in PayMe's
 * "Sale Callbacks" table of attributes).
 *
 * PayMe's pages name the field without its formula; the one followed here is the open-source
 * Hyperswitch connector's (juspay/hyperswitch, crates/router/src/connector/payme.rs,
 * `get_webhook_source_verification_message` and `verify_webhook_source`): the lowercase hex MD5
 * of the merchant's signature secret, then `payme_transaction_id`, then `payme_sale_id`, all
 * concatenated. (Hyperswitch keeps that secret in two configuration parts that it concatenates
 * in front of the ids; here it is one variable, `PAYME_SIGNATURE_SECRET`.) No code was copied.
 *
 * A valid signature only says the notification came from someone holding the secret; the
 * webhook still asks PayMe itself (get-sales) before it changes anything.
 */
import { Buffer } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';

export function paymeSignature(
  secret: string,
  paymeTransactionId: string,
  paymeSaleId: string,
): string {
  return createHash('md5').update(`${secret}${paymeTransactionId}${paymeSaleId}`, 'utf8')
    .digest('hex');
}

/** Whether `signature` is the one of these ids, compared in constant time. */
export function hasValidSignature(
  secret: string,
  fields: { payme_signature?: string; payme_transaction_id?: string; payme_sale_id: string },
): boolean {
  const sent = fields.payme_signature?.trim().toLowerCase() ?? '';
  if (!/^[0-9a-f]{32}$/.test(sent)) return false;
  const expected = paymeSignature(secret, fields.payme_transaction_id ?? '', fields.payme_sale_id);
  return timingSafeEqual(Buffer.from(sent, 'hex'), Buffer.from(expected, 'hex'));
}
