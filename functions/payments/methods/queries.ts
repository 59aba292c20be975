import type { Fragment, Tx } from '../../../shared/db/client.ts';
import { isoTimestamp } from '../../../shared/db/timestamps.ts';
import type { JsonText } from '../../../shared/http/json-text.ts';
import type { NewMethod, PaymentMethod } from './schemas.ts';

// Every function here is one statement handed back unsent: `asUser` sends it with the
// transaction's opening and its commit, one round trip. Writes go through the functions of
// migration 20261202005000, which take the owner from the caller's claims and queue one
// user's writes behind each other.

const methodObject = (tx: Tx): Fragment =>
  tx`json_build_object('id', m.id, 'brand', m.brand, 'last4', m.last4,
       'expiry_month', m.expiry_month, 'expiry_year', m.expiry_year, 'is_default', m.is_default,
       'created_at', ${isoTimestamp(tx, tx`m.created_at`)})`;

/** Default first, then newest. RLS shows only the caller's; the filter says so too. */
export function listMethods(tx: Tx, userId: string) {
  return tx<[{ methods: JsonText<PaymentMethod[]> }]>`
    select coalesce(json_agg(${methodObject(tx)}
                             order by m.is_default desc, m.created_at desc, m.id desc), '[]')::text
             as methods
    from public.payment_methods m
    where m.user_id = ${userId}`;
}

export function addMethod(tx: Tx, card: NewMethod) {
  return tx<[{ method: JsonText<PaymentMethod> }]>`
    select ${methodObject(tx)}::text as method
    from app.add_payment_method(${card.brand}, ${card.last4}, ${card.expiry_month},
                                ${card.expiry_year}) m`;
}

/** `done` is false when the caller has no such method. */
export function removeMethod(tx: Tx, id: string) {
  return tx<[{ done: boolean }]>`select app.remove_payment_method(${id}) as done`;
}

/** `done` is false when the caller has no such method. */
export function makeDefault(tx: Tx, id: string) {
  return tx<[{ done: boolean }]>`select app.set_default_payment_method(${id}) as done`;
}
