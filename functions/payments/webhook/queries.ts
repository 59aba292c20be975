import type postgres from 'postgres';
import { type Sql, withinStatementTimeout } from '../../../shared/db/client.ts';
import type { PaymentStatus } from './schemas.ts';

// The webhook has no user: it runs on the privileged connection (`systemDb`), which its handler
// names when it calls these.

export type Outcome =
  | 'processed'
  | 'ignored'
  | 'malformed'
  | 'unsupported_media_type'
  | 'bad_signature'
  | 'unknown_sale'
  | 'reference_mismatch'
  | 'not_confirmed'
  | 'amount_mismatch'
  | 'refused_transition'
  | 'provider_unavailable';

/** One notification as received: what it names, the fields kept, who sent it. */
export interface Received {
  saleId: string | null;
  notifyType: string | null;
  /** The fields kept: text, and the names of the others (`other_fields`). */
  fields: Record<string, string | string[]>;
  clientAddress: string;
}

export interface PaymentOfSale {
  id: string;
  amount_agorot: number;
  currency: string;
  status: PaymentStatus;
  /** This (sale, type) was processed already. */
  replay: boolean;
}

/** Our payment of PayMe's sale, and whether this notification of it was processed already. */
export async function findPayment(
  sql: Sql,
  saleId: string,
  notifyType: string,
): Promise<PaymentOfSale | undefined> {
  const [payment] = await withinStatementTimeout(sql<PaymentOfSale[]>`
    select t.id, t.amount_agorot, t.currency, t.status,
           exists (select from private.payme_notifications n
                   where n.payme_sale_id = t.payme_sale_id and n.notify_type = ${notifyType}
                     and n.outcome = 'processed') as replay
    from public.payment_transactions t
    where t.payme_sale_id = ${saleId}`);
  return payment;
}

/** A notification that changed nothing, with its outcome. */
export async function recordNotification(
  sql: Sql,
  received: Received,
  outcome: Outcome,
  detail: string | null,
  paymentId: string | null,
): Promise<void> {
  await withinStatementTimeout(sql`
    insert into private.payme_notifications
      (payme_sale_id, notify_type, transaction_id, fields, outcome, detail, client_address)
    values (${received.saleId}, ${received.notifyType}, ${paymentId},
            ${sql.json(received.fields as postgres.JSONValue)}, ${outcome},
            ${detail?.slice(0, 500) ?? null}, ${received.clientAddress})`);
}

/**
 * A notification PayMe confirmed, applied once (migration 20261202005000): 'processed',
 * 'replay' (the same notification won a race a moment ago) or 'refused_transition'.
 */
export async function applyNotification(
  sql: Sql,
  received: Received & { saleId: string; notifyType: string },
  status: PaymentStatus,
  failureReason: string | null,
): Promise<'processed' | 'replay' | 'refused_transition'> {
  const [{ outcome }] = await withinStatementTimeout(sql<
    { outcome: 'processed' | 'replay' | 'refused_transition' }[]
  >`
    select private.apply_payme_notification(
      ${received.saleId}, ${received.notifyType}, ${status}::public.payment_status,
      ${sql.json(received.fields as postgres.JSONValue)}, ${failureReason},
      ${received.clientAddress}) as outcome`);
  return outcome;
}
