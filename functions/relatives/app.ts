import { createApp } from '../../shared/http/create-app.ts';
import { AVATAR_BODY_BYTES } from '../../shared/schemas/avatar.ts';
import { relatives } from './router.ts';

export const app = createApp('relatives', {
  auth: 'user',
  bodyLimits: { '/relatives/:id/avatar': AVATAR_BODY_BYTES },
}).route('/', relatives);
