import { z } from '@hono/zod-openapi';
import { PAYMENT_STATUSES } from '../links/schemas.ts';

/** PayMe's notification is a form of about thirty short fields: a few kilobytes at most. */
export const WEBHOOK_MAX_BYTES = 16 * 1024;

/** PayMe's notification types ("Sale Callbacks"). */
export const NOTIFY_TYPES = [
  'sale-complete',
  'sale-authorized',
  'refund',
  'sale-failure',
  'sale-chargeback',
  'sale-chargeback-refund',
] as const;

export type NotifyType = (typeof NOTIFY_TYPES)[number];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * The notifications that settle a payment, and the status they move it to, which is also the
 * `sale_status` PayMe's own record (get-sales) must show. Dokal sells without a separate
 * authorisation, and chargebacks are handled with PayMe by hand: those notifications are
 * recorded and acknowledged, and change nothing.
 */
export const SETTLING: Partial<Record<NotifyType, PaymentStatus>> = {
  'sale-complete': 'completed',
  'sale-failure': 'failed',
  refund: 'refunded',
};

const SALE_ID = /^[A-Za-z0-9-]{1,100}$/;

/** What the webhook needs of a notification; PayMe sends text (a form), JSON numbers are read as text. */
export const notificationSchema = z.object({
  payme_sale_id: z.string({ message: "Send PayMe's sale id." })
    .regex(SALE_ID, { message: "This is not one of PayMe's sale ids." }),
  notify_type: z.enum(NOTIFY_TYPES, { message: `Use one of: ${NOTIFY_TYPES.join(', ')}.` }),
  price: z.string({ message: 'Send the price in agorot.' })
    .regex(/^\d{1,9}$/, { message: 'Send the price as a whole number of agorot.' }),
  currency: z.string({ message: 'Send the currency.' })
    .regex(/^[A-Za-z]{3}$/, { message: 'Send a three-letter currency code.' }),
  transaction_id: z.string().max(100, { message: 'Use at most 100 characters.' }).optional()
    .openapi({ description: 'Our payment id, the merchant reference given to generate-sale' }),
  payme_transaction_id: z.string().max(100, { message: 'Use at most 100 characters.' })
    .optional(),
  payme_signature: z.string().max(100, { message: 'Use at most 100 characters.' }).optional()
    .openapi({ description: 'Checked when a signature secret is configured' }),
  sale_status: z.string().max(50, { message: 'Use at most 50 characters.' }).optional(),
  status_error_details: z.string().optional(),
});

export type Notification = z.infer<typeof notificationSchema>;

/**
 * The fields of a notification that describe the sale, kept with its record. The signature, the
 * buyer's token (`buyer_key`) and the buyer's personal details are never kept; other fields are
 * kept by name only.
 */
export const RECORDED_FIELDS = new Set([
  'status_code',
  'status_error_code',
  'status_error_details',
  'notify_type',
  'sale_created',
  'transaction_id',
  'payme_sale_id',
  'payme_sale_code',
  'payme_transaction_id',
  'price',
  'currency',
  'sale_status',
  'payme_transaction_card_brand',
  'payme_transaction_auth_number',
  'installments',
  'sale_paid_date',
  'sale_release_date',
  'is_token_sale',
  'sale_invoice_url',
]);

/** The body as the OpenAPI document shows it; the handler reads and records it itself. */
const { $schema: _, ...documentedBody } = z.toJSONSchema(notificationSchema.loose(), {
  io: 'input',
});
export const notificationDocument = documentedBody;

export const webhookAnswerSchema = z
  .object({
    outcome: z.enum(['processed', 'replay', 'ignored']).openapi({
      description: '`processed`: the payment changed; `replay`: this notification was already ' +
        'processed, nothing changed; `ignored`: a kind of notification Dokal does not act on',
    }),
  })
  .openapi('WebhookAnswer');
