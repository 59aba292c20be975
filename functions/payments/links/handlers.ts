import type { RouteHandler } from '@hono/zod-openapi';
import { currentUser } from '../../../shared/auth/middleware.ts';
import { config } from '../../../shared/config.ts';
import { asUser } from '../../../shared/db/as-user.ts';
import type { AppEnv } from '../../../shared/http/env.ts';
import { conflict, paymentProviderError } from '../../../shared/http/errors.ts';
import { sendJsonText } from '../../../shared/http/json-text.ts';
import { log } from '../../../shared/http/logger.ts';
import { configuredPayme, type GeneratedSale, PaymeError } from '../../../shared/payme/client.ts';
import { failPayment, openPayment, recordSale } from './queries.ts';
import type * as routes from './routes.ts';

/**
 * Three short steps, so no database transaction waits on PayMe: the pending payment (its own
 * transaction), generate-sale, then the sale or the failure on the payment.
 */
export const createLink: RouteHandler<typeof routes.createLink, AppEnv> = async (c) => {
  const user = currentUser(c);
  const link = c.req.valid('json');
  const payme = configuredPayme();
  const { webhookUrl, returnUrl } = config().payme;
  if (!payme || !returnUrl) {
    throw paymentProviderError('Online payment is not available at the moment.');
  }
  const [opened] = await asUser(user.claims, (tx) => openPayment(tx, link));
  let sale: GeneratedSale;
  try {
    sale = await payme.generateSale({
      priceAgorot: link.amount,
      currency: 'ILS',
      productName: link.description,
      transactionId: opened.id,
      callbackUrl: webhookUrl,
      returnUrl,
      language: opened.locale === 'he' ? 'he' : 'en',
    });
  } catch (e) {
    if (!(e instanceof PaymeError)) throw e;
    // The reason is PayMe's, scrubbed of the seller key by the adapter; the log names the kind.
    await asUser(user.claims, (tx) => failPayment(tx, opened.id, e.message));
    log('error', 'payme_generate_sale_failed', {
      request_id: c.get('requestId'),
      payment_id: opened.id,
      failure: e.failure,
    });
    throw paymentProviderError(
      'We could not open the payment page. Please try again in a moment.',
    );
  }
  const [recorded] = await asUser(user.claims, (tx) => recordSale(tx, opened.id, sale));
  if (!recorded) throw conflict('This payment is no longer pending.');
  return sendJsonText(c, recorded.payment, 201);
};
