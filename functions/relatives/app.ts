import { createApp } from '../../shared/http/create-app.ts';
import { relatives } from './router.ts';

export const app = createApp('relatives', { auth: 'user' }).route('/', relatives);
