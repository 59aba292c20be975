import { createApp } from '../../shared/http/create-app.ts';
import { links } from './links/router.ts';
import { methods } from './methods/router.ts';
import { webhook } from './webhook/router.ts';
import { WEBHOOK_MAX_BYTES } from './webhook/schemas.ts';

/**
 * Payments through PayMe: the patient's cards on file and payment links (signed in), and PayMe's
 * webhook (public, rate limited per client address, its body bounded).
 */
export const app = createApp('payments', {
  auth: 'user',
  publicPaths: ['/webhook'],
  bodyLimits: { '/payments/webhook': WEBHOOK_MAX_BYTES },
})
  .route('/methods', methods)
  .route('/', links)
  .route('/webhook', webhook);
