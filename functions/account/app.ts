import { createApp } from '../../shared/http/create-app.ts';
import { account } from './router.ts';

/** The signed-in user's account as a whole: its deletion. */
export const app = createApp('account', { auth: 'user' }).route('/', account);
