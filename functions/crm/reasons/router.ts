import { createRouter } from '../../../shared/http/create-router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const reasons = createRouter()
  .openapi(routes.listReasons, handlers.list)
  .openapi(routes.createReason, handlers.create)
  .openapi(routes.updateReason, handlers.update);
