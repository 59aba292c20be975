import { z } from '@hono/zod-openapi';
import { wholeNumber } from '../../../shared/schemas/common.ts';

/** The card brands used in Israel that the app shows. */
export const CARD_BRANDS = [
  'Visa',
  'Mastercard',
  'American Express',
  'Isracard',
  'Diners',
] as const;

const LAST4 = 'Send only the last 4 digits of the card.';
const NO_FULL_NUMBER = 'Never send the full card number or its security code: only its last 4 ' +
  'digits.';

/** Fields a client might use for what must never reach us. */
const CARD_SECRETS = ['card_number', 'number', 'pan', 'credit_card_number', 'cvv', 'cvc'];

/** This month where the patients live, `YYYY-MM`. */
const monthInIsrael = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Jerusalem',
    year: 'numeric',
    month: '2-digit',
  })
    .format(new Date());

/** A body carrying a full card number or its security code is refused, whatever else it holds. */
function refuseCardSecrets(body: unknown, ctx: z.RefinementCtx): unknown {
  if (typeof body === 'object' && body !== null) {
    for (const key of CARD_SECRETS.filter((k) => k in body)) {
      ctx.addIssue({ code: 'custom', path: [key], message: NO_FULL_NUMBER, input: body });
    }
  }
  return body;
}

/**
 * Contract 12: what the app shows of a card, nothing more (other keys are ignored). A card is
 * valid until the end of its expiry month; an expired one is refused.
 */
export const newMethodSchema = z.preprocess(
  refuseCardSecrets,
  z.object({
    brand: z.enum(CARD_BRANDS, { message: `Use one of: ${CARD_BRANDS.join(', ')}.` }),
    last4: z.string({ message: LAST4 }).regex(/^\d{4}$/, { message: LAST4 })
      .openapi({ example: '4242' }),
    expiry_month: wholeNumber(1, 12, 'Use an expiry month from 1 to 12.'),
    expiry_year: wholeNumber(2000, 2100, 'Use the four-digit expiry year, like 2027.'),
  }).superRefine((card, ctx) => {
    const [year, month] = monthInIsrael().split('-').map(Number);
    if (card.expiry_year < year || (card.expiry_year === year && card.expiry_month < month)) {
      ctx.addIssue({ code: 'custom', path: ['expiry_year'], message: 'This card has expired.' });
    }
  }),
);

export const paymentMethodSchema = z
  .object({
    id: z.uuid(),
    brand: z.enum(CARD_BRANDS),
    last4: z.string(),
    expiry_month: z.int(),
    expiry_year: z.int(),
    is_default: z.boolean(),
    created_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('PaymentMethod');

export type NewMethod = z.infer<typeof newMethodSchema>;
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;
