import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/lib/free-port.ts';
import { ConfigError, parseConfig } from '../../shared/config.ts';
import { paymeClient, PaymeError, type SaleRequest } from '../../shared/payme/client.ts';
import { hasValidSignature, paymeSignature } from '../../shared/payme/signature.ts';
import { startPaymeStandIn } from '../helpers/payme-stand-in.ts';

const SELLER_KEY = 'MPL16148-77043XMH-T5MOWMZB-DDTAZOPP';
const standIn = await startPaymeStandIn(SELLER_KEY);
afterAll(() => standIn.close());
beforeEach(() => standIn.reset());

const client = (options: { sellerKey?: string; timeoutMs?: number; apiUrl?: string } = {}) =>
  paymeClient({
    apiUrl: options.apiUrl ?? standIn.url,
    sellerKey: options.sellerKey ?? SELLER_KEY,
    timeoutMs: options.timeoutMs ?? 2000,
  });

const SALE: SaleRequest = {
  priceAgorot: 15000,
  currency: 'ILS',
  productName: 'Consultation cardiologie',
  transactionId: '6f1c1f0e-5d0a-4c55-9d43-3b4fd1c7e0aa',
  callbackUrl: 'https://abc.supabase.co/functions/v1/payments/webhook',
  returnUrl: 'https://app.dokal.example/payments/done',
  language: 'he',
};

/** The error a call ends with. */
async function failure(call: Promise<unknown>): Promise<PaymeError> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(PaymeError);
    return e as PaymeError;
  }
  throw new Error('The call succeeded');
}

describe('PayMe adapter: generate-sale', () => {
  it('posts the documented JSON fields, typed as PayMe reads them, and reads the sale', async () => {
    const sale = await client().generateSale(SALE);

    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/generate-sale');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.accept).toBe('application/json');
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.parse(request.body)).toStrictEqual({
      seller_payme_id: SELLER_KEY,
      sale_price: 15000,
      currency: 'ILS',
      product_name: 'Consultation cardiologie',
      transaction_id: SALE.transactionId,
      installments: '1',
      sale_callback_url: SALE.callbackUrl,
      sale_return_url: SALE.returnUrl,
      language: 'he',
      sale_type: 'sale',
      sale_payment_method: 'credit-card',
    });

    const stored = standIn.sales.get(sale.paymeSaleId)!;
    expect(sale).toEqual({
      paymeSaleId: stored.payme_sale_id,
      paymeSaleCode: stored.payme_sale_code,
      saleUrl: expect.stringMatching(/\/sale\/generate\/SALE/),
    });
  });

  it('sends Hebrew, English and any text exactly, in UTF-8 JSON', async () => {
    await client().generateSale({
      ...SALE,
      productName: 'ייעוץ "קרדיולוגיה" & co',
      language: 'en',
    });
    const body = JSON.parse(standIn.requests[0].body);
    expect(body.product_name).toBe('ייעוץ "קרדיולוגיה" & co');
    expect(body.language).toBe('en');
  });

  it("reports PayMe's refusal in words, without the seller key it echoed", async () => {
    const e = await failure(client({ sellerKey: 'MPL-WRONG-KEY-0001' }).generateSale(SALE));
    expect(e.failure).toBe('refused');
    expect(e.message).toBe(
      'PayMe refused generate-sale (HTTP 500): Seller [seller key] was not found (error 301).',
    );
    expect(e.message).not.toContain('MPL-WRONG-KEY-0001');
  });

  it('treats status_code 1 in an HTTP 200 as a refusal too', async () => {
    standIn.answerNext({
      json: {
        status_code: 1,
        status_error_details: 'The service was not activated',
        status_error_code: 720,
      },
    });
    const e = await failure(client().generateSale(SALE));
    expect(e.failure).toBe('refused');
    expect(e.message).toContain('The service was not activated (error 720)');
  });

  it('refuses an answer without JSON, or without a sale, as not understood', async () => {
    standIn.answerNext({ status: 502, text: '<html>Bad gateway</html>' });
    expect((await failure(client().generateSale(SALE))).message).toBe(
      'PayMe answered generate-sale with HTTP 502 and no JSON.',
    );
    standIn.answerNext({ json: { status_code: 0, payme_sale_id: 'SALE1' } });
    const e = await failure(client().generateSale(SALE));
    expect(e.failure).toBe('invalid_answer');
    expect(e.message).toBe("PayMe's answer to generate-sale is not understood.");
  });

  it('gives up after the timeout when PayMe does not answer', async () => {
    standIn.answerNext('hang');
    const started = performance.now();
    const e = await failure(client({ timeoutMs: 300 }).generateSale(SALE));
    const waited = performance.now() - started;
    expect(e.failure).toBe('timeout');
    expect(e.message).toBe('PayMe did not answer generate-sale within 300 ms.');
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(2000);
  });

  it('says so when PayMe cannot be reached at all', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/api`;
    const e = await failure(client({ apiUrl: closed }).generateSale(SALE));
    expect(e.failure).toBe('unreachable');
    expect(e.message).toBe('PayMe could not be reached for generate-sale.');
  });
});

describe('PayMe adapter: get-sales', () => {
  it('asks for one sale of this seller and reads its status, price and currency', async () => {
    const { paymeSaleId } = await client().generateSale(SALE);
    standIn.setSale(paymeSaleId, { sale_status: 'completed' });
    standIn.reset();

    expect(await client().getSale(paymeSaleId)).toEqual({
      paymeSaleId,
      status: 'completed',
      priceAgorot: 15000,
      currency: 'ILS',
    });
    const [request] = standIn.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/get-sales');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toStrictEqual({
      seller_payme_id: SELLER_KEY,
      sale_payme_id: paymeSaleId,
    });
  });

  it('answers null for a sale PayMe does not know, and reads prices written as text', async () => {
    expect(await client().getSale('SALE0000-UNKNOWN0-00000000-00000000')).toBeNull();
    standIn.answerNext({
      json: {
        status_code: 0,
        items: [{
          sale_payme_id: 'SALE1',
          sale_status: 'refunded',
          sale_price: '5075',
          sale_currency: 'ILS',
        }],
      },
    });
    expect(await client().getSale('SALE1')).toMatchObject({
      status: 'refunded',
      priceAgorot: 5075,
    });
  });

  it('fails the same ways as generate-sale: refused, not understood, timed out', async () => {
    expect((await failure(client({ sellerKey: 'nope-key-123' }).getSale('SALE1'))).failure).toBe(
      'refused',
    );
    standIn.answerNext({ json: { status_code: 0, items: 'none' } });
    expect((await failure(client().getSale('SALE1'))).failure).toBe('invalid_answer');
    standIn.answerNext('hang');
    expect((await failure(client({ timeoutMs: 200 }).getSale('SALE1'))).failure).toBe('timeout');
  });
});

describe('PayMe notification signature', () => {
  const ids = {
    payme_transaction_id: 'TRAN1635-8638707F-FDCJJP3T-0IJMAP8K',
    payme_sale_id: 'SALE1635-XXXXXXXX-XXXXXXXX-O0POYBAJ',
  };

  it('is the MD5 of the secret, the transaction id and the sale id', () => {
    // echo -n "s3cr3t${payme_transaction_id}${payme_sale_id}" | md5sum
    expect(paymeSignature('s3cr3t', ids.payme_transaction_id, ids.payme_sale_id)).toBe(
      'a55487cb86c00a306a97bf90f66c3b80',
    );
  });

  it('accepts the right one in any case and refuses anything else', () => {
    const good = 'a55487cb86c00a306a97bf90f66c3b80';
    expect(hasValidSignature('s3cr3t', { ...ids, payme_signature: good })).toBe(true);
    expect(hasValidSignature('s3cr3t', { ...ids, payme_signature: good.toUpperCase() })).toBe(true);
    for (
      const bad of [undefined, '', 'abc', `${good}00`, good.replace('a', 'b'), 'z'.repeat(32)]
    ) {
      expect(hasValidSignature('s3cr3t', { ...ids, payme_signature: bad }), String(bad)).toBe(
        false,
      );
    }
    expect(hasValidSignature('other', { ...ids, payme_signature: good })).toBe(false);
    expect(
      hasValidSignature('s3cr3t', { ...ids, payme_sale_id: 'SALE2', payme_signature: good }),
    ).toBe(false);
  });
});

describe('PayMe configuration', () => {
  const MINIMAL = {
    SUPABASE_URL: 'https://abc.supabase.co',
    DATABASE_URL: 'postgres://dokal@127.0.0.1:5432/dokal',
    LOCAL_STORAGE_DIR: '/tmp/dokal-storage',
  };

  it("defaults to PayMe's sandbox and to this project's webhook", () => {
    expect(parseConfig(MINIMAL).payme).toEqual({
      sellerKey: undefined,
      apiUrl: 'https://sandbox.payme.io/api',
      timeoutMs: 10_000,
      signatureSecret: undefined,
      webhookUrl: 'https://abc.supabase.co/functions/v1/payments/webhook',
      returnUrl: undefined,
    });
  });

  it('reads every override, and asks for the return URL with a seller key', () => {
    expect(
      parseConfig({
        ...MINIMAL,
        PAYME_SELLER_KEY: SELLER_KEY,
        PAYME_API_URL: 'https://live.payme.io/api/',
        PAYME_TIMEOUT_MS: '5000',
        PAYME_SIGNATURE_SECRET: 'signing-secret',
        PAYME_WEBHOOK_URL: 'https://api.dokal.example/payments/webhook',
        PAYMENT_RETURN_URL: 'https://app.dokal.example/paid',
      }).payme,
    ).toEqual({
      sellerKey: SELLER_KEY,
      apiUrl: 'https://live.payme.io/api',
      timeoutMs: 5000,
      signatureSecret: 'signing-secret',
      webhookUrl: 'https://api.dokal.example/payments/webhook',
      returnUrl: 'https://app.dokal.example/paid',
    });
    let message = '';
    try {
      parseConfig({ ...MINIMAL, PAYME_SELLER_KEY: SELLER_KEY, PAYME_TIMEOUT_MS: 'soon' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/PAYMENT_RETURN_URL: set it with PAYME_SELLER_KEY/);
    expect(message).toMatch(/PAYME_TIMEOUT_MS/);
    expect(message).not.toContain(SELLER_KEY);
  });
});
