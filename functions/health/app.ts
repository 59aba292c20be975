import { createApp } from '../../shared/http/create-app.ts';
import { health } from './router.ts';

/** Contract 9: the signed-in user's own health records. */
export const app = createApp('health', { auth: 'user' }).route('/', health);
