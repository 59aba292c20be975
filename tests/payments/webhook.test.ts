import { beforeEach, describe, expect, it } from 'vitest';
import { paymeSignature } from '../../shared/payme/signature.ts';
import { db, snapshot } from '../helpers/db.ts';
import { call, type CallResult } from '../helpers/http.ts';
import { openPractice } from '../helpers/practice.ts';
import type { TestUser } from '../helpers/users.ts';
import { paymeEnvironment } from './env.ts';
import { expectRefusal, pastAppointment, patient, PAYMENT_TABLES } from './helpers.ts';

const SECRET = 'whsec-dokal-test-0123456789';
const standIn = await paymeEnvironment({ signatureSecret: SECRET, timeoutMs: 400 });
const { app } = await import('../../functions/payments/app.ts');
beforeEach(() => standIn.reset());

interface Payment {
  id: string;
  saleId: string;
  user: TestUser;
  appointmentId: string | null;
}

/** A pending payment of 150 ILS opened through the API, with its PayMe sale. */
async function openPayment(options: { appointment?: boolean; amount?: number } = {}) {
  const user = await patient();
  let appointmentId: string | null = null;
  if (options.appointment) {
    const practice = await openPractice();
    appointmentId = await pastAppointment(user, practice.id);
  }
  const res = await call(app, 'POST', '/payments/create-link', {
    token: user.token,
    json: {
      amount: options.amount ?? 15000,
      description: 'Consultation',
      appointment_id: appointmentId,
    },
  });
  expect(res.status).toBe(201);
  standIn.reset();
  return { id: res.body.id, saleId: res.body.payme_sale_id, user, appointmentId } as Payment;
}

let transactions = 0;

/** PayMe's notification of `payment`, signed, with these fields changed. */
function notification(
  payment: Payment,
  notifyType = 'sale-complete',
  changes: Record<string, string | undefined> = {},
): Record<string, string> {
  transactions += 1;
  const paymeTransactionId = `TRAN1700-${String(transactions).padStart(8, '0')}-TESTTEST-00000001`;
  const fields: Record<string, string | undefined> = {
    status_code: '0',
    notify_type: notifyType,
    sale_created: '2026-12-01 10:00:00',
    transaction_id: payment.id,
    payme_sale_id: payment.saleId,
    payme_sale_code: '20000001',
    payme_transaction_id: paymeTransactionId,
    price: '15000',
    currency: 'ILS',
    sale_status: notifyType === 'refund' ? 'refunded' : 'completed',
    payme_transaction_card_brand: 'Visa',
    buyer_card_mask: '458045******4580',
    buyer_name: 'Noa Cohen',
    buyer_email: 'noa@example.com',
    buyer_phone: '0540000000',
    buyer_social_id: '000000018',
    buyer_key: 'BUYER168-SECRET00-TOKEN000-WQIWVVLB',
    installments: '1',
    is_token_sale: '0',
    payme_signature: paymeSignature(SECRET, paymeTransactionId, payment.saleId),
    ...changes,
  };
  return Object.fromEntries(
    Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/** Posts a notification as PayMe does: a form, from PayMe's address. */
const notify = (fields: Record<string, string>, address = '2001:db8:d0c::7') =>
  call(app, 'POST', '/payments/webhook', {
    body: new URLSearchParams(fields).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': address,
    },
  });

const post = (body: string, contentType: string) =>
  call(app, 'POST', '/payments/webhook', {
    body,
    headers: { 'content-type': contentType, 'x-forwarded-for': '2001:db8:d0c::7' },
  });

async function statusOf(payment: Payment) {
  const [row] = await db`
    select status::text, failure_reason from public.payment_transactions where id = ${payment.id}`;
  return row.status as string;
}

interface Recorded {
  payme_sale_id: string | null;
  notify_type: string | null;
  transaction_id: string | null;
  outcome: string;
  detail: string | null;
  fields: Record<string, unknown>;
  client_address: string | null;
}

async function recordedFor(saleId: string): Promise<Recorded[]> {
  return await db<Recorded[]>`
    select payme_sale_id, notify_type, transaction_id, outcome, detail, fields, client_address
    from private.payme_notifications where payme_sale_id = ${saleId} order by id`;
}

async function paymentEvents(payment: Payment) {
  return await db`
    select user_id, payload from private.events
    where event = 'payment:updated' and payload ->> 'id' = ${payment.id}`;
}

const getSalesCalls = () => standIn.requests.filter((r) => r.path === '/api/get-sales').length;

function expectAnswer(res: CallResult, outcome: string) {
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ outcome });
}

describe('POST /payments/webhook: a genuine notification', () => {
  it('completes the payment once PayMe confirms it, records it, and tells the patient', async () => {
    const payment = await openPayment({ appointment: true });
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    const fields = notification(payment);
    expectAnswer(await notify(fields), 'processed');

    expect(await statusOf(payment)).toBe('completed');
    expect(getSalesCalls()).toBe(1);
    expect(JSON.parse(standIn.requests[0].body)).toEqual({
      seller_payme_id: standIn.sellerKey,
      sale_payme_id: payment.saleId,
    });
    const [record] = await recordedFor(payment.saleId);
    expect(record).toEqual({
      payme_sale_id: payment.saleId,
      notify_type: 'sale-complete',
      transaction_id: payment.id,
      outcome: 'processed',
      detail: null,
      client_address: '2001:db8:d0c::7',
      fields: {
        status_code: '0',
        notify_type: 'sale-complete',
        sale_created: '2026-12-01 10:00:00',
        transaction_id: payment.id,
        payme_sale_id: payment.saleId,
        payme_sale_code: '20000001',
        payme_transaction_id: fields.payme_transaction_id,
        price: '15000',
        currency: 'ILS',
        sale_status: 'completed',
        payme_transaction_card_brand: 'Visa',
        installments: '1',
        is_token_sale: '0',
        // Kept by name only: the signature, the buyer's token and personal details.
        other_fields: [
          'buyer_card_mask',
          'buyer_email',
          'buyer_key',
          'buyer_name',
          'buyer_phone',
          'buyer_social_id',
          'payme_signature',
        ],
      },
    });
    const stored = JSON.stringify(
      await db`select * from private.payme_notifications
      where payme_sale_id = ${payment.saleId}`,
    );
    for (const secret of [fields.payme_signature, fields.buyer_key, 'noa@example.com', SECRET]) {
      expect(stored).not.toContain(secret);
    }
    expect(await paymentEvents(payment)).toEqual([{
      user_id: payment.user.id,
      payload: { id: payment.id, status: 'completed', appointment_id: payment.appointmentId },
    }]);
  });

  it('takes JSON too, and a failed payment records why', async () => {
    const payment = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'failed' });
    const res = await call(app, 'POST', '/payments/webhook', {
      json: {
        ...notification(payment, 'sale-failure', {
          status_code: '1',
          status_error_details: 'Card declined',
        }),
        price: 15000,
      },
    });
    expectAnswer(res, 'processed');
    const [row] = await db`
      select status::text, failure_reason from public.payment_transactions where id = ${payment.id}`;
    expect(row).toEqual({ status: 'failed', failure_reason: 'Card declined' });
    // The buyer tries again on the same page and pays.
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    expectAnswer(await notify(notification(payment)), 'processed');
    expect(await statusOf(payment)).toBe('completed');
  });

  it('refunds after completion: both recorded, the payment refunded', async () => {
    const payment = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    expectAnswer(await notify(notification(payment)), 'processed');
    standIn.setSale(payment.saleId, { sale_status: 'refunded' });
    expectAnswer(await notify(notification(payment, 'refund')), 'processed');
    expect(await statusOf(payment)).toBe('refunded');
    expect((await recordedFor(payment.saleId)).map((r) => [r.notify_type, r.outcome])).toEqual([
      ['sale-complete', 'processed'],
      ['refund', 'processed'],
    ]);
    // A late copy of the completion is a replay: the refund stands.
    expectAnswer(await notify(notification(payment)), 'replay');
    expect(await statusOf(payment)).toBe('refunded');
  });

  it('acknowledges the kinds of notification Dokal does not act on, changing nothing', async () => {
    const payment = await openPayment();
    for (const type of ['sale-authorized', 'sale-chargeback', 'sale-chargeback-refund']) {
      expectAnswer(await notify(notification(payment, type)), 'ignored');
    }
    expect(await statusOf(payment)).toBe('pending');
    expect(getSalesCalls()).toBe(0);
    expect((await recordedFor(payment.saleId)).map((r) => r.outcome)).toEqual([
      'ignored',
      'ignored',
      'ignored',
    ]);
  });

  it("counts each call against the sender's address, as public routes do", async () => {
    const payment = await openPayment();
    const address = `2001:db8:d0c::${crypto.randomUUID().slice(0, 4)}`;
    const res = await notify(notification(payment, 'sale-authorized'), address);
    expect(res.headers.get('ratelimit-limit')).toBe('100000');
    const [counter] = await db`
      select hits from private.rate_limit_counters where key = ${`ip:${address}`}`;
    expect(counter.hits).toBe(1);
  });
});

describe('POST /payments/webhook: what it refuses', () => {
  it('refuses a forged completion that PayMe does not confirm; the genuine one still counts', async () => {
    const payment = await openPayment({ appointment: true });
    // PayMe's record: the sale was never paid.
    const forged = await notify(notification(payment));
    expectRefusal(forged, 409);
    expect(forged.body.error.message).toBe('PayMe does not confirm this notification.');
    expect(await statusOf(payment)).toBe('pending');
    expect(await paymentEvents(payment)).toEqual([]);
    standIn.setSale(payment.saleId, { sale_status: 'failed' });
    expectRefusal(await notify(notification(payment)), 409);
    expect(await statusOf(payment)).toBe('pending');

    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    expectAnswer(await notify(notification(payment)), 'processed');
    expect(await statusOf(payment)).toBe('completed');
    expect((await recordedFor(payment.saleId)).map((r) => [r.outcome, r.detail])).toEqual([
      ['not_confirmed', "PayMe's sale status is initial."],
      ['not_confirmed', "PayMe's sale status is failed."],
      ['processed', null],
    ]);
  });

  it('refuses a sale PayMe does not know, though the signature is right', async () => {
    const payment = await openPayment();
    standIn.sales.delete(payment.saleId);
    const res = await notify(notification(payment));
    expectRefusal(res, 409);
    expect(await statusOf(payment)).toBe('pending');
    expect((await recordedFor(payment.saleId)).map((r) => [r.outcome, r.detail])).toEqual([
      ['not_confirmed', 'PayMe knows no such sale.'],
    ]);
  });

  it('refuses an amount or a currency that differs, in the notification or at PayMe', async () => {
    const payment = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    const cases: Array<[string, Record<string, string>, Record<string, unknown>?]> = [
      ['a lower price in the notification', { price: '1500' }],
      ['another currency in the notification', { currency: 'USD' }],
      ['a lower price at PayMe', {}, { sale_price: 1500 }],
      ['another currency at PayMe', {}, { sale_currency: 'USD' }],
    ];
    for (const [name, changes, atPayme] of cases) {
      standIn.setSale(payment.saleId, { sale_price: 15000, sale_currency: 'ILS', ...atPayme });
      const res = await notify(notification(payment, 'sale-complete', changes));
      expectRefusal(res, 409, name);
      expect(res.body.error.message, name).toBe(
        'The amount or the currency does not match the payment.',
      );
      expect(await statusOf(payment), name).toBe('pending');
    }
    expect((await recordedFor(payment.saleId)).map((r) => [r.outcome, r.detail])).toEqual([
      ['amount_mismatch', 'In the notification.'],
      ['amount_mismatch', 'In the notification.'],
      ['amount_mismatch', "In PayMe's record of the sale."],
      ['amount_mismatch', "In PayMe's record of the sale."],
    ]);
    // The notifications that named wrong figures never reached PayMe.
    expect(getSalesCalls()).toBe(2);
  });

  it('refuses an unknown sale with 404, recording it', async () => {
    const saleId = 'SALE1700-UNKNOWN0-00000000-00000001';
    const fields = notification({ id: crypto.randomUUID(), saleId } as Payment);
    const res = await notify(fields);
    expectRefusal(res, 404);
    expect(res.body.error.message).toBe('We know no payment with this sale.');
    expect(await recordedFor(saleId)).toEqual([
      expect.objectContaining({ outcome: 'unknown_sale', transaction_id: null }),
    ]);
    expect(getSalesCalls()).toBe(0);
  });

  it('refuses a bad or missing signature with 403, before anything is looked up', async () => {
    const payment = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    const other = await openPayment();
    const signatures: Array<[string, string | undefined]> = [
      ['missing', undefined],
      ['empty', ''],
      ['not hex', 'not-a-signature'],
      ['of another sale', paymeSignature(SECRET, 'TRAN1', other.saleId)],
      ['with another secret', paymeSignature('guess', 'TRAN1', payment.saleId)],
    ];
    for (const [name, signature] of signatures) {
      const fields = notification(payment, 'sale-complete', {
        payme_transaction_id: 'TRAN1',
        payme_signature: signature,
      });
      const res = await notify(fields);
      expectRefusal(res, 403, name);
      expect(res.body.error.code, name).toBe('forbidden');
    }
    // The right signature over other ids does not carry over to a changed transaction id.
    const moved = notification(payment);
    moved.payme_transaction_id = 'TRAN9999-CHANGED0-00000000-00000000';
    expectRefusal(await notify(moved), 403);
    expect(await statusOf(payment)).toBe('pending');
    expect(getSalesCalls()).toBe(0);
    expect((await recordedFor(payment.saleId)).map((r) => r.outcome)).toEqual(
      Array(6).fill('bad_signature'),
    );
  });

  it('refuses a notification naming another of our payments as its reference', async () => {
    const payment = await openPayment();
    const other = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    const res = await notify(notification(payment, 'sale-complete', { transaction_id: other.id }));
    expectRefusal(res, 409);
    expect(await statusOf(payment)).toBe('pending');
    expect(await statusOf(other)).toBe('pending');
    expect((await recordedFor(payment.saleId)).map((r) => r.outcome)).toEqual([
      'reference_mismatch',
    ]);
  });

  it('refuses a step the status machine forbids: a completed payment does not fail', async () => {
    const payment = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    expectAnswer(await notify(notification(payment)), 'processed');
    standIn.setSale(payment.saleId, { sale_status: 'failed' });
    const res = await notify(notification(payment, 'sale-failure'));
    expectRefusal(res, 409);
    expect(await statusOf(payment)).toBe('completed');
    expect((await recordedFor(payment.saleId)).map((r) => [r.outcome, r.detail])).toEqual([
      ['processed', null],
      ['refused_transition', 'This payment is already completed.'],
    ]);
  });

  it('answers 502 when PayMe cannot be asked, so PayMe retries, and the retry counts', async () => {
    const payment = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    standIn.answerNext('hang');
    const res = await notify(notification(payment));
    expectRefusal(res, 502);
    expect(res.body.error.code).toBe('payment_provider_error');
    expect(JSON.stringify(res.body)).not.toContain(standIn.sellerKey);
    expect(await statusOf(payment)).toBe('pending');
    expectAnswer(await notify(notification(payment)), 'processed');
    expect((await recordedFor(payment.saleId)).map((r) => [r.outcome, r.detail])).toEqual([
      ['provider_unavailable', 'PayMe did not answer get-sales within 400 ms.'],
      ['processed', null],
    ]);
  });
});

describe('POST /payments/webhook: replays', () => {
  it('answers a replay 200 from its record, changing nothing and asking PayMe nothing', async () => {
    const payment = await openPayment({ appointment: true });
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    const fields = notification(payment);
    expectAnswer(await notify(fields), 'processed');
    standIn.reset();
    // PayMe's records change meanwhile: a replay still changes nothing.
    standIn.setSale(payment.saleId, { sale_status: 'refunded' });
    const before = await snapshot(PAYMENT_TABLES);
    for (let i = 0; i < 3; i++) expectAnswer(await notify(fields), 'replay');
    expectAnswer(await notify(notification(payment)), 'replay');
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
    expect(standIn.requests).toEqual([]);
    expect(await statusOf(payment)).toBe('completed');
    expect(await paymentEvents(payment)).toHaveLength(1);
  });

  it('makes exactly one transition of identical notifications arriving at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const payment = await openPayment({ appointment: true });
      standIn.setSale(payment.saleId, { sale_status: 'completed' });
      const fields = notification(payment);
      const answers = await Promise.all(Array.from({ length: 6 }, () => notify(fields)));
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
      const outcomes = answers.map((a) => a.body.outcome).sort();
      expect(outcomes.filter((o) => o === 'processed')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'replay')).toHaveLength(5);
      expect(await statusOf(payment)).toBe('completed');
      expect((await recordedFor(payment.saleId)).map((r) => r.outcome)).toEqual(['processed']);
      expect(await paymentEvents(payment)).toHaveLength(1);
    }
  });
});

describe('POST /payments/webhook: bad bodies', () => {
  it('refuses every malformed notification with 4xx in the contract shape, recording each', async () => {
    const payment = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    const good = notification(payment);
    const without = (key: string) => {
      const copy = { ...good };
      delete copy[key];
      return new URLSearchParams(copy).toString();
    };
    const form = (changes: Record<string, string>) =>
      new URLSearchParams({ ...good, ...changes }).toString();
    const FORM = 'application/x-www-form-urlencoded';
    const bodies: Array<[string, string, string, number]> = [
      ['no sale id', without('payme_sale_id'), FORM, 400],
      ['no notification type', without('notify_type'), FORM, 400],
      ['an unknown notification type', form({ notify_type: 'sale-teleported' }), FORM, 400],
      ['no price', without('price'), FORM, 400],
      ['a price in shekels', form({ price: '150.00' }), FORM, 400],
      ['a negative price', form({ price: '-15000' }), FORM, 400],
      ['a currency of four letters', form({ currency: 'ILSX' }), FORM, 400],
      ['a sale id with spaces', form({ payme_sale_id: 'SALE 1' }), FORM, 400],
      ['a sale id too long', form({ payme_sale_id: 'S'.repeat(101) }), FORM, 400],
      ['an empty form', '', FORM, 400],
      ['a form that is not one', '%%%&&&===', FORM, 400],
      ['broken JSON', '{"payme_sale_id":', 'application/json', 400],
      ['a JSON array', JSON.stringify([good]), 'application/json', 400],
      ['a JSON string', JSON.stringify('sale-complete'), 'application/json', 400],
      [
        'JSON with a nested price',
        JSON.stringify({ ...good, price: { v: 1 } }),
        'application/json',
        400,
      ],
      ['plain text', new URLSearchParams(good).toString(), 'text/plain', 415],
      ['no content type', new URLSearchParams(good).toString(), '', 415],
    ];
    const before = await snapshot(PAYMENT_TABLES);
    for (const [name, body, type, status] of bodies) {
      const res = await post(body, type);
      expectRefusal(res, status, name);
    }
    expect(await statusOf(payment)).toBe('pending');
    expect(getSalesCalls()).toBe(0);
    const after = await snapshot(PAYMENT_TABLES);
    // Only the record of each: nothing else was written.
    expect(after).toEqual({
      ...before,
      'private.payme_notifications': before['private.payme_notifications'] + bodies.length,
    });
    const outcomes = await db<{ outcome: string; n: number }[]>`
      select outcome, count(*)::int as n from (
        select outcome from private.payme_notifications order by id desc limit ${bodies.length}
      ) last group by outcome order by outcome`;
    expect(outcomes).toEqual([
      { outcome: 'malformed', n: bodies.length - 2 },
      { outcome: 'unsupported_media_type', n: 2 },
    ]);
    const named = await db`
      select notify_type, detail from private.payme_notifications
      where payme_sale_id = ${payment.saleId} and outcome = 'malformed' order by id`;
    expect(named).toEqual([
      { notify_type: null, detail: 'Invalid: notify_type' },
      { notify_type: 'sale-teleported', detail: 'Invalid: notify_type' },
      { notify_type: 'sale-complete', detail: 'Invalid: price' },
      { notify_type: 'sale-complete', detail: 'Invalid: price' },
      { notify_type: 'sale-complete', detail: 'Invalid: price' },
      { notify_type: 'sale-complete', detail: 'Invalid: currency' },
      { notify_type: 'sale-complete', detail: 'Invalid: price' },
    ]);
  });

  it('refuses an oversized body with 413 before reading it, recording nothing', async () => {
    const payment = await openPayment();
    standIn.setSale(payment.saleId, { sale_status: 'completed' });
    const before = await snapshot(PAYMENT_TABLES);
    const res = await notify({ ...notification(payment), padding: 'x'.repeat(17 * 1024) });
    expectRefusal(res, 413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
    expect(await statusOf(payment)).toBe('pending');
    expect(getSalesCalls()).toBe(0);
    // Just under the bound, the same notification is read.
    const fits = { ...notification(payment), padding: 'x'.repeat(14 * 1024) };
    expectAnswer(await notify(fits), 'processed');
  });

  it('gives a signed-in caller no more than anyone: the token is not looked at', async () => {
    const payment = await openPayment();
    const res = await call(app, 'POST', '/payments/webhook', {
      token: payment.user.token,
      body: new URLSearchParams(notification(payment, 'sale-complete', { payme_signature: 'x' }))
        .toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectRefusal(res, 403);
    expect(await statusOf(payment)).toBe('pending');
  });
});
