import { createApp } from '../../shared/http/create-app.ts';
import { practitioners } from './router.ts';

export const app = createApp('practitioners', { auth: 'public' }).route('/', practitioners);
