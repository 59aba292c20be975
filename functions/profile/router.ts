import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const profile = createRouter()
  .openapi(routes.getProfile, handlers.show)
  .openapi(routes.patchProfile, handlers.update)
  .openapi(routes.uploadAvatar, handlers.changeAvatar);
