import { createApp } from '../../shared/http/create-app.ts';
import { reminders } from './router.ts';

/** Called by pg_cron (and operators) with the service secret; no user signs in. */
export const app = createApp('reminders', { auth: 'service' }).route('/', reminders);
