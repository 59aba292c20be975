import { createApp } from '../../shared/http/create-app.ts';
import { reviews } from './router.ts';

/** Reviews: a patient reviews a past appointment; its practitioner replies. */
export const app = createApp('reviews', { auth: 'user' }).route('/', reviews);
