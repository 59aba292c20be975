import { createApp } from '../../shared/http/create-app.ts';
import { AVATAR_BODY_BYTES } from '../../shared/schemas/avatar.ts';
import { profile } from './router.ts';

export const app = createApp('profile', {
  auth: 'user',
  bodyLimits: { '/profile/avatar': AVATAR_BODY_BYTES },
}).route('/', profile);
