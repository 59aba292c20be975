import { z } from '@hono/zod-openapi';
import { clearable, requiredText, uuid, wholeNumber } from '../../../shared/schemas/common.ts';

export const PAYMENT_STATUSES = ['pending', 'completed', 'failed', 'refunded'] as const;

/** Contract 12: a payment page with PayMe for an amount in agorot (15000 = 150 ILS). */
export const newLinkSchema = z.object({
  amount: wholeNumber(
    100,
    10_000_000,
    'Use an amount in agorot, a whole number from 100 (1 ILS) to 10000000 (100,000 ILS).',
  ).openapi({ description: 'In agorot: 15000 is 150 ILS', example: 15000 }),
  description: requiredText(200).openapi({ example: 'Consultation cardiologie' }),
  appointment_id: clearable(uuid).openapi({
    description: 'One of my appointments the payment is for; `""` or null for none',
  }),
});

export const paymentLinkSchema = z
  .object({
    id: z.uuid(),
    payment_url: z.string().openapi({ format: 'uri', description: "PayMe's payment page" }),
    payme_sale_id: z.string(),
    amount: z.int().openapi({ description: 'In agorot' }),
    currency: z.literal('ILS'),
    status: z.enum(PAYMENT_STATUSES),
  })
  .openapi('PaymentLink');

export type NewLink = z.infer<typeof newLinkSchema>;
export type PaymentLink = z.infer<typeof paymentLinkSchema>;
