import { createApp } from '../../shared/http/create-app.ts';
import { appointments } from './router.ts';

export const app = createApp('appointments', { auth: 'user' }).route('/', appointments);
