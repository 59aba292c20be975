import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const relatives = createRouter()
  .openapi(routes.listRelatives, handlers.list)
  .openapi(routes.createRelative, handlers.create)
  .openapi(routes.patchRelative, handlers.update)
  .openapi(routes.uploadRelativeAvatar, handlers.changeAvatar)
  .openapi(routes.deleteRelative, handlers.remove);
