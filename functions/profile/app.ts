import { createApp } from '../../shared/http/create-app.ts';
import { profile } from './router.ts';
import { AVATAR_MAX_BYTES } from './schemas.ts';

// Room for the multipart boundaries and part headers around a picture of the largest size.
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

export const app = createApp('profile', {
  auth: 'user',
  bodyLimits: { '/profile/avatar': AVATAR_MAX_BYTES + MULTIPART_OVERHEAD_BYTES },
}).route('/', profile);
