import type { Tx } from '../../../shared/db/client.ts';
import type { JsonText } from '../../../shared/http/json-text.ts';
import type { GeneratedSale } from '../../../shared/payme/client.ts';
import type { NewLink, PaymentLink } from './schemas.ts';

// One statement each, handed back unsent; the writes are the functions of migration
// 20261202005000, which act on the caller's own payments only.

/** A pending payment of the caller, and the caller's language for PayMe's page. */
export function openPayment(tx: Tx, link: NewLink) {
  return tx<[{ id: string; locale: string }]>`
    select id, locale::text
    from app.open_payment(${link.amount}, ${link.description}, ${link.appointment_id ?? null})`;
}

/** PayMe's sale on the pending payment; no row when it is no longer pending. */
export function recordSale(tx: Tx, id: string, sale: GeneratedSale) {
  return tx<[{ payment: JsonText<PaymentLink> }?]>`
    select json_build_object('id', t.id, 'payment_url', t.payment_url,
             'payme_sale_id', t.payme_sale_id, 'amount', t.amount_agorot,
             'currency', t.currency, 'status', t.status)::text as payment
    from app.record_payment_sale(${id}, ${sale.paymeSaleId}, ${sale.paymeSaleCode},
                                 ${sale.saleUrl}) t`;
}

/** The pending payment PayMe refused or did not answer for, with why. */
export function failPayment(tx: Tx, id: string, reason: string) {
  return tx`select app.fail_payment(${id}, ${reason})`;
}
