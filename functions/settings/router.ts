import { createRouter } from '../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const settings = createRouter()
  .openapi(routes.getSettings, handlers.show)
  .openapi(routes.patchSettings, handlers.update);
