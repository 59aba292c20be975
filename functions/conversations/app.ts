import { createApp } from '../../shared/http/create-app.ts';
import { conversations } from './router.ts';

/** Messaging for both sides: patients, and practices (practitioners, admins acting for one). */
export const app = createApp('conversations', { auth: 'user' }).route('/', conversations);
