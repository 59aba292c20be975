import { createApp } from '../../shared/http/create-app.ts';
import { notifications } from './router.ts';

export const app = createApp('notifications', { auth: 'user' }).route('/', notifications);
