import { beforeEach, describe, expect, it, vi } from 'vitest';
import { config } from '../../shared/config.ts';
import { db, snapshot } from '../helpers/db.ts';
import { call, type CallOptions } from '../helpers/http.ts';
import { openPractice } from '../helpers/practice.ts';
import { createUser, type TestUser } from '../helpers/users.ts';
import { TEST_SUPABASE_URL } from '../setup.ts';
import { paymeEnvironment, RETURN_URL } from './env.ts';
import {
  badAuthorizations,
  expectRefusal,
  pastAppointment,
  patient,
  PAYMENT_TABLES,
} from './helpers.ts';

// No signature secret here: the webhook then relies on PayMe's own confirmation alone
// (webhook.test.ts runs with one).
const standIn = await paymeEnvironment();
const { app } = await import('../../functions/payments/app.ts');
beforeEach(() => standIn.reset());

const api = (user: TestUser | undefined, method: string, path: string, options: CallOptions = {}) =>
  call(app, method, `/payments${path}`, { token: user?.token, ...options });

const createLink = (user: TestUser, json: unknown) => api(user, 'POST', '/create-link', { json });

const LINK = { amount: 15000, description: 'Consultation cardiologie' };

async function payment(id: string) {
  const [row] = await db`
    select user_id, appointment_id, amount_agorot, currency, description, status::text,
           payme_sale_id, payme_sale_code, payment_url, failure_reason
    from public.payment_transactions where id = ${id}`;
  return row;
}

const generateSaleBodies = () =>
  standIn.requests.filter((r) => r.path === '/api/generate-sale').map((r) => JSON.parse(r.body));

describe('POST /payments/create-link', () => {
  it('opens a PayMe sale for a pending payment and answers its page', async () => {
    const noa = await patient();
    const res = await createLink(noa, LINK);
    expect(res.status).toBe(201);
    const sale = [...standIn.sales.values()].at(-1)!;
    expect(res.body).toEqual({
      id: expect.any(String),
      payment_url: `${standIn.url.replace('/api', '')}/sale/generate/${sale.payme_sale_id}`,
      payme_sale_id: sale.payme_sale_id,
      amount: 15000,
      currency: 'ILS',
      status: 'pending',
    });
    expect(Object.keys(res.body)).toEqual([
      'id',
      'payment_url',
      'payme_sale_id',
      'amount',
      'currency',
      'status',
    ]);
    expect(generateSaleBodies()).toEqual([{
      seller_payme_id: standIn.sellerKey,
      sale_price: 15000,
      currency: 'ILS',
      product_name: 'Consultation cardiologie',
      transaction_id: res.body.id,
      installments: '1',
      sale_callback_url: `${TEST_SUPABASE_URL}/functions/v1/payments/webhook`,
      sale_return_url: RETURN_URL,
      language: 'en',
      sale_type: 'sale',
      sale_payment_method: 'credit-card',
    }]);
    expect(await payment(res.body.id)).toEqual({
      user_id: noa.id,
      appointment_id: null,
      amount_agorot: 15000,
      currency: 'ILS',
      description: 'Consultation cardiologie',
      status: 'pending',
      payme_sale_id: sale.payme_sale_id,
      payme_sale_code: String(sale.payme_sale_code),
      payment_url: res.body.payment_url,
      failure_reason: null,
    });
  });

  it("opens PayMe's page in Hebrew for a Hebrew speaker, in English for the other languages", async () => {
    for (const [locale, language] of [['he', 'he'], ['fr', 'en'], ['ru', 'en'], ['en', 'en']]) {
      const user = await patient();
      await db`insert into public.user_settings (user_id, locale) values (${user.id}, ${locale})`;
      standIn.reset();
      expect((await createLink(user, LINK)).status, locale).toBe(201);
      expect(generateSaleBodies()[0].language, locale).toBe(language);
    }
  });

  it('ties the payment to one of my appointments, trimmed description, bounds of the amount', async () => {
    const practice = await openPractice();
    const noa = await patient();
    const appointment = await pastAppointment(noa, practice.id);
    for (const amount of [100, 10_000_000]) {
      const res = await createLink(noa, {
        amount,
        description: '  Follow-up  ',
        appointment_id: appointment,
      });
      expect(res.status).toBe(201);
      expect(await payment(res.body.id)).toMatchObject({
        appointment_id: appointment,
        amount_agorot: amount,
        description: 'Follow-up',
      });
    }
    expect((await createLink(noa, { ...LINK, appointment_id: '' })).status).toBe(201);
    expect((await createLink(noa, { ...LINK, appointment_id: null })).status).toBe(201);
  });

  it("answers 404 for someone else's appointment or none, writing nothing and asking PayMe nothing", async () => {
    const practice = await openPractice();
    const owner = await patient();
    const appointment = await pastAppointment(owner, practice.id);
    const before = await snapshot(PAYMENT_TABLES);
    for (
      const [who, user] of [['another patient', await patient('Dan')], [
        'its practitioner',
        practice.user,
      ]] as const
    ) {
      const res = await createLink(user, { ...LINK, appointment_id: appointment });
      expectRefusal(res, 404, who);
      expect(res.body.error.message).toBe('We could not find this appointment.');
    }
    expectRefusal(await createLink(owner, { ...LINK, appointment_id: crypto.randomUUID() }), 404);
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
    expect(standIn.requests).toEqual([]);
  });

  it('answers 502 when PayMe refuses: the payment failed with the reason, and no secret anywhere', async () => {
    const noa = await patient();
    standIn.answerNext({
      status: 500,
      json: {
        status_code: 1,
        status_error_details: `Seller ${standIn.sellerKey} is blocked`,
        status_error_code: 350,
      },
    });
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line) => logged.push(String(line)));
    const level = config().logLevel;
    config().logLevel = 'error';
    let res;
    try {
      res = await createLink(noa, LINK);
    } finally {
      config().logLevel = level;
      spy.mockRestore();
    }
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      error: {
        code: 'payment_provider_error',
        message: 'We could not open the payment page. Please try again in a moment.',
        details: {},
      },
    });
    const [row] = await db`
      select status::text, failure_reason, payme_sale_id from public.payment_transactions
      where user_id = ${noa.id}`;
    expect(row).toEqual({
      status: 'failed',
      failure_reason:
        'PayMe refused generate-sale (HTTP 500): Seller [seller key] is blocked (error 350).',
      payme_sale_id: null,
    });
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0])).toMatchObject({
      event: 'payme_generate_sale_failed',
      failure: 'refused',
    });
    for (const text of [JSON.stringify(res.body), row.failure_reason, ...logged]) {
      expect(text).not.toContain(standIn.sellerKey);
    }
  });

  it('answers 502 when PayMe does not answer in time, or answers nonsense', async () => {
    const noa = await patient();
    standIn.answerNext('hang', { json: { status_code: 0, sale_url: 'not a url' } });
    for (
      const reason of [
        'PayMe did not answer generate-sale within 500 ms.',
        "PayMe's answer to generate-sale is not understood.",
      ]
    ) {
      const res = await createLink(noa, LINK);
      expectRefusal(res, 502);
      expect(res.body.error.code).toBe('payment_provider_error');
      const [row] = await db`
        select status::text, failure_reason from public.payment_transactions
        where id = (select id from public.payment_transactions where user_id = ${noa.id}
                    order by created_at desc limit 1)`;
      expect(row).toEqual({ status: 'failed', failure_reason: reason });
    }
  });

  it('answers 502 without writing anything where payments are not configured', async () => {
    const noa = await patient();
    const sellerKey = config().payme.sellerKey;
    config().payme.sellerKey = undefined;
    const before = await snapshot(PAYMENT_TABLES);
    try {
      const res = await createLink(noa, LINK);
      expectRefusal(res, 502);
      expect(res.body.error.message).toBe('Online payment is not available at the moment.');
    } finally {
      config().payme.sellerKey = sellerKey;
    }
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
    expect(standIn.requests).toEqual([]);
  });
});

describe('a payment from link to settlement', () => {
  it("is completed by PayMe's confirmed notification, and the patient hears of it", async () => {
    const practice = await openPractice();
    const noa = await patient();
    const appointment = await pastAppointment(noa, practice.id);
    const link = await createLink(noa, { ...LINK, appointment_id: appointment });
    // The patient pays on PayMe's page; PayMe then notifies, as a form.
    standIn.setSale(link.body.payme_sale_id, { sale_status: 'completed' });
    const form = new URLSearchParams({
      status_code: '0',
      notify_type: 'sale-complete',
      transaction_id: link.body.id,
      payme_sale_id: link.body.payme_sale_id,
      payme_transaction_id: 'TRAN1700-00000001-ABCDEFGH-00000001',
      price: '15000',
      currency: 'ILS',
      sale_status: 'completed',
      buyer_name: 'Noa Cohen',
      buyer_card_mask: '458045******4580',
    });
    const res = await api(undefined, 'POST', '/webhook', {
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ outcome: 'processed' });
    expect((await payment(link.body.id)).status).toBe('completed');
    expect(standIn.requests.map((r) => r.path)).toEqual(['/api/generate-sale', '/api/get-sales']);
    const events = await db`
      select user_id, event, payload from private.events
      where event = 'payment:updated' and payload ->> 'id' = ${link.body.id}`;
    expect(events).toEqual([{
      user_id: noa.id,
      event: 'payment:updated',
      payload: { id: link.body.id, status: 'completed', appointment_id: appointment },
    }]);
  });

  it('announces nothing for a completed payment tied to no appointment', async () => {
    const noa = await patient();
    const link = await createLink(noa, LINK);
    standIn.setSale(link.body.payme_sale_id, { sale_status: 'completed' });
    const res = await api(undefined, 'POST', '/webhook', {
      json: {
        notify_type: 'sale-complete',
        payme_sale_id: link.body.payme_sale_id,
        price: 15000,
        currency: 'ILS',
      },
    });
    expect(res.body).toEqual({ outcome: 'processed' });
    expect((await payment(link.body.id)).status).toBe('completed');
    const [{ n }] = await db`
      select count(*)::int as n from private.events where payload ->> 'id' = ${link.body.id}`;
    expect(n).toBe(0);
  });
});

describe('POST /payments/create-link: who may, and bad input', () => {
  it('lets any signed-in user pay for themselves, and nobody without a token', async () => {
    for (const role of ['patient', 'practitioner', 'admin'] as const) {
      const user = await createUser({ role });
      const res = await createLink(user, LINK);
      expect(res.status, role).toBe(201);
      expect((await payment(res.body.id)).user_id, role).toBe(user.id);
    }
    const before = await snapshot(PAYMENT_TABLES);
    for (const headers of await badAuthorizations()) {
      expectRefusal(await api(undefined, 'POST', '/create-link', { headers, json: LINK }), 401);
    }
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
  });

  it('refuses every malformed request with 4xx in the contract shape, writing nothing', async () => {
    const noa = await patient();
    const bodies: Array<[string, unknown]> = [
      ['no amount', { description: 'x' }],
      ['an amount under 1 ILS', { ...LINK, amount: 99 }],
      ['an amount over 100,000 ILS', { ...LINK, amount: 10_000_001 }],
      ['a fractional amount', { ...LINK, amount: 150.5 }],
      ['an amount as text', { ...LINK, amount: '15000' }],
      ['a negative amount', { ...LINK, amount: -15000 }],
      ['no description', { amount: 15000 }],
      ['a blank description', { ...LINK, description: '   ' }],
      ['a description too long', { ...LINK, description: 'x'.repeat(201) }],
      ['a number as description', { ...LINK, description: 42 }],
      ['a malformed appointment id', { ...LINK, appointment_id: 'abc' }],
      ['an appointment id as a number', { ...LINK, appointment_id: 7 }],
      ['an array', [LINK]],
      ['null', null],
    ];
    const before = await snapshot(PAYMENT_TABLES);
    for (const [name, json] of bodies) {
      const res = await createLink(noa, json);
      expectRefusal(res, 400, name);
      expect(res.body.error.code, name).toMatch(/^(validation_error|bad_request)$/);
    }
    const raw = await api(noa, 'POST', '/create-link', {
      body: '{"amount":',
      headers: { 'content-type': 'application/json' },
    });
    expectRefusal(raw, 400);
    const form = await api(noa, 'POST', '/create-link', {
      body: 'amount=15000',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectRefusal(form, 415);
    expect(await snapshot(PAYMENT_TABLES)).toEqual(before);
    expect(standIn.requests).toEqual([]);
  });
});
