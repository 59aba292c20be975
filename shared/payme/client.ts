/**
 * PayMe (Israel), the payment provider: the two calls the API makes, server to server.
 *
 * What this follows, since PayMe's reference (docs.payme.io, mirrored at payme.stoplight.io) is
 * rendered by JavaScript:
 * - PayMe's "Hosted Payment Page" OpenAPI document and its Postman collection "PayMe API
 *   Collection v1.0.0" (as republished in itadmit/quickrooms, quickpayment.md and
 *   quickpayment_doc.md): `POST <base>/generate-sale` with a JSON body (`seller_payme_id`,
 *   `sale_price` in the currency's minor unit, `currency`, `product_name`, `transaction_id` the
 *   merchant's reference, `installments`, `sale_callback_url`, `sale_return_url`, `language`
 *   'he' or 'en', `sale_type`, `sale_payment_method`), answered `{status_code: 0, sale_url,
 *   payme_sale_id, payme_sale_code, price, currency, transaction_id}` or, refused, `{status_code:
 *   1, status_error_details, status_error_code}`; `POST <base>/get-sales`, whose answer lists
 *   `items` with `sale_payme_id`, `sale_status`, `sale_price` and `sale_currency`; the base URLs
 *   `https://sandbox.payme.io/api` (staging) and `https://live.payme.io/api` (production); the
 *   sale statuses (initial, completed, refunded, partial-refund, authorized, failed, ...).
 * - The open-source Hyperswitch connector (juspay/hyperswitch, crates/router/src/connector/
 *   payme.rs and payme/transformers.rs): `GenerateSaleRequest` with the same fields, the sale
 *   query `PaymeQuerySaleRequest {sale_payme_id, seller_payme_id}` sent to get-sales, and the
 *   notification (IPN) it decodes (see `signature.ts`).
 * No code was copied from either.
 *
 * Every error this module throws is a `PaymeError` whose message names what failed and never
 * carries the seller key (PayMe's own words are scrubbed of it too), so it may be stored as a
 * payment's failure reason.
 */
import { z } from 'zod';
import { config } from '../config.ts';

export interface PaymeOptions {
  /** The API's base, e.g. https://sandbox.payme.io/api (no trailing slash). */
  apiUrl: string;
  /** `seller_payme_id`: the merchant's key with PayMe. A secret. */
  sellerKey: string;
  /** Longest wait for one call, connection and answer included. */
  timeoutMs: number;
}

export type PaymeFailure = 'refused' | 'timeout' | 'unreachable' | 'invalid_answer';

export class PaymeError extends Error {
  constructor(readonly failure: PaymeFailure, message: string) {
    super(message);
    this.name = 'PaymeError';
  }
}

/** The languages of PayMe's payment page. */
export type PaymeLanguage = 'he' | 'en';

export interface SaleRequest {
  /** In agorot. */
  priceAgorot: number;
  currency: 'ILS';
  productName: string;
  /** Our transaction id: PayMe's `transaction_id`, the merchant's reference. */
  transactionId: string;
  callbackUrl: string;
  returnUrl: string;
  language: PaymeLanguage;
}

export interface GeneratedSale {
  paymeSaleId: string;
  paymeSaleCode: number | null;
  saleUrl: string;
}

/** A sale as PayMe's own records (get-sales) describe it. */
export interface SaleRecord {
  paymeSaleId: string;
  status: string;
  priceAgorot: number | null;
  currency: string | null;
}

export interface PaymeClient {
  generateSale(request: SaleRequest): Promise<GeneratedSale>;
  /** The sale, or null when PayMe has no such sale for this seller. */
  getSale(paymeSaleId: string): Promise<SaleRecord | null>;
}

const MAX_DETAIL = 200;

/** A whole number PayMe may write as a number or as text. */
const wholeNumber = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const refusal = z.object({
  status_code: z.union([z.number(), z.string()]).optional(),
  status_error_details: z.unknown().optional(),
  status_error_code: z.unknown().optional(),
});

const generatedSale = z.object({
  status_code: z.union([z.literal(0), z.literal('0')]),
  payme_sale_id: z.string().min(1).max(100),
  sale_url: z.url().max(2000),
  payme_sale_code: wholeNumber.nullish(),
});

const saleList = z.object({
  status_code: z.union([z.literal(0), z.literal('0')]).optional(),
  items: z.array(
    z.object({
      sale_payme_id: z.string(),
      sale_status: z.string(),
      sale_price: wholeNumber.nullish(),
      sale_currency: z.string().nullish(),
    }).loose(),
  ),
});

export function paymeClient(options: PaymeOptions): PaymeClient {
  /** PayMe's words about a refusal, without the seller key and kept short. */
  const scrub = (text: string) =>
    text.replaceAll(options.sellerKey, '[seller key]').replace(/\s+/g, ' ').trim()
      .slice(0, MAX_DETAIL);

  async function post(operation: string, body: Record<string, unknown>): Promise<unknown> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${options.apiUrl}/${operation}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      // The cause's own text is left out: it may quote the request.
      if ((e as Error)?.name === 'TimeoutError') {
        throw new PaymeError(
          'timeout',
          `PayMe did not answer ${operation} within ${options.timeoutMs} ms.`,
        );
      }
      throw new PaymeError('unreachable', `PayMe could not be reached for ${operation}.`);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new PaymeError(
        res.ok ? 'invalid_answer' : 'refused',
        `PayMe answered ${operation} with HTTP ${res.status} and no JSON.`,
      );
    }
    const refused = refusal.safeParse(answer);
    const code = refused.success ? refused.data.status_code : undefined;
    if (!res.ok || (code !== undefined && Number(code) !== 0)) {
      const details = refused.success && refused.data.status_error_details !== undefined
        ? `: ${scrub(String(refused.data.status_error_details))}`
        : '';
      const errorCode = refused.success && refused.data.status_error_code != null
        ? ` (error ${scrub(String(refused.data.status_error_code))})`
        : '';
      throw new PaymeError(
        'refused',
        `PayMe refused ${operation} (HTTP ${res.status})${details}${errorCode}.`,
      );
    }
    return answer;
  }

  function read<T>(operation: string, schema: z.ZodType<T>, answer: unknown): T {
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      throw new PaymeError('invalid_answer', `PayMe's answer to ${operation} is not understood.`);
    }
    return parsed.data;
  }

  return {
    async generateSale(request) {
      const answer = await post('generate-sale', {
        seller_payme_id: options.sellerKey,
        sale_price: request.priceAgorot,
        currency: request.currency,
        product_name: request.productName,
        transaction_id: request.transactionId,
        installments: '1',
        sale_callback_url: request.callbackUrl,
        sale_return_url: request.returnUrl,
        language: request.language,
        sale_type: 'sale',
        sale_payment_method: 'credit-card',
      });
      const sale = read('generate-sale', generatedSale, answer);
      return {
        paymeSaleId: sale.payme_sale_id,
        paymeSaleCode: sale.payme_sale_code ?? null,
        saleUrl: sale.sale_url,
      };
    },

    async getSale(paymeSaleId) {
      const answer = await post('get-sales', {
        seller_payme_id: options.sellerKey,
        sale_payme_id: paymeSaleId,
      });
      const { items } = read('get-sales', saleList, answer);
      const item = items.find((i) => i.sale_payme_id === paymeSaleId);
      if (!item) return null;
      return {
        paymeSaleId: item.sale_payme_id,
        status: item.sale_status,
        priceAgorot: item.sale_price ?? null,
        currency: item.sale_currency ?? null,
      };
    },
  };
}

let configured: PaymeClient | undefined;

/** The client of this process's configuration, or undefined when no seller key is set. */
export function configuredPayme(): PaymeClient | undefined {
  const { sellerKey, apiUrl, timeoutMs } = config().payme;
  if (!sellerKey) return undefined;
  configured ??= paymeClient({ apiUrl, sellerKey, timeoutMs });
  return configured;
}
