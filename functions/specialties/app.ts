import { createApp } from '../../shared/http/create-app.ts';
import { specialties } from './router.ts';

/** The list of specialties: public, cacheable, rate limited per client address. */
export const app = createApp('specialties', { auth: 'public' }).route('/', specialties);
