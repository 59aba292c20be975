import type { Context } from 'hono';
import type { RouteHandler } from '@hono/zod-openapi';
import { z } from 'zod';
import { config } from '../../../shared/config.ts';
import { systemDb } from '../../../shared/db/client.ts';
import { clientAddress } from '../../../shared/http/client-address.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import {
  ApiError,
  badRequest,
  conflict,
  forbidden,
  notFound,
  paymentProviderError,
  validationFailed,
} from '../../../shared/http/errors.ts';
import { log } from '../../../shared/http/logger.ts';
import { configuredPayme, PaymeError, type SaleRecord } from '../../../shared/payme/client.ts';
import { hasValidSignature } from '../../../shared/payme/signature.ts';
import {
  applyNotification,
  findPayment,
  type Outcome,
  type Received,
  recordNotification,
} from './queries.ts';
import { type Notification, notificationSchema, RECORDED_FIELDS, SETTLING } from './schemas.ts';
import type * as routes from './routes.ts';

const MAX_RECORDED_VALUE = 200;
const MAX_OTHER_NAMES = 50;

/** The body's fields as text, or why it cannot be read. */
async function readFields(
  c: Context<AppEnv>,
): Promise<Record<string, string> | 'malformed' | 'unsupported_media_type'> {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const form = mediaType === 'application/x-www-form-urlencoded';
  const json = /^application\/([\w.-]+\+)?json$/.test(mediaType);
  if (!form && !json) return 'unsupported_media_type';
  const text = await c.req.text();
  if (form) return Object.fromEntries(new URLSearchParams(text));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'malformed';
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null || value === undefined) continue;
    fields[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return fields;
}

/** What is kept of the fields: those describing the sale, shortened; the others by name. */
function keptFields(fields: Record<string, string>): Received['fields'] {
  const kept: Received['fields'] = {};
  const others: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (RECORDED_FIELDS.has(key)) kept[key] = value.slice(0, MAX_RECORDED_VALUE);
    else others.push(key.slice(0, 50));
  }
  if (others.length > 0) kept.other_fields = others.sort().slice(0, MAX_OTHER_NAMES);
  return kept;
}

/** A field PayMe left blank is a field it did not send. */
const present = (fields: Record<string, string>) =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== ''));

const knownText = (value: string | undefined, max: number) =>
  value !== undefined && value.length <= max ? value : null;

const answer = (c: Context<AppEnv>, outcome: 'processed' | 'replay' | 'ignored') =>
  c.json({ outcome }, 200);

/**
 * PayMe's notification. It changes a payment only when the sale is ours, the signature is valid
 * (when a secret is configured), the notification names our payment and its amount, and PayMe
 * itself (get-sales, server to server) confirms the status, amount and currency. A replay of a
 * processed notification answers 200 and changes nothing. Anything else is recorded with its
 * outcome and answered 4xx, or 502 when PayMe could not be asked (so that PayMe retries).
 */
export const receive: RouteHandler<typeof routes.receive, AppEnv> = async (c) => {
  const sql = systemDb();
  const read = await readFields(c);
  const fields = typeof read === 'string' ? {} : present(read);
  const received: Received = {
    saleId: knownText(fields.payme_sale_id, 100),
    notifyType: knownText(fields.notify_type, 50),
    fields: keptFields(fields),
    clientAddress: clientAddress(c.req.header('x-forwarded-for'), config().trustedProxyHops),
  };
  /** Records the notification as changing nothing, then answers `error`. */
  const refuse = async (
    outcome: Outcome,
    error: ApiError,
    detail: string | null = null,
    paymentId: string | null = null,
  ): Promise<never> => {
    await recordNotification(sql, received, outcome, detail, paymentId);
    throw error;
  };

  if (read === 'unsupported_media_type') {
    return await refuse(
      read,
      new ApiError(415, 'unsupported_media_type', 'Send the notification as a form or as JSON.'),
    );
  }
  if (read === 'malformed') {
    return await refuse(read, badRequest('The notification is not a form or JSON object.'));
  }
  const parsed = notificationSchema.safeParse(fields);
  if (!parsed.success) {
    const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
    return await refuse(
      'malformed',
      validationFailed(fieldErrors, 'This is not a PayMe notification we can read.'),
      `Invalid: ${Object.keys(fieldErrors).sort().join(', ')}`,
    );
  }
  const notification: Notification = parsed.data;
  const sale = {
    ...received,
    saleId: notification.payme_sale_id,
    notifyType: notification.notify_type,
  };

  const secret = config().payme.signatureSecret;
  if (secret !== undefined && !hasValidSignature(secret, notification)) {
    return await refuse('bad_signature', forbidden('The notification signature is not valid.'));
  }

  const payment = await findPayment(sql, sale.saleId, sale.notifyType);
  if (!payment) {
    return await refuse('unknown_sale', notFound('We know no payment with this sale.'));
  }
  // PayMe retries a notification until it is acknowledged: answered from our record, before
  // PayMe is asked anything.
  if (payment.replay) return answer(c, 'replay');
  const refuseFor = (outcome: Outcome, error: ApiError, detail: string | null = null) =>
    refuse(outcome, error, detail, payment.id);
  if (
    notification.transaction_id !== undefined &&
    notification.transaction_id.toLowerCase() !== payment.id
  ) {
    return await refuseFor(
      'reference_mismatch',
      conflict('This notification names another payment.'),
    );
  }
  const mismatch = conflict('The amount or the currency does not match the payment.');
  if (
    Number(notification.price) !== payment.amount_agorot ||
    notification.currency.toUpperCase() !== payment.currency
  ) {
    return await refuseFor('amount_mismatch', mismatch, 'In the notification.');
  }
  const status = SETTLING[notification.notify_type];
  if (status === undefined) {
    await recordNotification(sql, received, 'ignored', null, payment.id);
    return answer(c, 'ignored');
  }

  const unavailable = paymentProviderError(
    'PayMe could not confirm this notification right now. Please send it again later.',
  );
  const payme = configuredPayme();
  if (!payme) {
    return await refuseFor('provider_unavailable', unavailable, 'PayMe is not configured.');
  }
  let record: SaleRecord | null;
  try {
    record = await payme.getSale(sale.saleId);
  } catch (e) {
    if (!(e instanceof PaymeError)) throw e;
    log('error', 'payme_get_sales_failed', {
      request_id: c.get('requestId'),
      payment_id: payment.id,
      failure: e.failure,
    });
    return await refuseFor('provider_unavailable', unavailable, e.message);
  }
  const unconfirmed = conflict('PayMe does not confirm this notification.');
  if (!record) return await refuseFor('not_confirmed', unconfirmed, 'PayMe knows no such sale.');
  if (record.status !== status) {
    return await refuseFor(
      'not_confirmed',
      unconfirmed,
      `PayMe's sale status is ${record.status.slice(0, 50)}.`,
    );
  }
  if (record.priceAgorot !== payment.amount_agorot || record.currency?.toUpperCase() !== 'ILS') {
    return await refuseFor('amount_mismatch', mismatch, "In PayMe's record of the sale.");
  }

  const outcome = await applyNotification(
    sql,
    sale,
    status,
    status === 'failed' ? notification.status_error_details ?? 'PayMe declined the payment.' : null,
  );
  if (outcome === 'refused_transition') {
    throw conflict('This payment cannot take this status any more.');
  }
  return answer(c, outcome);
};
