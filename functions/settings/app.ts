import { createApp } from '../../shared/http/create-app.ts';
import { settings } from './router.ts';

export const app = createApp('settings', { auth: 'user' }).route('/', settings);
