import { createApp } from '../../shared/http/create-app.ts';
import { registration } from './registration/router.ts';
import { practitioners } from './router.ts';

/**
 * The directory (public, rate limited per client address) and the signed-in caller's own
 * practitioner record (`/me`, `/register`).
 */
export const app = createApp('practitioners', {
  auth: 'public',
  signedInPaths: ['/me', '/register'],
})
  .route('/', registration)
  .route('/', practitioners);
