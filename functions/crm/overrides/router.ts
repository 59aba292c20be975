import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const overrides = createRouter()
  .openapi(routes.listOverrides, handlers.list)
  .openapi(routes.saveOverride, handlers.save)
  .openapi(routes.deleteOverride, handlers.remove);
