import { createApp } from '../../shared/http/create-app.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

// Room for the multipart boundaries and part headers around a picture of the largest size.
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

export const app = createApp('profile', {
  auth: 'user',
  bodyLimits: { '/profile/avatar': routes.AVATAR_MAX_BYTES + MULTIPART_OVERHEAD_BYTES },
})
  .openapi(routes.getProfile, handlers.show)
  .openapi(routes.patchProfile, handlers.update)
  .openapi(routes.uploadAvatar, handlers.changeAvatar);
